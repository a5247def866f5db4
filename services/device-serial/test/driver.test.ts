/**
 * SerialDriver against the simulated text instrument on a real socat pty pair: polled reads, shared exchanges,
 * writes, refusals, timeouts, streaming through garbage, partial frames and bad checksums, and two units sharing
 * one RS-485 port.
 */
import { strict as assert } from "node:assert";
import { ErrorKind, type Device } from "@brink/contracts";
import { SerialDriver } from "../src/driver.js";
import { SerialError, SerialErrorCode } from "../src/errors.js";
import { startSerialInstrument, startSerialPair, waitFor, type SerialInstrument, type SerialPair } from "../../../test/harness/index.js";
import { RecordingSdk, SERIAL_BLOCKS, deviceOn, loadProfile, requestOf, valueOf } from "./fixtures.js";

const isSerial = (code: string) => (err: unknown) => err instanceof SerialError && err.code === code;

describe("SerialDriver with the simulated instrument", function () {
  this.timeout(30_000);
  const profile = loadProfile("instrument");
  let pair: SerialPair;
  let sim: SerialInstrument;
  let unit1: Device;
  let unit2: Device;
  let sdk: RecordingSdk;
  let driver: SerialDriver;

  before(async () => {
    pair = await startSerialPair();
    sim = await startSerialInstrument({ path: pair.b, protocol: "sim", units: [1, 2], checksum: true });
    unit1 = deviceOn("unit-1", profile, pair.a, SERIAL_BLOCKS.instrument);
    unit2 = deviceOn("unit-2", profile, pair.a, { ...SERIAL_BLOCKS.instrument, unit: "02" });
    sdk = new RecordingSdk([unit1, unit2], [profile]);
    driver = new SerialDriver();
    driver.initialize(sdk);
    await driver.start();
  });

  after(async () => {
    await driver?.stop({ force: true });
    await sim?.stop();
    await pair?.stop();
  });

  const read = (device: Device, ...names: string[]) => driver.read(device, names.map((n) => requestOf(profile, n)));
  const stats = () => driver.portStats()[pair.a]!;

  it("reads polled resources of every kind, in request order", async () => {
    const values = await read(unit1, "Identity", "Temperature", "Humidity", "Offset", "Counter", "Mode");
    assert.deepEqual(
      values.map((v) => [v.resourceName, v.value]),
      [["Identity", "BRINK,SIM-100,SN0001,1.0"], ["Temperature", 21.5], ["Humidity", 45.25], ["Offset", -3], ["Counter", 1000], ["Mode", "run"]],
    );
  });

  it("sends one request for resources answered by the same frame", async () => {
    const before = (await sim.received()).length;
    const values = await read(unit1, "StatusTemperature", "StatusOk", "Alarms", "Status");
    assert.deepEqual(values.map((v) => v.value), [21.5, true, [3, 7], { temperature: 21.5, humidity: 45.25, status: { ok: true, mode: "run" }, alarms: [3, 7] }]);
    assert.deepEqual((await sim.received()).slice(before), ["01:JSON?"]);
  });

  it("keeps two units on one port apart by their addresses", async () => {
    const [one, two] = await Promise.all([read(unit1, "Humidity"), read(unit2, "Humidity")]);
    assert.equal(one[0]!.value, 45.25);
    assert.equal(two[0]!.value, 452.5);
    assert.equal(Object.keys(driver.portStats()).length, 1, "one channel for both units");
  });

  it("writes through the write template and reads the value back", async () => {
    await driver.write(unit1, [requestOf(profile, "Temperature")], [valueOf(profile, "Temperature", Math.fround(22.7))]);
    await driver.write(unit1, [requestOf(profile, "Mode")], [valueOf(profile, "Mode", "service")]);
    await driver.write(unit1, [requestOf(profile, "Humidity")], [valueOf(profile, "Humidity", 50.125)]);
    const received = await sim.received();
    assert.ok(received.includes("01:SET 1 22.7"), "Float32 written in its shortest form");
    assert.ok(received.includes("01:SET 2 50.13"), "the {value:.2f} format rounds");
    const values = await read(unit1, "Temperature", "Mode");
    assert.deepEqual(values.map((v) => v.value), [Math.fround(22.7), "service"]);
  });

  it("fails with SERIAL_DEVICE_REFUSED when the device answers with the error pattern", async () => {
    await assert.rejects(read(unit1, "Missing"), (err: unknown) => isSerial(SerialErrorCode.DeviceRefused)(err) && (err as SerialError).kind === ErrorKind.ContractInvalid);
  });

  it("refuses writes to resources without a write template, and values the template cannot hold", async () => {
    await assert.rejects(driver.write(unit1, [requestOf(profile, "Counter")], [valueOf(profile, "Counter", 1)]), isSerial(SerialErrorCode.NotWritable));
    await assert.rejects(driver.write(unit1, [requestOf(profile, "Offset")], [valueOf(profile, "Offset", 1.5)]), isSerial(SerialErrorCode.ValueInvalid));
  });

  it("fails with SERIAL_TIMEOUT when the device stops answering, and reads again once it answers", async () => {
    await sim.silence(true);
    try {
      await assert.rejects(read(unit1, "Temperature"), (err: unknown) => isSerial(SerialErrorCode.Timeout)(err) && (err as SerialError).kind === ErrorKind.Timeout);
    } finally {
      await sim.silence(false);
    }
    assert.equal((await read(unit1, "Counter"))[0]!.value, 1000);
  });

  it("turns streamed frames into pushed values, through garbage, partial frames and bad checksums", async () => {
    const base = stats();
    sdk.pushed.length = 0;
    await sim.inject("\x00\xff garbage line\r\n01:DATA,99,1");
    await sim.corrupt(3);
    await sim.burst(20);
    await waitFor(() => sdk.pushed.length >= 17, { timeoutMs: 5000, message: "17 good frames pushed" });
    const after = stats();
    assert.equal(sdk.pushed.length, 17);
    assert.ok(sdk.pushed.every((p) => p.device === "unit-1" && p.source === "Stream" && p.values.length === 3));
    assert.deepEqual(sdk.pushed[0]!.values.map((v) => v.resourceName), ["StreamSequence", "StreamTemperature", "StreamHumidity"]);
    assert.ok(sdk.pushed.every((p) => typeof p.values[0]!.origin === "bigint"));
    // The garbage line fails its checksum; the partial frame glues onto the first streamed frame (also the first of the
    // three corrupted ones) and fails with it; two more corrupted frames fail.
    assert.equal(after.badChecksum - base.badChecksum, 4);
    const seqs = sdk.pushed.map((p) => p.values[0]!.value as number);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "in order");
  });

  it("serves a read of a streamed resource from the last streamed value", async () => {
    const last = sdk.pushed.at(-1)!.values.find((x) => x.resourceName === "StreamHumidity")!;
    const [v] = await read(unit1, "StreamHumidity");
    assert.equal(v!.value, 50.13, "the humidity written earlier");
    assert.equal(v!.origin, last.origin);
    assert.equal(typeof v!.origin, "bigint");
  });

  it("streams on request through a write, and stops", async () => {
    sdk.pushed.length = 0;
    await driver.write(unit1, [requestOf(profile, "StreamInterval")], [valueOf(profile, "StreamInterval", 20)]);
    await waitFor(() => sdk.pushed.length >= 3, { timeoutMs: 5000, message: "periodic stream" });
    await driver.write(unit1, [requestOf(profile, "StreamInterval")], [valueOf(profile, "StreamInterval", 0)]);
  });

  it("refuses a device that wants the same port with other settings", async () => {
    const other = deviceOn("unit-3", profile, pair.a, { ...SERIAL_BLOCKS.instrument, unit: "03", baudRate: 9600 });
    assert.throws(() => driver.validateDevice(other), isSerial(SerialErrorCode.PortConflict));
    await assert.rejects(read(other, "Temperature"), isSerial(SerialErrorCode.PortConflict));
  });

  it("fails a read of a port that does not exist at once with SERIAL_PORT_UNAVAILABLE", async () => {
    const nowhere = deviceOn("nowhere", profile, "/dev/brink-no-such-port", SERIAL_BLOCKS.instrument);
    await assert.rejects(read(nowhere, "Temperature"), (err: unknown) => isSerial(SerialErrorCode.PortUnavailable)(err) && (err as SerialError).kind === ErrorKind.Communication);
    assert.equal(sdk.lastState("nowhere"), "DOWN");
    await driver.onDeviceRemoved(nowhere);
  });

  it("rejects calls after stop", async () => {
    const d = new SerialDriver();
    d.initialize(new RecordingSdk([], [profile]));
    await d.start();
    await d.stop({ force: false });
    await assert.rejects(d.read(unit1, [requestOf(profile, "Temperature")]), isSerial(SerialErrorCode.Stopped));
  });
});
