import assert from "node:assert/strict";
import type { RunningService } from "../../src/index.js";
import { newProbe, startTestService } from "../support/service.js";

describe("common routes", () => {
  let service: RunningService;
  before(async () => {
    service = await startTestService(newProbe(), { env: { BRINK_API_TOKEN: "" }, overrides: { service: { port: 0 }, custom: { retention: { maxAgeMs: 9 } } } });
  });
  after(() => service.stop());

  it("answers GET /api/v3/ping with the EdgeX PingResponse", async () => {
    const res = await fetch(`${service.url}/api/v3/ping`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["apiVersion", "serviceName", "timestamp"]);
    assert.equal(body.apiVersion, "v3");
    assert.equal(body.serviceName, "core-data");
    assert.match(String(body.timestamp), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it("answers GET /api/v3/version", async () => {
    const res = await fetch(`${service.url}/api/v3/version`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { apiVersion: "v3", version: "1.2.3", serviceName: "core-data" });
  });

  it("answers GET /api/v3/config with the effective config", async () => {
    const res = await fetch(`${service.url}/api/v3/config`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { apiVersion: string; serviceName: string; config: Record<string, Record<string, unknown>> };
    assert.equal(body.apiVersion, "v3");
    assert.equal(body.serviceName, "core-data");
    assert.equal(body.config.service?.port, 0);
    assert.deepEqual(body.config.custom, { retention: { maxAgeMs: 9, enabled: true } });
    assert.equal(body.config.clients?.coreMetadataUrl, "http://127.0.0.1:59881");
  });

  it("serves Prometheus text on /metrics and /api/v3/metrics, counting requests by route", async () => {
    await fetch(`${service.url}/api/v3/ping`);
    for (const path of ["/metrics", "/api/v3/metrics"]) {
      const res = await fetch(service.url + path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      const text = await res.text();
      assert.match(text, /^process_cpu_user_seconds_total \d/m);
      assert.match(text, /^brink_http_requests_total\{method="GET",route="\/api\/v3\/ping",status="200"\} [1-9]/m);
      assert.match(text, /^brink_http_request_duration_seconds_count\{method="GET",route="\/api\/v3\/ping",status="200"\} [1-9]/m);
    }
  });

  it("echoes a given X-Correlation-ID and generates one otherwise", async () => {
    const given = await fetch(`${service.url}/api/v3/echo`, { method: "POST", headers: { "X-Correlation-ID": "abc-123" }, body: "{}" });
    assert.equal(given.headers.get("x-correlation-id"), "abc-123");
    assert.equal(((await given.json()) as { correlationId: string }).correlationId, "abc-123");
    const generated = await fetch(`${service.url}/api/v3/ping`);
    assert.match(generated.headers.get("x-correlation-id") ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("GET /api/v3/config with a token", () => {
  let service: RunningService;
  before(async () => {
    service = await startTestService(newProbe(), { env: { BRINK_API_TOKEN: "tok-secret" } });
  });
  after(() => service.stop());

  it("redacts the API token", async () => {
    const res = await fetch(`${service.url}/api/v3/config`, { headers: { Authorization: "Bearer tok-secret" } });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes("tok-secret"));
    assert.equal((JSON.parse(text) as { config: { apiToken: string } }).config.apiToken, "<redacted>");
  });
});
