import { strict as assert } from "node:assert";
import type { Device } from "@brink/contracts";
import { call, device, deviceService, mustBatch, profile, sendBatch, startMetadata } from "../support/metadata-service.js";
import type { MetadataUnderTest } from "../support/metadata-service.js";

type DevicesBody = { totalCount: number; devices: Device[] };

describe("device routes", () => {
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
    const statuses = await sendBatch(m, "POST", "/api/v3/device", "device", [
      device("d1", "svc-a", "p1", { autoEvents: [{ interval: "5s", sourceName: "Temperature" }] }),
      { ...device("d2", "svc-a", "p1"), protocols: "modbus" },
      device("d3", "no-such-service", "p1"),
      device("d4", "svc-a", "no-such-profile"),
      device("d1", "svc-a", "p1"),
      device("d5", "svc-a", "p1", { autoEvents: [{ interval: "5s", sourceName: "Humidity" }] }),
      device("d6", "svc-a", "p1", { autoEvents: [{ interval: "soon", sourceName: "Temperature" }] }),
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [201, 400, 404, 404, 409, 400, 400]);
    assert.equal(statuses[1]!.code, "DEVICE_INVALID");
    assert.ok(statuses[1]!.details?.problems?.some((p) => p.path === "protocols"));
    assert.equal(statuses[2]!.code, "NOT_FOUND");
    assert.equal(statuses[4]!.code, "DUPLICATE_NAME");
    assert.deepEqual(statuses[5]!.details?.problems?.map((p) => p.path), ["autoEvents[0].sourceName"]);
    assert.ok(statuses[6]!.details?.problems?.some((p) => p.path.startsWith("autoEvents[0].interval")));
    const all = await call<DevicesBody>(m, "GET", "/api/v3/device/all");
    assert.deepEqual(all.body.devices.map((d) => d.name), ["d1"]);
  });

  it("gets by name and id, checks by name, and answers 404 for an unknown device", async () => {
    const [added] = await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc-a", "p1")]);
    const byName = await call<{ device: Device }>(m, "GET", "/api/v3/device/name/d1");
    assert.equal(byName.status, 200);
    assert.equal(byName.body.device.id, added!.id);
    assert.deepEqual(byName.body.device.protocols, { "modbus-tcp": { Address: "127.0.0.1", Port: "502", UnitID: "1" } });
    const byId = await call<{ device: Device }>(m, "GET", `/api/v3/device/id/${added!.id}`);
    assert.equal(byId.body.device.name, "d1");
    assert.equal((await call(m, "GET", "/api/v3/device/check/name/d1")).status, 200);
    const missing = await call(m, "GET", "/api/v3/device/check/name/nope");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "NOT_FOUND");
    assert.equal((await call(m, "GET", "/api/v3/device/name/nope")).status, 404);
    assert.equal((await call(m, "GET", "/api/v3/device/id/00000000-0000-4000-8000-000000000000")).status, 404);
  });

  it("patches adminState and operatingState, keeping the rest, and checks new references", async () => {
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc-a", "p1", { labels: ["l1"] })]);
    const statuses = await sendBatch(m, "PATCH", "/api/v3/device", "device", [
      { name: "d1", adminState: "LOCKED", operatingState: "DOWN" },
      { name: "d1", profileName: "nope" },
      { name: "d1", adminState: "SIDEWAYS" },
      { name: "ghost", adminState: "LOCKED" },
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [200, 404, 400, 404]);
    const got = (await call<{ device: Device }>(m, "GET", "/api/v3/device/name/d1")).body.device;
    assert.equal(got.adminState, "LOCKED");
    assert.equal(got.operatingState, "DOWN");
    assert.equal(got.profileName, "p1");
    assert.deepEqual(got.labels, ["l1"]);
    await mustBatch(m, "PATCH", "/api/v3/device", "device", [{ name: "d1", adminState: "UNLOCKED", serviceName: "svc-b" }], 200);
    const moved = (await call<{ device: Device }>(m, "GET", "/api/v3/device/name/d1")).body.device;
    assert.equal(moved.adminState, "UNLOCKED");
    assert.equal(moved.serviceName, "svc-b");
  });

  it("lists by profile and by service", async () => {
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc-a", "p1"), device("d2", "svc-b", "p1"), device("d3", "svc-b", "p2")]);
    const names = async (path: string): Promise<string[]> => (await call<DevicesBody>(m, "GET", path)).body.devices.map((d) => d.name).sort();
    assert.deepEqual(await names("/api/v3/device/profile/name/p1"), ["d1", "d2"]);
    assert.deepEqual(await names("/api/v3/device/service/name/svc-b"), ["d2", "d3"]);
    assert.deepEqual(await names("/api/v3/device/service/name/nobody"), []);
  });

  it("pages 20 by default, all with limit=-1, newest first, and answers 416 past the end", async () => {
    const devices = Array.from({ length: 25 }, (_, i) => device(`dev-${String(i).padStart(2, "0")}`, "svc-a", "p1", { labels: i % 2 === 0 ? ["even"] : ["odd"] }));
    for (const d of devices) await mustBatch(m, "POST", "/api/v3/device", "device", [d]);
    const first = await call<DevicesBody>(m, "GET", "/api/v3/device/all");
    assert.equal(first.body.totalCount, 25);
    assert.equal(first.body.devices.length, 20);
    assert.equal(first.body.devices[0]!.name, "dev-24");
    const rest = await call<DevicesBody>(m, "GET", "/api/v3/device/all?offset=20&limit=10");
    assert.deepEqual(rest.body.devices.map((d) => d.name), ["dev-04", "dev-03", "dev-02", "dev-01", "dev-00"]);
    const all = await call<DevicesBody>(m, "GET", "/api/v3/device/all?limit=-1");
    assert.equal(all.body.devices.length, 25);
    const even = await call<DevicesBody>(m, "GET", "/api/v3/device/all?labels=even&limit=-1");
    assert.equal(even.body.totalCount, 13);
    assert.ok(even.body.devices.every((d) => d.labels?.includes("even")));
    const past = await call(m, "GET", "/api/v3/device/all?offset=25");
    assert.equal(past.status, 416);
    assert.equal(past.body.code, "RANGE_NOT_SATISFIABLE");
    const none = await call<DevicesBody>(m, "GET", "/api/v3/device/all?labels=none&offset=3");
    assert.equal(none.status, 200);
    assert.equal(none.body.totalCount, 0);
    assert.equal((await call(m, "GET", "/api/v3/device/all?limit=abc")).status, 400);
    assert.equal((await call(m, "GET", "/api/v3/device/all?offset=-1")).status, 400);
  });

  it("deletes a device", async () => {
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc-a", "p1")]);
    const res = await call(m, "DELETE", "/api/v3/device/name/d1");
    assert.equal(res.status, 200);
    assert.equal((await call(m, "GET", "/api/v3/device/name/d1")).status, 404);
    const again = await call(m, "DELETE", "/api/v3/device/name/d1");
    assert.equal(again.status, 404);
    assert.equal(again.body.code, "NOT_FOUND");
  });

  it("serves names that need URL escaping", async () => {
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("line 1 pump.A%2F", "svc-a", "p1")]);
    const res = await call<{ device: Device }>(m, "GET", `/api/v3/device/name/${encodeURIComponent("line 1 pump.A%2F")}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.device.name, "line 1 pump.A%2F");
  });
});
