/**
 * ModbusDriver against a real pymodbus TCP server holding the simulator's registers: every data type, both swaps,
 * bit addressing, strings, merged reads, writes checked with a bare modbus-serial client, exception and malformed
 * answers.
 */
import { strict as assert } from "node:assert";
import modbusSerial from "modbus-serial";
import type { ServiceError} from "@brink/contracts";
import { type DeviceProfile } from "@brink/contracts";
import { ModbusDriver, ModbusErrorCode, type ModbusRequest, type Transport, modbusSerialTransport } from "../src/index.js";
import { startPymodbusServer, type PymodbusServer } from "../../../test/harness/index.js";
import { SIMULATOR_UNIT, SIMULATOR_VALUES, fakeSdk, requestOf, simulatorProfile, tcpDevice, valueOf } from "./fixtures.js";

const ModbusRTU = modbusSerial.default;

/** Counts the requests the driver sends, by function code. */
function countingTransport(sent: ModbusRequest[]) {
  return (spec: Parameters<typeof modbusSerialTransport>[0]): Transport => {
    const t = modbusSerialTransport(spec);
    const send = t.send.bind(t);
    t.send = (unit, request, cb) => {
      sent.push(request);
      send(unit, request, cb);
    };
    return t;
  };
}

describe("ModbusDriver against pymodbus (TCP)", function () {
  this.timeout(20_000);
  let server: PymodbusServer;
  let profile: DeviceProfile;
  let driver: ModbusDriver;
  const sent: ModbusRequest[] = [];
  let raw: InstanceType<typeof ModbusRTU>;

  before(async () => {
    server = await startPymodbusServer({ units: { 1: SIMULATOR_UNIT, 2: {}, 5: {}, 7: SIMULATOR_UNIT, 8: SIMULATOR_UNIT }, faults: { 5: "busy", 7: "garbage", 8: "slow:300" } });
    profile = simulatorProfile();
    driver = new ModbusDriver({ transport: countingTransport(sent) });
    driver.initialize(fakeSdk([profile]));
    await driver.start();
    raw = new ModbusRTU();
    await raw.connectTCP("127.0.0.1", { port: server.ports[0]! });
    raw.setID(1);
    raw.setTimeout(2000);
  });

  after(async () => {
    await driver?.stop({ force: true });
    raw?.close(() => undefined);
    await server?.stop();
  });

  const device = () => tcpDevice("sim", server.ports[0]!);

  it("reads every resource as the value the server holds, in the JS type of its value type", async () => {
    for (const [name, expected] of Object.entries(SIMULATOR_VALUES)) {
      const [v] = await driver.read(device(), [requestOf(profile, name)]);
      assert.equal(v!.resourceName, name);
      assert.deepEqual(v!.value, expected, `${name}: read ${String(v!.value)}, server holds ${String(expected)}`);
    }
  });

  it("reads 34 resources in 4 requests (one per table), in request order", async () => {
    const names = Object.keys(SIMULATOR_VALUES);
    sent.length = 0;
    const values = await driver.read(device(), names.map((n) => requestOf(profile, n)));
    assert.deepEqual(values.map((v) => v.resourceName), names);
    assert.deepEqual(Object.fromEntries(values.map((v) => [v.resourceName, v.value])), SIMULATOR_VALUES);
    // HR 0..52 (gaps of at most 10 bridged), IR 0..4, coils 0..2, coil 20, DI 0..1: coils 0-2 and 20 are 18 bits
    // apart (max gap 32), so they share a request too.
    assert.deepEqual(
      sent.map((r) => [r.fc, r.address, "count" in r ? r.count : -1]),
      [
        [3, 0, 53],
        [4, 0, 5],
        [1, 0, 21],
        [2, 0, 2],
      ],
    );
  });

  it("merges reads of one device made in the same tick (AutoEvents due together)", async () => {
    sent.length = 0;
    const [a, b, c] = await Promise.all([
      driver.read(device(), [requestOf(profile, "u16")]),
      driver.read(device(), [requestOf(profile, "f32"), requestOf(profile, "i16")]),
      driver.read(device(), [requestOf(profile, "u16")]),
    ]);
    assert.deepEqual(a!.map((v) => v.value), [65000]);
    assert.deepEqual(b!.map((v) => v.value), [3.25, -1234]);
    assert.deepEqual(c!.map((v) => v.value), [65000]);
    assert.equal(sent.length, 1, "one request for the three reads");
  });

  it("readValues answers the values read answers, alone and in request order", async () => {
    const names = Object.keys(SIMULATOR_VALUES);
    const requests = names.map((n) => requestOf(profile, n));
    sent.length = 0;
    const values = await driver.readValues(device(), requests);
    assert.deepEqual(values, Object.values(SIMULATOR_VALUES));
    assert.equal(sent.length, 4, "the same 4 requests as read");
    const viaRead = await driver.read(device(), requests);
    assert.deepEqual(values, viaRead.map((v) => v.value));
  });

  it("merges readValues and read calls of one device made in the same tick, each answered in its own form", async () => {
    sent.length = 0;
    const [a, b, c] = await Promise.all([
      driver.readValues(device(), [requestOf(profile, "i16"), requestOf(profile, "u16")]),
      driver.read(device(), [requestOf(profile, "f32")]),
      driver.readValues(device(), [requestOf(profile, "u16")]),
    ]);
    assert.deepEqual(a, [-1234, 65000]);
    assert.deepEqual(b!.map((v) => [v.resourceName, v.value]), [["f32", 3.25]]);
    assert.deepEqual(c, [65000]);
    assert.equal(sent.length, 1, "one request for the three reads");
  });

  it("fails a readValues call with the exception of its request, and only that call when merged", async () => {
    await assert.rejects(driver.readValues(device(), [requestOf(profile, "u16"), requestOf(profile, "missing")]), (e: ServiceError) => {
      assert.equal(e.code, ModbusErrorCode.IllegalDataAddress);
      return true;
    });
    const [bad, ok] = await Promise.allSettled([
      driver.readValues(device(), [requestOf(profile, "missing")]),
      driver.readValues(device(), [requestOf(profile, "u16")]),
    ]);
    assert.equal(bad.status, "rejected");
    assert.equal(((bad as PromiseRejectedResult).reason as ServiceError).code, ModbusErrorCode.IllegalDataAddress);
    assert.deepEqual((ok as PromiseFulfilledResult<unknown[]>).value, [65000]);
  });

  it("sends one request per resource with merging off", async () => {
    const unmerged = new ModbusDriver({ transport: countingTransport(sent), config: { merge: false } });
    unmerged.initialize(fakeSdk([profile]));
    await unmerged.start();
    try {
      sent.length = 0;
      const values = await unmerged.read(device(), ["u16", "i16", "u32"].map((n) => requestOf(profile, n)));
      assert.deepEqual(values.map((v) => v.value), [65000, -1234, 4_000_000_000]);
      assert.equal(sent.length, 3);
    } finally {
      await unmerged.stop({ force: false });
    }
  });

  it("writes every register type (functions 6 and 16) and the server holds the encoded words", async () => {
    const writes: [string, number | bigint | string, number, number[]][] = [
      ["setpoint", 215, 50, [215]],
      ["target", -2, 51, [0xffff, 0xfffe]],
      ["u64", 18446744073709551615n, 8, [0xffff, 0xffff, 0xffff, 0xffff]],
      ["i64", -2n, 12, [0xffff, 0xffff, 0xffff, 0xfffe]],
      ["f64", 1.5, 16, [0x3ff8, 0, 0, 0]],
      ["f32WordSwap", 3.25, 22, [0x0000, 0x4050]],
      ["f32ByteSwap", 3.25, 20, [0x5040, 0x0000]],
      ["i32BothSwaps", 1, 24, [0x0100, 0x0000]],
      ["label", "Hi", 40, [0x4869, 0, 0, 0, 0]],
      ["serial", "AB", 45, [0x4241, 0, 0, 0]],
      ["i8", -1, 33, [0xffff]],
    ];
    for (const [name, value, address, words] of writes) {
      const r = requestOf(profile, name);
      await driver.write(device(), [r], [valueOf(r, value)]);
      const held = await raw.readHoldingRegisters(address, words.length);
      assert.deepEqual(held.data, words, `${name}`);
      const [back] = await driver.read(device(), [r]);
      assert.deepEqual(back!.value, value, `${name} reads back`);
    }
  });

  it("writes one bit of a register by read-modify-write, leaving the other bits", async () => {
    const overheat = requestOf(profile, "overheat");
    await driver.write(device(), [overheat], [valueOf(overheat, true)]);
    assert.deepEqual((await raw.readHoldingRegisters(32, 1)).data, [0x8009 | 0x0400]);
    const fault = requestOf(profile, "fault");
    await driver.write(device(), [fault], [valueOf(fault, false)]);
    assert.deepEqual((await raw.readHoldingRegisters(32, 1)).data, [0x0409]);
  });

  it("writes one coil with function 5 and adjacent coils with function 15", async () => {
    const relays = ["relay1", "relay2", "relay3"].map((n) => requestOf(profile, n));
    sent.length = 0;
    await driver.write(device(), relays, relays.map((r, i) => valueOf(r, i !== 0)));
    assert.deepEqual(sent.map((r) => r.fc), [15]);
    assert.deepEqual((await raw.readCoils(0, 3)).data.slice(0, 3), [false, true, true]);
    const pump = requestOf(profile, "pump");
    sent.length = 0;
    await driver.write(device(), [pump], [valueOf(pump, false)]);
    assert.deepEqual(sent.map((r) => r.fc), [5]);
    assert.deepEqual((await raw.readCoils(20, 1)).data.slice(0, 1), [false]);
  });

  it("refuses writes to input registers and discrete inputs before sending anything", async () => {
    sent.length = 0;
    for (const name of ["voltage", "doorOpen"]) {
      const r = requestOf(profile, name);
      await assert.rejects(driver.write(device(), [r], [valueOf(r, name === "voltage" ? 1 : true)]), (e: ServiceError) => e.code === ModbusErrorCode.ReadOnlyTable);
    }
    const s = requestOf(profile, "label");
    await assert.rejects(driver.write(device(), [s], [valueOf(s, "this is longer than ten bytes")]), (e: ServiceError) => e.code === ModbusErrorCode.ValueInvalid);
    assert.equal(sent.length, 0);
  });

  it("names the exception of an exception answer: ILLEGAL DATA ADDRESS, SERVER DEVICE BUSY", async () => {
    await assert.rejects(driver.read(device(), [requestOf(profile, "missing")]), (e: ServiceError) => {
      assert.equal(e.code, ModbusErrorCode.IllegalDataAddress);
      assert.equal(e.kind, "ContractInvalid");
      assert.equal(e.details?.exception, "ILLEGAL DATA ADDRESS");
      assert.match(e.message, /ILLEGAL DATA ADDRESS/);
      return true;
    });
    const busy = tcpDevice("busy", server.ports[0]!, { unitId: 5 });
    await assert.rejects(driver.read(busy, [requestOf(profile, "u16")]), (e: ServiceError) => {
      assert.equal(e.code, ModbusErrorCode.DeviceBusy);
      assert.equal(e.details?.exceptionCode, 6);
      assert.match(e.message, /SERVER DEVICE BUSY/);
      return true;
    });
  });

  it("fails only the reads that asked for a missing register when reads are merged, and stops merging it", async () => {
    // HR 998 exists, HR 1003 does not (the server holds 1000 registers); 4 registers apart, they are merged.
    const u16 = requestOf(profile, "u16").resource;
    const at = (name: string, address: number) => {
      const resource = { ...u16, name, attributes: { primaryTable: "HOLDING_REGISTERS", startingAddress: address } };
      return { resourceName: name, attributes: resource.attributes, valueType: "Uint16" as const, resource };
    };
    const edge = at("edge", 998);
    const beyond = at("beyond", 1003);
    const dev = tcpDevice("edge-device", server.ports[0]!);
    sent.length = 0;
    const [ok, bad] = await Promise.allSettled([driver.read(dev, [edge]), driver.read(dev, [beyond])]);
    assert.equal(ok.status, "fulfilled");
    assert.deepEqual((ok as PromiseFulfilledResult<{ value: unknown }[]>).value.map((v) => v.value), [0]);
    assert.equal(bad.status, "rejected");
    assert.equal(((bad as PromiseRejectedResult).reason as ServiceError).code, ModbusErrorCode.IllegalDataAddress);
    assert.deepEqual(sent.map((r) => [r.address, "count" in r ? r.count : -1]), [[998, 6], [998, 1], [1003, 1]], "merged, then one at a time");
    sent.length = 0;
    await Promise.allSettled([driver.read(dev, [edge]), driver.read(dev, [beyond])]);
    assert.deepEqual(sent.map((r) => [r.address, "count" in r ? r.count : -1]), [[998, 1], [1003, 1]], "no longer merged");
  });

  it("reports a malformed answer as MODBUS_MALFORMED_RESPONSE and recovers on a fresh connection", async () => {
    const garbage = tcpDevice("garbage", server.ports[0]!, { unitId: 7 });
    await assert.rejects(driver.read(garbage, [requestOf(profile, "f32"), requestOf(profile, "u16")]), (e: ServiceError) => e.code === ModbusErrorCode.MalformedResponse);
    const [v] = await driver.read(device(), [requestOf(profile, "u16")]);
    assert.equal(v!.value, 65000);
  });

  it("times out a unit that does not answer within its Timeout, and the next read of another unit works", async () => {
    const silent = tcpDevice("silent", server.ports[0]!, { unitId: 9, timeout: "150ms" });
    await assert.rejects(driver.read(silent, [requestOf(profile, "u16")]), (e: ServiceError) => e.code === ModbusErrorCode.Timeout && e.kind === "Timeout");
    const [v] = await driver.read(device(), [requestOf(profile, "u16")]);
    assert.equal(v!.value, 65000);
  });

  it("waits for a slow unit within its Timeout, and times it out beyond", async () => {
    const patient = tcpDevice("slow-patient", server.ports[0]!, { unitId: 8, timeout: "2s" });
    const [v] = await driver.read(patient, [requestOf(profile, "u16")]);
    assert.equal(v!.value, 65000);
    const hasty = tcpDevice("slow-hasty", server.ports[0]!, { unitId: 8, timeout: "100ms" });
    await assert.rejects(driver.read(hasty, [requestOf(profile, "u16")]), (e: ServiceError) => e.code === ModbusErrorCode.Timeout);
    // The late answer to the timed-out request is told apart by its transaction id: the next read gets its own.
    const [w] = await driver.read(patient, [requestOf(profile, "i16")]);
    assert.equal(w!.value, -1234);
  });

  it("rejects attributes it cannot read with MODBUS_ATTRIBUTE_INVALID", async () => {
    const bad = { ...requestOf(profile, "u16"), resource: { ...requestOf(profile, "u16").resource, attributes: { primaryTable: "REGISTERS", startingAddress: 1 } } };
    await assert.rejects(driver.read(device(), [bad]), (e: ServiceError) => e.code === ModbusErrorCode.AttributeInvalid && e.kind === "ContractInvalid");
  });
});
