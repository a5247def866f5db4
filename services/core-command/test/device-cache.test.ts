import { strict as assert } from "node:assert";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, type Device, type DeviceProfile, type SystemEvent } from "@brink/contracts";
import { DeviceCache, type MetadataLookup } from "../src/device-cache.js";

/** An in-memory core-metadata that counts lookups. */
class CountingLookup implements MetadataLookup {
  readonly devices = new Map<string, Device>();
  readonly profiles = new Map<string, DeviceProfile>();
  deviceCalls = 0;
  profileCalls = 0;

  async deviceByName(name: string): Promise<Device> {
    this.deviceCalls++;
    const d = this.devices.get(name);
    if (!d) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no device ${name}`);
    return structuredClone(d);
  }

  async profileByName(name: string): Promise<DeviceProfile> {
    this.profileCalls++;
    const p = this.profiles.get(name);
    if (!p) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no profile ${name}`);
    return structuredClone(p);
  }
}

function device(name: string, extra: Partial<Device> = {}): Device {
  return { id: `id-${name}`, name, adminState: "UNLOCKED", operatingState: "UP", serviceName: "svc", profileName: "P", protocols: {}, ...extra };
}

function event(type: SystemEvent["type"], details: unknown): SystemEvent {
  return { apiVersion: API_VERSION, type, action: "update", source: "core-metadata", owner: "svc", details, timestamp: 1n };
}

describe("DeviceCache", () => {
  let lookup: CountingLookup;
  let clock: number;

  beforeEach(() => {
    lookup = new CountingLookup();
    lookup.devices.set("d1", device("d1"));
    lookup.profiles.set("P", { name: "P", deviceResources: [] });
    clock = 0;
  });

  const cacheWith = (ttlMs: number) => new DeviceCache(lookup, { ttlMs, now: () => clock });

  it("asks core-metadata once per TTL, however many requests come", async () => {
    const cache = cacheWith(1000);
    await Promise.all([cache.deviceWithProfile("d1"), cache.deviceWithProfile("d1"), cache.deviceWithProfile("d1")]);
    await cache.deviceWithProfile("d1");
    assert.equal(lookup.deviceCalls, 1);
    assert.equal(lookup.profileCalls, 1);
    clock = 1001;
    await cache.deviceWithProfile("d1");
    assert.equal(lookup.deviceCalls, 2);
    assert.equal(lookup.profileCalls, 2);
  });

  it("does not cache with a TTL of 0", async () => {
    const cache = cacheWith(0);
    await cache.deviceWithProfile("d1");
    await cache.deviceWithProfile("d1");
    assert.equal(lookup.deviceCalls, 2);
  });

  it("does not cache failures", async () => {
    const cache = cacheWith(1000);
    await assert.rejects(cache.device("d2"), (err: unknown) => err instanceof ServiceError && err.code === ErrorCode.NotFound);
    lookup.devices.set("d2", device("d2"));
    assert.equal((await cache.device("d2")).name, "d2");
    assert.equal(lookup.deviceCalls, 2);
  });

  it("drops a device on its system event, and a profile on its own", async () => {
    const cache = cacheWith(60_000);
    await cache.deviceWithProfile("d1");
    lookup.devices.set("d1", device("d1", { adminState: "LOCKED" }));
    assert.equal((await cache.device("d1")).adminState, "UNLOCKED", "still cached");
    cache.onSystemEvent(event("device", lookup.devices.get("d1")));
    assert.equal((await cache.device("d1")).adminState, "LOCKED");

    lookup.profiles.set("P", { name: "P", deviceResources: [{ name: "R", properties: { valueType: "Bool", readWrite: "R" } }] });
    cache.onSystemEvent(event("deviceservice", { name: "svc" }));
    assert.equal((await cache.profile("P")).deviceResources.length, 0, "a device service event leaves profiles alone");
    cache.onSystemEvent(event("deviceprofile", lookup.profiles.get("P")));
    assert.equal((await cache.profile("P")).deviceResources.length, 1);
  });

  it("drops a renamed device's old entry by id", async () => {
    const cache = cacheWith(60_000);
    await cache.device("d1");
    lookup.devices.delete("d1");
    cache.onSystemEvent(event("device", device("renamed", { id: "id-d1" })));
    // The old entry is dropped once its settled value is checked.
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(cache.device("d1"), (err: unknown) => err instanceof ServiceError && err.code === ErrorCode.NotFound);
  });

  it("clears everything on an event it cannot read", async () => {
    const cache = cacheWith(60_000);
    await cache.deviceWithProfile("d1");
    cache.onSystemEvent(event("device", "garbage"));
    await cache.deviceWithProfile("d1");
    assert.equal(lookup.deviceCalls, 2);
    assert.equal(lookup.profileCalls, 2);
  });
});
