import { strict as assert } from "node:assert";
import type { ValueType } from "@brink/contracts";
import { FakeDriver, driverConformanceSuite, fakeDevice, fakeThermostatProfile, rawTypeProblem } from "@brink/device-sdk/testing";

driverConformanceSuite({
  name: "FakeDriver",
  createDriver: () => new FakeDriver(),
  device: fakeDevice("conformance-1", "conformance"),
  profile: fakeThermostatProfile(),
  readable: ["temperature", "setpoint", "mode", "counter", "status", "label", "raw", "hiddenValue"],
  writable: [
    { resource: "setpoint", value: 43.5 },
    { resource: "mode", value: 2 },
    { resource: "label", value: "kitchen" },
  ],
  unreachableDevice: fakeDevice("conformance-gone", "conformance", { protocols: { fake: { unreachable: "true", timeoutMs: 50 } } }),
  unreachableTimeoutMs: 2000,
});

describe("rawTypeProblem", () => {
  const ok: [ValueType, unknown][] = [
    ["Bool", true],
    ["Int32", -5],
    ["Int64", 5n],
    ["Uint64", 0n],
    ["Float32", 1.5],
    ["String", ""],
    ["Binary", new Uint8Array(1)],
    ["Uint16Array", [1, 2]],
    ["Object", {}],
    ["ObjectArray", [{}]],
  ];
  for (const [t, v] of ok) it(`accepts ${t}`, () => assert.equal(rawTypeProblem(t, v), undefined));
  const bad: [ValueType, unknown][] = [
    ["Int64", 5],
    ["Int32", 5n],
    ["Int8", 1.5],
    ["Uint8", 256],
    ["Float64", "1"],
    ["Bool", 0],
    ["Uint16Array", [1, -1]],
    ["Binary", [1]],
  ];
  for (const [t, v] of bad) it(`refuses ${t} ${String(v)}`, () => assert.notEqual(rawTypeProblem(t, v), undefined));
});
