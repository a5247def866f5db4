import { strict as assert } from "node:assert";
import type { ProvisionWatcher } from "@brink/contracts";
import type { DiscoveredDeviceInfo } from "../../../src/driver.js";
import { deviceFromDiscovery, findWatcher, watcherMatches } from "../../../src/internal/discovery/provision.js";

function watcher(extra: Partial<ProvisionWatcher> = {}): ProvisionWatcher {
  return {
    name: "w",
    serviceName: "svc",
    identifiers: { Address: "10\\.0\\.0\\.[0-9]+", Port: "502" },
    blockingIdentifiers: { Address: ["10.0.0.13"] },
    adminState: "UNLOCKED",
    discoveredDevice: { profileName: "meter", adminState: "UNLOCKED", autoEvents: [{ interval: "10s", sourceName: "power" }], properties: { site: "A" } },
    ...extra,
  };
}

function info(name: string, address: string, port: string | number = "502"): DiscoveredDeviceInfo {
  return { name, protocols: { "modbus-tcp": { Address: address, Port: port } }, properties: { vendor: "acme" } };
}

describe("provision watchers", () => {
  const cases: [string, DiscoveredDeviceInfo, Partial<ProvisionWatcher>, boolean][] = [
    ["matches every identifier", info("m1", "10.0.0.12"), {}, true],
    ["matches numeric protocol values as text", info("m1", "10.0.0.12", 502), {}, true],
    ["anchors the regex (no partial match)", info("m1", "110.0.0.12"), {}, false],
    ["anchors the regex at the end", info("m1", "10.0.0.12x"), {}, false],
    ["needs every identifier", info("m1", "10.0.0.12", "503"), {}, false],
    ["blocks exact blocked values", info("m1", "10.0.0.13"), {}, false],
    ["needs the identifier property to exist", { name: "m1", protocols: { other: { Host: "10.0.0.12" } } }, {}, false],
    ["ignores LOCKED watchers", info("m1", "10.0.0.12"), { adminState: "LOCKED" }, false],
    ["matches nothing with an invalid pattern", info("m1", "10.0.0.12"), { identifiers: { Address: "(" } }, false],
    ["matches nothing without identifiers", info("m1", "10.0.0.12"), { identifiers: {} }, false],
    ["finds the property in any protocol block", { name: "m1", protocols: { a: { x: "1" }, b: { Address: "10.0.0.1", Port: "502" } } }, {}, true],
  ];
  for (const [name, i, extra, want] of cases) it(name, () => assert.equal(watcherMatches(watcher(extra), i), want));

  it("findWatcher returns the first accepting watcher", () => {
    const a = watcher({ name: "a", identifiers: { Address: "192\\..*" } });
    const b = watcher({ name: "b" });
    assert.equal(findWatcher([a, b], info("m", "10.0.0.1"))?.name, "b");
    assert.equal(findWatcher([a], info("m", "10.0.0.1")), undefined);
  });

  it("builds the device from the watcher's discoveredDevice", () => {
    const d = deviceFromDiscovery(info("m1", "10.0.0.12"), watcher(), "svc");
    assert.equal(d.name, "m1");
    assert.equal(d.serviceName, "svc");
    assert.equal(d.profileName, "meter");
    assert.equal(d.adminState, "UNLOCKED");
    assert.equal(d.operatingState, "UP");
    assert.deepEqual(d.autoEvents, [{ interval: "10s", sourceName: "power" }]);
    assert.deepEqual(d.protocols, { "modbus-tcp": { Address: "10.0.0.12", Port: "502" } });
    assert.deepEqual(d.properties, { vendor: "acme", site: "A" });
  });
});
