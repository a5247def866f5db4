import { strict as assert } from "node:assert";
import { call, deviceService, device, mustBatch, profile, sendBatch, startMetadata } from "../support/metadata-service.js";
import type { MetadataUnderTest } from "../support/metadata-service.js";

describe("device service routes", () => {
  let m: MetadataUnderTest;

  beforeEach(async () => {
    m = await startMetadata();
  });

  afterEach(async () => {
    await m.close();
  });

  it("adds a batch answering 207 with 201, 400 and 409 per item", async () => {
    const statuses = await sendBatch(m, "POST", "/api/v3/deviceservice", "service", [
      deviceService("svc-1", { labels: ["a"] }),
      { name: "bad", baseAddress: "not a url" },
      deviceService("svc-1"),
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [201, 400, 409]);
    assert.match(statuses[0]!.id!, /^[0-9a-f-]{36}$/);
    assert.equal(statuses[0]!.requestId, "00000000-0000-4000-8000-000000000000");
    assert.equal(statuses[1]!.code, "DEVICE_SERVICE_INVALID");
    assert.deepEqual(statuses[1]!.details?.problems?.map((p) => p.path), ["baseAddress"]);
    assert.equal(statuses[2]!.code, "DUPLICATE_NAME");
  });

  it("answers 400 for a body that is not an array of requests, and per item for a missing apiVersion", async () => {
    const notArray = await call(m, "POST", "/api/v3/deviceservice", { service: deviceService("x") });
    assert.equal(notArray.status, 400);
    assert.equal(notArray.body.code, "REQUEST_INVALID");
    const res = await call<{ statusCode: number; code: string }[]>(m, "POST", "/api/v3/deviceservice", [{ service: deviceService("x") }]);
    assert.equal(res.status, 207);
    assert.equal(res.body[0]!.statusCode, 400);
    assert.equal(res.body[0]!.code, "REQUEST_INVALID");
  });

  it("gets by name with int64 timestamps, and answers 404 NOT_FOUND for an unknown name", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc-1")]);
    const res = await call<{ service: { name: string; created: bigint; modified: bigint } }>(m, "GET", "/api/v3/deviceservice/name/svc-1");
    assert.equal(res.status, 200);
    assert.equal(res.body.service.name, "svc-1");
    assert.equal(typeof res.body.service.created, "bigint");
    assert.ok(res.body.service.created > 1_600_000_000_000_000_000n, "created is in nanoseconds");
    const missing = await call(m, "GET", "/api/v3/deviceservice/name/nope");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "NOT_FOUND");
  });

  it("patches by name or id, keeping fields not given", async () => {
    const [added] = await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc-1", { labels: ["a"], description: "first" })]);
    const statuses = await sendBatch(m, "PATCH", "/api/v3/deviceservice", "service", [
      { name: "svc-1", adminState: "LOCKED" },
      { id: added!.id, baseAddress: "http://10.0.0.1:59999" },
      { name: "nope", adminState: "LOCKED" },
      { id: added!.id, name: "other" },
      { name: "svc-1", adminState: "SIDEWAYS" },
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [200, 200, 404, 400, 400]);
    const res = await call<{ service: Record<string, unknown> }>(m, "GET", "/api/v3/deviceservice/name/svc-1");
    assert.equal(res.body.service.adminState, "LOCKED");
    assert.equal(res.body.service.baseAddress, "http://10.0.0.1:59999");
    assert.equal(res.body.service.description, "first");
    assert.deepEqual(res.body.service.labels, ["a"]);
    assert.equal(res.body.service.id, added!.id);
  });

  it("lists with labels and paging", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [
      deviceService("s1", { labels: ["x", "y"] }),
      deviceService("s2", { labels: ["x"] }),
      deviceService("s3", { labels: ["y"] }),
    ]);
    const all = await call<{ totalCount: number; services: { name: string }[] }>(m, "GET", "/api/v3/deviceservice/all");
    assert.equal(all.body.totalCount, 3);
    const x = await call<{ totalCount: number; services: { name: string }[] }>(m, "GET", "/api/v3/deviceservice/all?labels=x");
    assert.deepEqual(x.body.services.map((s) => s.name).sort(), ["s1", "s2"]);
    const xy = await call<{ totalCount: number; services: { name: string }[] }>(m, "GET", "/api/v3/deviceservice/all?labels=x,y");
    assert.deepEqual(xy.body.services.map((s) => s.name), ["s1"]);
    const page = await call<{ totalCount: number; services: unknown[] }>(m, "GET", "/api/v3/deviceservice/all?offset=1&limit=1");
    assert.equal(page.body.totalCount, 3);
    assert.equal(page.body.services.length, 1);
  });

  it("deletes, refusing with 409 ENTITY_IN_USE while devices use the service", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc-1")]);
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc-1", "p1")]);
    const inUse = await call(m, "DELETE", "/api/v3/deviceservice/name/svc-1");
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.code, "ENTITY_IN_USE");
    assert.equal((await call(m, "DELETE", "/api/v3/device/name/d1")).status, 200);
    const ok = await call(m, "DELETE", "/api/v3/deviceservice/name/svc-1");
    assert.equal(ok.status, 200);
    assert.equal(ok.body.statusCode, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceservice/name/svc-1")).status, 404);
  });
});
