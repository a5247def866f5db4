import assert from "node:assert/strict";
import { request } from "node:http";
import { ErrorCode } from "@brink/contracts";
import type { RunningService } from "../../src/index.js";
import { newProbe, startTestService } from "../support/service.js";

const LIMIT = 1024;

/** Sends a raw request with node:http, so the body can be streamed without a length. */
function rawPost(url: string, chunks: readonly string[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("JSON body parsing", () => {
  let service: RunningService;
  before(async () => {
    service = await startTestService(newProbe(), { overrides: { service: { port: 0, maxBodyBytes: LIMIT } } });
  });
  after(() => service.stop());

  it("reads int64 timestamps exactly", async () => {
    const res = await fetch(`${service.url}/api/v3/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"event":{"origin":1692721935934211905,"readings":[{"origin":1692721935934211906,"value":"1"}]}}',
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.includes('"origin":1692721935934211905'), text);
    assert.ok(text.includes('"origin":1692721935934211906'), text);
  });

  it("parses a body sent without a content type as JSON", async () => {
    const res = await rawPost(`${service.url}/api/v3/echo`, ['{"a":1}'], {});
    assert.equal(res.status, 200);
    assert.deepEqual((JSON.parse(res.body) as { body: unknown }).body, { a: 1 });
  });

  it("answers malformed JSON with 400 JSON_MALFORMED and the position", async () => {
    const res = await fetch(`${service.url}/api/v3/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"origin": 1692721935934211905,\n "a": }',
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; kind: string; details: { position: number; line: number; column: number } };
    assert.equal(body.code, ErrorCode.JsonMalformed);
    assert.equal(body.kind, "ContractInvalid");
    assert.equal(body.details.position, 38);
    assert.equal(body.details.line, 2);
    assert.equal(body.details.column, 7);
  });

  it("answers a body over maxBodyBytes with 413 BODY_TOO_LARGE (declared length)", async () => {
    const res = await fetch(`${service.url}/api/v3/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(LIMIT) }),
    });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { code: string; kind: string };
    assert.equal(body.code, ErrorCode.BodyTooLarge);
    assert.equal(body.kind, "LimitExceeded");
  });

  it("answers a chunked body that grows over maxBodyBytes with 413", async () => {
    const chunks = ['{"pad":"', ...Array.from({ length: 8 }, () => "y".repeat(256)), '"}'];
    const res = await rawPost(`${service.url}/api/v3/echo`, chunks, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    assert.equal(res.status, 413);
    assert.equal((JSON.parse(res.body) as { code: string }).code, ErrorCode.BodyTooLarge);
  });

  it("still serves the next request after a 413", async () => {
    const res = await fetch(`${service.url}/api/v3/ping`);
    assert.equal(res.status, 200);
  });
});
