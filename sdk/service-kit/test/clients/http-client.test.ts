import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InProcessBus } from "@brink/bus";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { HttpClient, ServiceKitErrorCode, createLogger, startService, type RunningService } from "../../src/index.js";
import { fakeMetadata, newFakeState, type FakeState } from "../support/fake-metadata.js";
import { LogSink } from "../support/service.js";

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a rejection");
}

describe("HttpClient", () => {
  let service: RunningService;
  let state: FakeState;
  let client: HttpClient;
  before(async () => {
    state = newFakeState();
    service = await startService(fakeMetadata(state), {
      bus: new InProcessBus(),
      env: { BRINK_API_TOKEN: "tok" },
      overrides: { service: { port: 0 } },
      logger: createLogger({ level: "silent", destination: new LogSink() }),
    });
    client = new HttpClient({ baseUrl: `${service.url}/`, apiToken: "tok", timeoutMs: 2000 });
  });
  after(() => service.stop({ force: true }));

  it("sends the bearer token and the correlation ID", async () => {
    const res = await client.request("GET", "/api/v3/ping", { correlationId: "corr-1" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-correlation-id"), "corr-1");
    await client.get("/api/v3/device/all");
    assert.equal(state.authorization.at(-1), "Bearer tok");
  });

  it("rebuilds a Brink error body into the same kind and code", async () => {
    const err = await rejection(client.get("/api/v3/device/name/ghost"));
    assert.equal(err.kind, ErrorKind.EntityDoesNotExist);
    assert.equal(err.code, ErrorCode.NotFound);
    assert.equal(err.status, 404);
  });

  it("derives the kind from the status for an EdgeX body without kind or code", async () => {
    const err = await rejection(client.delete("/api/v3/device/name/ghost"));
    assert.equal(err.kind, ErrorKind.EntityDoesNotExist);
    assert.equal(err.code, ErrorCode.NotFound);
  });

  it("rebuilds a 401 when the token is wrong", async () => {
    const wrong = new HttpClient({ baseUrl: service.url, apiToken: "nope" });
    const err = await rejection(wrong.get("/api/v3/version"));
    assert.equal(err.kind, ErrorKind.Unauthorized);
    assert.equal(err.code, ErrorCode.Unauthorized);
  });

  it("keeps the status kind when the error body is not JSON", async () => {
    const err = await rejection(client.get("/api/v3/not-json"));
    assert.equal(err.kind, ErrorKind.Server);
    assert.equal(err.code, ErrorCode.RemoteError);
  });

  it("times out with kind Timeout, code TIMEOUT", async () => {
    const err = await rejection(client.request("GET", "/api/v3/slow", { timeoutMs: 50 }));
    assert.equal(err.kind, ErrorKind.Timeout);
    assert.equal(err.code, ErrorCode.Timeout);
  });

  it("reports a refused connection as ServiceUnavailable SERVICE_UNREACHABLE", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rejection(new HttpClient({ baseUrl: `http://127.0.0.1:${port}` }).get("/api/v3/ping"));
    assert.equal(err.kind, ErrorKind.ServiceUnavailable);
    assert.equal(err.code, ServiceKitErrorCode.ServiceUnreachable);
    assert.equal(err.status, 503);
  });
});
