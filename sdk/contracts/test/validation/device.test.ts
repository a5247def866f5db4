import assert from "node:assert/strict";
import { ErrorCode, parseDeviceList, validateDevice } from "@brink/contracts";
import { clone, problemsOf, where } from "../helpers.js";

const VALID = {
  name: "Boiler room.meter 1",
  serviceName: "device-modbus",
  profileName: "Power-Meter",
  protocols: { "modbus-tcp": { Address: "10.0.0.5", Port: 502, UnitID: 1 } },
  autoEvents: [{ interval: "1m30s", sourceName: "Energy", onChange: true, onChangeThreshold: 0.5 }],
};

type Body = typeof VALID & Record<string, unknown>;

function mutated(change: (d: Body) => void): Body {
  const d = clone(VALID) as Body;
  change(d);
  return d;
}

describe("validateDevice", () => {
  it("accepts a valid device, with spaces and dots in its name, and fills defaults", () => {
    const d = validateDevice(clone(VALID));
    assert.equal(d.name, "Boiler room.meter 1");
    assert.equal(d.adminState, "UNLOCKED");
    assert.equal(d.operatingState, "UP");
    assert.deepEqual(d.protocols, VALID.protocols);
    assert.deepEqual(d.autoEvents, VALID.autoEvents);
  });

  it("canonicalises states and defaults onChange", () => {
    const d = validateDevice(mutated((b) => {
      b.adminState = "locked";
      b.operatingState = "Down";
      b.autoEvents = [{ interval: "10s", sourceName: "Energy" } as (typeof VALID.autoEvents)[0]];
    }));
    assert.equal(d.adminState, "LOCKED");
    assert.equal(d.operatingState, "DOWN");
    assert.equal(d.autoEvents![0]!.onChange, false);
  });

  it("allows a device without a profile (ProfileScan)", () => {
    assert.equal(validateDevice(mutated((b) => delete (b as Partial<Body>).profileName)).profileName, "");
  });

  it("coerces a numeric-string onChangeThreshold", () => {
    assert.equal(validateDevice(mutated((b) => ((b.autoEvents[0] as Record<string, unknown>).onChangeThreshold = "2.5"))).autoEvents![0]!.onChangeThreshold, 2.5);
  });

  const bad: [string, (d: Body) => void, string][] = [
    ["missing name", (d) => delete (d as Partial<Body>).name, "name"],
    ["empty name", (d) => (d.name = ""), "name"],
    ["name with /", (d) => (d.name = "meter/1"), "name"],
    ["name with #", (d) => (d.name = "meter#1"), "name"],
    ["name with +", (d) => (d.name = "meter+1"), "name"],
    ["name with $", (d) => (d.name = "$meter"), "name"],
    ["missing serviceName", (d) => delete (d as Partial<Body>).serviceName, "serviceName"],
    ["profileName with /", (d) => (d.profileName = "a/b"), "profileName"],
    ["bad adminState", (d) => (d.adminState = "OPEN"), "adminState"],
    ["bad operatingState", (d) => (d.operatingState = "RUNNING"), "operatingState"],
    ["missing protocols", (d) => delete (d as Partial<Body>).protocols, "protocols"],
    ["protocols not an object", (d) => ((d as Record<string, unknown>).protocols = "modbus"), "protocols"],
    ["protocol block not an object", (d) => ((d as Record<string, unknown>).protocols = { "modbus-tcp": "10.0.0.5" }), "protocols.modbus-tcp"],
    ["interval not a duration", (d) => (d.autoEvents[0]!.interval = "90"), "autoEvents[0].interval"],
    ["interval with unknown unit", (d) => (d.autoEvents[0]!.interval = "1d"), "autoEvents[0].interval"],
    ["zero interval", (d) => (d.autoEvents[0]!.interval = "0s"), "autoEvents[0].interval"],
    ["missing interval", (d) => delete (d.autoEvents[0] as Partial<(typeof VALID.autoEvents)[0]>).interval, "autoEvents[0].interval"],
    ["missing sourceName", (d) => delete (d.autoEvents[0] as Partial<(typeof VALID.autoEvents)[0]>).sourceName, "autoEvents[0].sourceName"],
    ["negative onChangeThreshold", (d) => (d.autoEvents[0]!.onChangeThreshold = -1), "autoEvents[0].onChangeThreshold"],
    ["non-numeric onChangeThreshold", (d) => ((d.autoEvents[0] as Record<string, unknown>).onChangeThreshold = "lots"), "autoEvents[0].onChangeThreshold"],
    ["autoEvents not a list", (d) => ((d as Record<string, unknown>).autoEvents = { interval: "1s" }), "autoEvents"],
    ["labels with an object", (d) => (d.labels = [{}]), "labels[0]"],
    ["id not a UUID", (d) => (d.id = "device-1"), "id"],
  ];
  for (const [what, change, path] of bad) {
    it(`reports ${what} at ${path}`, () => {
      assert.deepEqual(where(problemsOf(() => validateDevice(mutated(change)), ErrorCode.DeviceInvalid)), [path]);
    });
  }

  it("lists every problem", () => {
    const d = mutated((b) => {
      b.name = "a/b";
      b.adminState = "nope";
      b.autoEvents[0]!.interval = "soon";
      b.autoEvents[0]!.onChangeThreshold = -2;
    });
    assert.deepEqual(where(problemsOf(() => validateDevice(d), ErrorCode.DeviceInvalid)), [
      "name", "adminState", "autoEvents[0].interval", "autoEvents[0].onChangeThreshold",
    ]);
  });
});

describe("parseDeviceList", () => {
  it("parses a deviceList and gives entries the loading service's name", () => {
    const devices = parseDeviceList("deviceList:\n  - name: A\n    profileName: P\n    protocols: { other: { Address: x } }\n", { serviceName: "device-simple" });
    assert.equal(devices.length, 1);
    assert.equal(devices[0]!.serviceName, "device-simple");
    assert.equal(devices[0]!.adminState, "UNLOCKED");
  });

  it("reports every problem of every device with its path and line", () => {
    const text = [
      "deviceList:", //                          1
      "  - name: Good", //                       2
      "    profileName: P", //                   3
      "    protocols: { other: { a: 1 } }", //   4
      "  - name: Bad/Name", //                   5
      "    protocols:", //                       6
      "      other: { a: 1 }", //                7
      "    autoEvents:", //                      8
      "      - interval: 10x", //                9
      "        sourceName: S", //                10
      "  - name: Good", //                       11 duplicate
      "    adminState: SLEEPY", //               12
      "  - 42", //                               13
    ].join("\n");
    const problems = problemsOf(() => parseDeviceList(text), ErrorCode.DeviceInvalid);
    assert.deepEqual(where(problems), [
      "deviceList[1].name@5",
      "deviceList[1].autoEvents[0].interval@9",
      "deviceList[2].protocols@11",
      "deviceList[2].name@11",
      "deviceList[2].adminState@12",
      "deviceList[3]@13",
    ]);
  });

  it("requires a top-level deviceList", () => {
    assert.deepEqual(where(problemsOf(() => parseDeviceList("devices: []\n"), ErrorCode.DeviceInvalid)), ["deviceList@1"]);
  });

  it("reports unparseable text as YAML_MALFORMED", () => {
    problemsOf(() => parseDeviceList("deviceList:\n  - name: 'open\n"), ErrorCode.YamlMalformed);
  });
});
