import { strict as assert } from "node:assert";
import type { ProvisionWatcher } from "@brink/contracts";
import { call, deviceService, mustBatch, profile, sendBatch, startMetadata, watcher } from "../support/metadata-service.js";
import type { MetadataUnderTest } from "../support/metadata-service.js";

type WatchersBody = { totalCount: number; provisionWatchers: ProvisionWatcher[] };

describe("provision watcher routes", () => {
  let m: MetadataUnderTest;

  beforeEach(async () => {
    m = await startMetadata();
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc-a"), deviceService("svc-b")]);
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1"), profile("p2")]);
  });

  afterEach(async () => {
    await m.close();
  });

  it("adds a batch answering 207 with 201, 400, 404 and 409 per item", async () => {
    const statuses = await sendBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [
      watcher("w1", "svc-a", "p1"),
      watcher("w2", "svc-a", "p1", { identifiers: { Address: "([" } }),
      watcher("w3", "nobody", "p1"),
      watcher("w4", "svc-a", "nope"),
      watcher("w1", "svc-a", "p1"),
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [201, 400, 404, 404, 409]);
    assert.equal(statuses[1]!.code, "PROVISION_WATCHER_INVALID");
    assert.deepEqual(statuses[1]!.details?.problems?.map((p) => p.path), ["identifiers.Address"]);
    const got = await call<{ provisionWatcher: ProvisionWatcher }>(m, "GET", "/api/v3/provisionwatcher/name/w1");
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.provisionWatcher.blockingIdentifiers, { Port: ["399"] });
    assert.equal((await call(m, "GET", "/api/v3/provisionwatcher/name/nope")).status, 404);
  });

  it("patches fields and the discovered device field by field", async () => {
    await mustBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [watcher("w1", "svc-a", "p1")]);
    const statuses = await sendBatch(m, "PATCH", "/api/v3/provisionwatcher", "provisionwatcher", [
      { name: "w1", adminState: "LOCKED", discoveredDevice: { profileName: "p2" } },
      { name: "w1", discoveredDevice: { profileName: "nope" } },
      { name: "nope", adminState: "LOCKED" },
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [200, 404, 404]);
    const got = (await call<{ provisionWatcher: ProvisionWatcher }>(m, "GET", "/api/v3/provisionwatcher/name/w1")).body.provisionWatcher;
    assert.equal(got.adminState, "LOCKED");
    assert.equal(got.discoveredDevice.profileName, "p2");
    assert.equal(got.discoveredDevice.autoEvents?.[0]?.sourceName, "Temperature");
    assert.deepEqual(got.identifiers, { Address: "10\\.0\\.0\\..*" });
  });

  it("lists all with labels, and by service and profile", async () => {
    await mustBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [
      watcher("w1", "svc-a", "p1"),
      watcher("w2", "svc-b", "p1", { labels: ["other"] }),
      watcher("w3", "svc-b", "p2"),
    ]);
    const names = async (path: string): Promise<string[]> => (await call<WatchersBody>(m, "GET", path)).body.provisionWatchers.map((w) => w.name).sort();
    assert.deepEqual(await names("/api/v3/provisionwatcher/all"), ["w1", "w2", "w3"]);
    assert.deepEqual(await names("/api/v3/provisionwatcher/all?labels=other"), ["w2"]);
    assert.deepEqual(await names("/api/v3/provisionwatcher/service/name/svc-b"), ["w2", "w3"]);
    assert.deepEqual(await names("/api/v3/provisionwatcher/profile/name/p1"), ["w1", "w2"]);
    assert.equal((await call(m, "GET", "/api/v3/provisionwatcher/all?offset=3")).status, 416);
  });

  it("deletes a watcher", async () => {
    await mustBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [watcher("w1", "svc-a", "p1")]);
    assert.equal((await call(m, "DELETE", "/api/v3/provisionwatcher/name/w1")).status, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/provisionwatcher/name/w1")).status, 404);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceservice/name/svc-a")).status, 200);
  });
});
