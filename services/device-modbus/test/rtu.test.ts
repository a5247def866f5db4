/**
 * Modbus RTU over a socat pty pair against the pymodbus RTU server: reads of every type, writes, two units on one
 * line, a unit that does not answer, and a corrupted frame.
 */
import { strict as assert } from "node:assert";
import type { ServiceError} from "@brink/contracts";
import { type DeviceProfile } from "@brink/contracts";
import { ModbusDriver, ModbusErrorCode } from "../src/index.js";
import { startPymodbusServer, startSerialPair, type PymodbusServer, type SerialPair } from "../../../test/harness/index.js";
import { SIMULATOR_UNIT, SIMULATOR_VALUES, fakeSdk, requestOf, rtuDevice, simulatorProfile, valueOf } from "./fixtures.js";

describe("ModbusDriver over RTU (socat pty pair, pymodbus RTU server)", function () {
  this.timeout(30_000);
  let pair: SerialPair;
  let server: PymodbusServer;
  let profile: DeviceProfile;
  let driver: ModbusDriver;

  before(async () => {
    pair = await startSerialPair();
    server = await startPymodbusServer({ rtu: { device: pair.a, baudRate: 19200 }, units: { 1: SIMULATOR_UNIT, 2: SIMULATOR_UNIT, 7: SIMULATOR_UNIT }, faults: { 7: "garbage" } });
    profile = simulatorProfile();
    driver = new ModbusDriver();
    driver.initialize(fakeSdk([profile]));
    await driver.start();
  });

  after(async () => {
    await driver?.stop({ force: true });
    await server?.stop();
    await pair?.stop();
  });

  it("reads every resource as the value the server holds", async () => {
    const names = Object.keys(SIMULATOR_VALUES);
    const values = await driver.read(rtuDevice("rtu-1", pair.b), names.map((n) => requestOf(profile, n)));
    assert.deepEqual(Object.fromEntries(values.map((v) => [v.resourceName, v.value])), SIMULATOR_VALUES);
  });

  it("shares the line between two unit ids, one request at a time", async () => {
    const reads = await Promise.all([
      driver.read(rtuDevice("rtu-1", pair.b), [requestOf(profile, "f64"), requestOf(profile, "label")]),
      driver.read(rtuDevice("rtu-2", pair.b, { unitId: 2 }), [requestOf(profile, "i64"), requestOf(profile, "relay1")]),
    ]);
    assert.deepEqual(reads.map((vs) => vs.map((v) => v.value)), [
      [SIMULATOR_VALUES.f64, "Brink-Sim"],
      [SIMULATOR_VALUES.i64, true],
    ]);
  });

  it("writes registers and coils and reads them back", async () => {
    const device = rtuDevice("rtu-2", pair.b, { unitId: 2 });
    const target = requestOf(profile, "target");
    const relay2 = requestOf(profile, "relay2");
    await driver.write(device, [target, relay2], [valueOf(target, 123_456), valueOf(relay2, true)]);
    const back = await driver.read(device, [target, relay2]);
    assert.deepEqual(back.map((v) => v.value), [123_456, true]);
  });

  it("times out a silent unit and keeps serving the others on the line", async () => {
    await assert.rejects(driver.read(rtuDevice("rtu-9", pair.b, { unitId: 9, timeout: "200ms" }), [requestOf(profile, "u16")]), (e: ServiceError) => e.code === ModbusErrorCode.Timeout);
    const [v] = await driver.read(rtuDevice("rtu-1", pair.b), [requestOf(profile, "u16")]);
    assert.equal(v!.value, 65000);
  });

  it("reports a frame with a bad CRC as MODBUS_MALFORMED_RESPONSE, then reads on", async () => {
    await assert.rejects(driver.read(rtuDevice("rtu-7", pair.b, { unitId: 7 }), [requestOf(profile, "u16")]), (e: ServiceError) => e.code === ModbusErrorCode.MalformedResponse);
    const [v] = await driver.read(rtuDevice("rtu-1", pair.b), [requestOf(profile, "i16")]);
    assert.equal(v!.value, -1234);
  });

  it("refuses a second device on the same line at another speed", () => {
    assert.throws(() => driver.validateDevice(rtuDevice("rtu-fast", pair.b, { baudRate: 115200 })), (e: ServiceError) => e.code === ModbusErrorCode.ProtocolInvalid);
  });
});
