import assert from "node:assert/strict";
import { ErrorCode, parseProvisionWatcher, validateProvisionWatcher } from "@brink/contracts";
import { clone, problemsOf, where } from "../helpers.js";

const VALID = {
  name: "modbus-watcher",
  serviceName: "device-modbus",
  identifiers: { Address: "10\\.0\\.0\\.[0-9]+" },
  blockingIdentifiers: { Port: ["503"] },
  discoveredDevice: { profileName: "Power-Meter", autoEvents: [{ interval: "5s", sourceName: "Energy" }] },
};

describe("validateProvisionWatcher", () => {
  it("accepts a valid watcher and defaults adminState of the watcher and its discoveredDevice", () => {
    const w = validateProvisionWatcher(clone(VALID));
    assert.equal(w.adminState, "UNLOCKED");
    assert.equal(w.discoveredDevice.adminState, "UNLOCKED");
    assert.deepEqual(w.identifiers, VALID.identifiers);
    assert.equal(w.discoveredDevice.autoEvents![0]!.onChange, false);
  });

  it("coerces blockingIdentifiers and identifiers given as numbers to strings", () => {
    const w = validateProvisionWatcher({ ...clone(VALID), identifiers: { Port: 502 }, blockingIdentifiers: { Port: [397, 398] } });
    assert.deepEqual(w.identifiers, { Port: "502" });
    assert.deepEqual(w.blockingIdentifiers, { Port: ["397", "398"] });
  });

  const bad: [string, Record<string, unknown>, string[]][] = [
    ["missing identifiers", { identifiers: undefined }, ["identifiers"]],
    ["identifier that is not a regular expression", { identifiers: { Address: "10.0.[0-9" } }, ["identifiers.Address"]],
    ["blockingIdentifiers not lists", { blockingIdentifiers: { Port: "503" } }, ["blockingIdentifiers.Port"]],
    ["name with +", { name: "a+b" }, ["name"]],
    ["missing serviceName", { serviceName: undefined }, ["serviceName"]],
    ["missing discoveredDevice", { discoveredDevice: undefined }, ["discoveredDevice"]],
    ["bad discoveredDevice autoEvent", { discoveredDevice: { autoEvents: [{ interval: "5 s", sourceName: "E" }] } }, ["discoveredDevice.autoEvents[0].interval"]],
    ["bad adminState", { adminState: "maybe" }, ["adminState"]],
  ];
  for (const [what, change, paths] of bad) {
    it(`reports ${what}`, () => {
      const body = JSON.parse(JSON.stringify({ ...clone(VALID), ...change })) as unknown;
      assert.deepEqual(where(problemsOf(() => validateProvisionWatcher(body), ErrorCode.ProvisionWatcherInvalid)), paths);
    });
  }
});

describe("parseProvisionWatcher", () => {
  it("reports problems with lines and takes serviceName from options", () => {
    const text = "name: w\nidentifiers:\n  Address: '[a-'\ndiscoveredDevice:\n  profileName: P\n";
    assert.deepEqual(where(problemsOf(() => parseProvisionWatcher(text), ErrorCode.ProvisionWatcherInvalid)), ["identifiers.Address@3"]);
    const ok = parseProvisionWatcher("name: w\nidentifiers: { Address: x }\ndiscoveredDevice: {}\n", { serviceName: "device-simple" });
    assert.equal(ok.serviceName, "device-simple");
  });
});
