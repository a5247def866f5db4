/** The device SDK's driver conformance suite, run against OpcuaDriver and a real node-opcua server. */
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { freePort, startOpcuaServer, type OpcuaServer } from "../../../test/harness/index.js";
import { OpcuaDriver } from "../src/driver.js";
import { EDGEX_PROFILE, edgexProfile, opcuaDevice, testProfile } from "./fixtures.js";

// The suite's options are read when it registers, so the server listens on a port chosen now.
const port = await freePort();
const closedPort = await freePort();
const endpoint = `opc.tcp://127.0.0.1:${port}/UA/Brink`;
let server: OpcuaServer | undefined;

describe("device-opcua conformance peer", function () {
  this.timeout(30_000);
  before(async () => {
    server = await startOpcuaServer({ port });
  });
  after(async () => {
    await server?.stop();
  });

  driverConformanceSuite({
    name: "OpcuaDriver (Brink-OPCUA-TestServer)",
    createDriver: () => new OpcuaDriver(),
    device: opcuaDevice("conformance", endpoint),
    profile: testProfile(),
    readable: ["Boolean", "SByte", "UInt16", "Int64", "UInt64", "Float", "Double", "String", "ByteString", "Int32Array", "UInt64Array", "StringArray", "Counter", "Multiply"],
    writable: [
      { resource: "Int32", value: -7 },
      { resource: "UInt64", value: 18_446_744_073_709_551_615n },
      { resource: "Float", value: 0.25 },
      { resource: "String", value: "conformance" },
      { resource: "DoubleArray", value: [1.5, -2.5] },
      { resource: "BooleanArray", value: [false, true] },
    ],
    unreachableDevice: opcuaDevice("unreachable", `opc.tcp://127.0.0.1:${closedPort}/UA/Brink`),
    unreachableTimeoutMs: 5000,
    driverConfig: { reconnectMinDelayMs: 100, reconnectMaxDelayMs: 500 },
  });

  driverConformanceSuite({
    name: "OpcuaDriver (EdgeX OPCUA-Server profile)",
    createDriver: () => new OpcuaDriver(),
    device: opcuaDevice("SimulationServer", endpoint, {}, EDGEX_PROFILE),
    profile: edgexProfile(),
    readable: ["Constant", "Counter", "Random"],
    writable: [{ resource: "Constant", value: 3.25 }],
  });
});
