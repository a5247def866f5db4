/** The device SDK's driver conformance suite, run against ModbusDriver with a real pymodbus TCP server. */
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { ModbusDriver } from "../src/index.js";
import { startPymodbusServer, type PymodbusServer } from "../../../test/harness/index.js";
import { SIMULATOR_UNIT, simulatorProfile, tcpDevice } from "./fixtures.js";

const profile = simulatorProfile();
let server: PymodbusServer | undefined;

describe("ModbusDriver with the SDK's conformance suite", () => {
  // The suite uses these device objects when its tests run, after this `before` has filled in the server's ports.
  const device = tcpDevice("conformance-sim", 0);
  const unreachable = tcpDevice("conformance-dead", 0, { timeout: "300ms" });

  before(async function () {
    this.timeout(20_000);
    server = await startPymodbusServer({ units: { 1: SIMULATOR_UNIT }, deadTcp: 1 });
    (device.protocols["modbus-tcp"] as Record<string, unknown>).Port = String(server.ports[0]);
    (unreachable.protocols["modbus-tcp"] as Record<string, unknown>).Port = String(server.deadPorts[0]);
  });

  after(async () => {
    await server?.stop();
  });

  driverConformanceSuite({
    name: "ModbusDriver (pymodbus TCP)",
    createDriver: () => new ModbusDriver(),
    device,
    profile,
    readable: ["u16", "i16", "u32", "i32", "f32", "u64", "i64", "f64", "alarm", "label", "relay1", "doorOpen", "voltage", "i8", "u8"],
    writable: [
      { resource: "setpoint", value: 215 },
      { resource: "target", value: -70_000 },
      { resource: "u64", value: 1n },
      { resource: "i64", value: -9_000_000_000_000_000_000n },
      { resource: "f64", value: 6.02214076e23 },
      { resource: "f32WordSwap", value: -0.5 },
      { resource: "label", value: "Brink" },
      { resource: "relay2", value: true },
      { resource: "running", value: false },
    ],
    unreachableDevice: unreachable,
    unreachableTimeoutMs: 3000,
  });
});
