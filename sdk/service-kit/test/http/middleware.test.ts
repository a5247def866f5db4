import assert from "node:assert/strict";
import { ErrorCode } from "@brink/contracts";
import type { RunningService } from "../../src/index.js";
import { LogSink, newProbe, startTestService } from "../support/service.js";
import { createLogger } from "../../src/index.js";

describe("bearer auth", () => {
  describe("with BRINK_API_TOKEN set", () => {
    let service: RunningService;
    before(async () => {
      service = await startTestService(newProbe(), { env: { BRINK_API_TOKEN: "t0ken" } });
    });
    after(() => service.stop());

    it("leaves GET /api/v3/ping open", async () => {
      const res = await fetch(`${service.url}/api/v3/ping`);
      assert.equal(res.status, 200);
    });

    for (const path of ["/api/v3/version", "/api/v3/config", "/metrics", "/api/v3/metrics", "/api/v3/big", "/api/v3/no-such-route"]) {
      it(`answers 401 UNAUTHORIZED on ${path} without the token`, async () => {
        const res = await fetch(service.url + path);
        assert.equal(res.status, 401);
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
        const body = (await res.json()) as { code: string; kind: string; statusCode: number };
        assert.equal(body.code, ErrorCode.Unauthorized);
        assert.equal(body.kind, "Unauthorized");
        assert.equal(body.statusCode, 401);
      });
    }

    it("answers 401 with a wrong token and 200 with the right one", async () => {
      const wrong = await fetch(`${service.url}/api/v3/version`, { headers: { Authorization: "Bearer t0ke" } });
      assert.equal(wrong.status, 401);
      const basic = await fetch(`${service.url}/api/v3/version`, { headers: { Authorization: "Basic t0ken" } });
      assert.equal(basic.status, 401);
      const right = await fetch(`${service.url}/api/v3/version`, { headers: { Authorization: "Bearer t0ken" } });
      assert.equal(right.status, 200);
      const metrics = await fetch(`${service.url}/metrics`, { headers: { Authorization: "bearer t0ken" } });
      assert.equal(metrics.status, 200);
    });

    it("refuses an unauthenticated POST without reading its body", async () => {
      const res = await fetch(`${service.url}/api/v3/echo`, { method: "POST", body: "{not json" });
      assert.equal(res.status, 401);
    });
  });

  describe("without a token", () => {
    let service: RunningService;
    before(async () => {
      service = await startTestService(newProbe());
    });
    after(() => service.stop());

    it("leaves every route open", async () => {
      for (const path of ["/api/v3/ping", "/api/v3/version", "/api/v3/config", "/metrics"]) {
        const res = await fetch(service.url + path);
        assert.equal(res.status, 200, path);
      }
    });
  });
});

describe("error middleware", () => {
  let service: RunningService;
  const sink = new LogSink();
  before(async () => {
    service = await startTestService(newProbe(), { sink, logger: createLogger({ level: "debug", destination: sink }) });
  });
  after(() => service.stop());

  it("answers an unknown route with 404 NOT_FOUND in the EdgeX error shape", async () => {
    const res = await fetch(`${service.url}/api/v3/nothing/here`, { headers: { "X-Correlation-ID": "c-404" } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-correlation-id"), "c-404");
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ["apiVersion", "code", "kind", "message", "statusCode"]);
    assert.equal(body.apiVersion, "v3");
    assert.equal(body.statusCode, 404);
    assert.equal(body.code, ErrorCode.NotFound);
    assert.equal(body.kind, "NotFound");
  });

  it("maps a thrown ServiceError to its kind's status, code and details", async () => {
    const res = await fetch(`${service.url}/api/v3/locked/pump%201`);
    assert.equal(res.status, 423);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.code, ErrorCode.Locked);
    assert.equal(body.kind, "ServiceLocked");
    assert.equal(body.statusCode, 423);
    assert.deepEqual(body.details, { device: "pump 1" });
  });

  it("turns an async rejection into 500 INTERNAL and logs it with its stack", async () => {
    const res = await fetch(`${service.url}/api/v3/async-fail`);
    assert.equal(res.status, 500);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.code, ErrorCode.Internal);
    assert.equal(body.kind, "ServerError");
    const logged = sink.lines.find((l) => l.level === 50 && l.url === "/api/v3/async-fail");
    assert.ok(logged, "a 500 is logged at error level");
    assert.match(String((logged.err as { stack?: string } | undefined)?.stack), /boom/);
  });

  it("writes bigint values as exact JSON integers", async () => {
    const res = await fetch(`${service.url}/api/v3/big`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"origin":1692721935934211905,"list":[9007199254740993]}');
  });
});
