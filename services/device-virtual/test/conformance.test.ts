/** The device SDK's driver conformance suite, run against VirtualDriver with EdgeX's virtual profiles and devices. */
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { VirtualDriver } from "../src/driver.js";
import { virtualDevices, virtualProfiles } from "./fixtures.js";

const profiles = virtualProfiles();
const devices = new Map(virtualDevices().map((d) => [d.name, d]));

driverConformanceSuite({
  name: "VirtualDriver (Random-Float-Device)",
  createDriver: () => new VirtualDriver(),
  device: devices.get("Random-Float-Device")!,
  profile: profiles.get("Random-Float-Device")!,
  readable: ["Float32", "Float64", "Float32Array", "Float64Array"],
  writable: [
    { resource: "Float32", value: 42.5 },
    { resource: "Float64", value: -1e-300 },
    { resource: "Float64Array", value: [1.5, -2, 0] },
  ],
});

driverConformanceSuite({
  name: "VirtualDriver (Random-Integer-Device)",
  createDriver: () => new VirtualDriver(),
  device: devices.get("Random-Integer-Device")!,
  profile: profiles.get("Random-Integer-Device")!,
  readable: ["Int8", "Int16", "Int32", "Int64", "Int8Array", "Int64Array"],
  writable: [
    { resource: "Int8", value: -128 },
    { resource: "Int64", value: 9223372036854775807n },
    { resource: "Int32Array", value: [1, -2, 3] },
  ],
});

driverConformanceSuite({
  name: "VirtualDriver (Random-Boolean-Device)",
  createDriver: () => new VirtualDriver(),
  device: devices.get("Random-Boolean-Device")!,
  profile: profiles.get("Random-Boolean-Device")!,
  readable: ["Bool", "BoolArray"],
  writable: [
    { resource: "Bool", value: false },
    { resource: "BoolArray", value: [true, false] },
  ],
});

driverConformanceSuite({
  name: "VirtualDriver (Random-Binary-Device)",
  createDriver: () => new VirtualDriver(),
  device: devices.get("Random-Binary-Device")!,
  profile: profiles.get("Random-Binary-Device")!,
  readable: ["Binary"],
  writable: [],
});

driverConformanceSuite({
  name: "VirtualDriver (Fixed-Object-Device)",
  createDriver: () => new VirtualDriver(),
  device: devices.get("Fixed-Object-Device")!,
  profile: profiles.get("Fixed-Object-Device")!,
  readable: ["Object", "ObjectArray"],
  writable: [
    { resource: "Object", value: { a: 1, b: { c: "d" } } },
    { resource: "ObjectArray", value: [{ a: 1 }, { a: 2 }] },
  ],
});
