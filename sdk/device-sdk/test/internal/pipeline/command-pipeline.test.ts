import { strict as assert } from "node:assert";
import { pino } from "pino";
import { ErrorKind, ServiceError, type Device, type Event, type OperatingState } from "@brink/contracts";
import type { CommandRequest, RawValue } from "../../../src/driver.js";
import { DeviceCache } from "../../../src/internal/cache/device-cache.js";
import { CommandPipeline } from "../../../src/internal/pipeline/command-pipeline.js";
import { DeviceHealth } from "../../../src/internal/pipeline/device-health.js";
import { FakeDriver } from "../../../src/testing/fake-driver.js";
import { fakeDevice, fakeThermostatProfile } from "../../../src/testing/fixtures.js";

async function rejectsWith(p: Promise<unknown>, code: string, kind?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ServiceError, String(err));
    assert.equal(err.code, code);
    if (kind !== undefined) assert.equal(err.kind, kind);
    return true;
  });
}

function valueOf(event: Event | undefined, resource: string): string | undefined {
  const r = event?.readings.find((x) => x.resourceName === resource);
  return r !== undefined && "value" in r ? r.value : undefined;
}

/** The FakeDriver answering reads through readValues too: the values alone, in request order. */
class PositionalFakeDriver extends FakeDriver {
  readonly positionalCalls: string[][] = [];
  async readValues(device: Device, requests: readonly CommandRequest[]): Promise<readonly RawValue[]> {
    this.positionalCalls.push(requests.map((r) => r.resourceName));
    return (await this.read(device, requests)).map((v) => v.value);
  }
}

function setup(options: { driverTimeoutMs?: number; maxConsecutiveFailures?: number; positional?: boolean } = {}) {
  const driver = options.positional === true ? new PositionalFakeDriver() : new FakeDriver();
  const cache = new DeviceCache();
  cache.putProfile(fakeThermostatProfile());
  cache.putDevice(fakeDevice("t1", "svc"));
  cache.putDevice(fakeDevice("t2", "svc"));
  const published: Event[] = [];
  const stateChanges: [string, OperatingState][] = [];
  let serviceLocked = false;
  const health = new DeviceHealth({
    maxConsecutiveFailures: options.maxConsecutiveFailures ?? 3,
    downProbeIntervalMs: 60_000,
    stateOf: (n) => cache.device(n)?.operatingState,
    setState: async (n, s) => {
      cache.setOperatingState(n, s);
      stateChanges.push([n, s]);
    },
  });
  const pipeline = new CommandPipeline({
    driver,
    cache,
    health,
    events: { publish: async (e) => void published.push(e) },
    logger: pino({ level: "silent" }),
    driverTimeoutMs: options.driverTimeoutMs ?? 1000,
    serviceLocked: () => serviceLocked,
  });
  return { driver, cache, pipeline, published, stateChanges, lockService: (v: boolean) => (serviceLocked = v) };
}

describe("CommandPipeline", () => {
  it("reads a resource through its transforms into an event", async () => {
    const t = setup();
    t.driver.set("t1", "temperature", 215);
    const event = await t.pipeline.executeRead("t1", "temperature");
    assert.ok(event);
    assert.equal(event.deviceName, "t1");
    assert.equal(event.sourceName, "temperature");
    assert.equal(event.profileName, "Brink-Fake-Thermostat");
    assert.equal(typeof event.origin, "bigint");
    assert.equal(valueOf(event, "temperature"), "2.15e+01");
    assert.equal(t.published.length, 0);
  });

  it("reads a command's resources in order with one driver call", async () => {
    const t = setup();
    t.driver.set("t1", "temperature", 200);
    t.driver.set("t1", "setpoint", 42);
    const event = await t.pipeline.executeRead("t1", "climate");
    assert.deepEqual(event?.readings.map((r) => r.resourceName), ["temperature", "setpoint"]);
    assert.equal(valueOf(event, "setpoint"), "2.1e+01");
    assert.deepEqual(t.driver.calls.map((c) => c.resources), [["temperature", "setpoint"]]);
  });

  it("applies mask and shift to unsigned raw values", async () => {
    const t = setup();
    t.driver.set("t1", "raw", 0xab12);
    assert.equal(valueOf(await t.pipeline.executeRead("t1", "raw"), "raw"), String(0xab));
  });

  it("publishes with pushEvent and returns nothing with returnEvent false", async () => {
    const t = setup();
    const none = await t.pipeline.executeRead("t1", "counter", { pushEvent: true, returnEvent: false });
    assert.equal(none, undefined);
    assert.equal(t.published.length, 1);
    assert.equal(t.published[0]?.sourceName, "counter");
  });

  it("writes through the inverse transforms and publishes the written values", async () => {
    const t = setup();
    await t.pipeline.executeWrite("t1", "setpoint", { setpoint: "21.5" });
    assert.equal(t.driver.get("t1", "setpoint"), 43);
    assert.equal(t.published.length, 1);
    assert.equal(valueOf(t.published[0], "setpoint"), "2.15e+01");
  });

  it("maps written values back to raw ones and read values to mapped ones", async () => {
    const t = setup();
    await t.pipeline.executeWrite("t1", "operatingMode", { mode: "COOL" });
    assert.equal(t.driver.get("t1", "mode"), 2);
    assert.equal(valueOf(t.published[0], "mode"), "COOL");
    const event = await t.pipeline.executeRead("t1", "operatingMode");
    assert.equal(event?.readings[0]?.valueType, "String");
    assert.equal(valueOf(event, "mode"), "COOL");
    await t.pipeline.executeWrite("t1", "operatingMode", { mode: "1" });
    assert.equal(t.driver.get("t1", "mode"), 1);
  });

  it("uses the resource operation's defaultValue, then the resource's, for absent values", async () => {
    const t = setup();
    await t.pipeline.executeWrite("t1", "configure", { setpoint: 20 });
    assert.equal(t.driver.get("t1", "label"), "auto");
    await t.pipeline.executeWrite("t1", "label", {});
    assert.equal(t.driver.get("t1", "label"), "none");
    assert.equal(t.published.length, 1, "write-only commands publish nothing");
  });

  it("refuses a missing value without default with VALUE_MISSING", async () => {
    const t = setup();
    await rejectsWith(t.pipeline.executeWrite("t1", "configure", {}), "VALUE_MISSING", ErrorKind.ContractInvalid);
    assert.equal(t.driver.count("write"), 0);
  });

  it("refuses wrong types and out-of-range values before calling the driver", async () => {
    const t = setup();
    await rejectsWith(t.pipeline.executeWrite("t1", "setpoint", { setpoint: "warm" }), "VALUE_INVALID", ErrorKind.ContractInvalid);
    await rejectsWith(t.pipeline.executeWrite("t1", "setpoint", { setpoint: 40 }), "VALUE_OUT_OF_RANGE", ErrorKind.ContractInvalid);
    await rejectsWith(t.pipeline.executeWrite("t1", "mode", { mode: 300 }), "VALUE_OUT_OF_RANGE");
    await rejectsWith(t.pipeline.executeWrite("t1", "mode", [1] as unknown as Record<string, unknown>), "VALUE_INVALID");
    assert.equal(t.driver.count("write"), 0);
  });

  it("refuses writes to read-only and reads of write-only sources with 405", async () => {
    const t = setup();
    await rejectsWith(t.pipeline.executeWrite("t1", "temperature", { temperature: 1 }), "READ_ONLY", ErrorKind.NotAllowed);
    await rejectsWith(t.pipeline.executeWrite("t1", "climate", {}), "READ_ONLY", ErrorKind.NotAllowed);
    await rejectsWith(t.pipeline.executeRead("t1", "pin"), "WRITE_ONLY", ErrorKind.NotAllowed);
    await rejectsWith(t.pipeline.executeRead("t1", "configure"), "WRITE_ONLY", ErrorKind.NotAllowed);
    assert.equal(t.driver.calls.length, 0);
  });

  it("answers 404 for unknown devices and sources", async () => {
    const t = setup();
    await rejectsWith(t.pipeline.executeRead("nope", "temperature"), "DEVICE_NOT_FOUND", ErrorKind.EntityDoesNotExist);
    await rejectsWith(t.pipeline.executeRead("t1", "nope"), "SOURCE_NOT_FOUND", ErrorKind.EntityDoesNotExist);
  });

  it("answers 423 LOCKED for a locked device or service", async () => {
    const t = setup();
    t.cache.setAdminState("t1", "LOCKED");
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "LOCKED", ErrorKind.ServiceLocked);
    t.lockService(true);
    await rejectsWith(t.pipeline.executeRead("t2", "temperature"), "LOCKED", ErrorKind.ServiceLocked);
    await rejectsWith(t.pipeline.executeWrite("t2", "setpoint", { setpoint: 20 }), "LOCKED", ErrorKind.ServiceLocked);
  });

  it("turns driver errors into 500 DRIVER_ERROR and keeps a driver's ServiceError", async () => {
    const t = setup();
    t.driver.fail("t1", new Error("bus fault"));
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "DRIVER_ERROR", ErrorKind.Server);
    t.driver.fail("t1", new ServiceError(ErrorKind.Communication, "MODBUS_EXCEPTION", "illegal address"));
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "MODBUS_EXCEPTION", ErrorKind.Communication);
  });

  it("times out a hanging driver call with 503 TIMEOUT while other devices answer", async () => {
    const t = setup({ driverTimeoutMs: 50 });
    t.driver.hang("t1");
    const hung = t.pipeline.executeRead("t1", "temperature");
    const other = await t.pipeline.executeRead("t2", "temperature");
    assert.ok(other);
    await rejectsWith(hung, "TIMEOUT", ErrorKind.Timeout);
    await t.driver.stop({ force: true });
  });

  it("sets the device DOWN after consecutive failures, fails fast while DOWN, and UP on success", async () => {
    const t = setup({ maxConsecutiveFailures: 2 });
    t.driver.fail("t1");
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "DRIVER_ERROR");
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "DRIVER_ERROR");
    assert.deepEqual(t.stateChanges, [["t1", "DOWN"]]);
    const calls = t.driver.count("read");
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "DEVICE_DOWN", ErrorKind.ServiceUnavailable);
    assert.equal(t.driver.count("read"), calls, "a DOWN device is not hammered");
    t.driver.recover("t1");
    await t.pipeline.pushValues("t1", "temperature", [{ resourceName: "temperature", valueType: "Float32", value: 1 }]);
    assert.deepEqual(t.stateChanges, [["t1", "DOWN"], ["t1", "UP"]]);
  });

  it("does not count caller errors from the driver against the device", async () => {
    const t = setup({ maxConsecutiveFailures: 1 });
    t.driver.fail("t1", new ServiceError(ErrorKind.ContractInvalid, "BAD_ATTRIBUTES", "no register"));
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "BAD_ATTRIBUTES");
    assert.deepEqual(t.stateChanges, []);
  });

  it("sets the device DOWN and fails with ASSERTION_FAILED when an assertion does not hold", async () => {
    const t = setup();
    t.driver.set("t1", "status", false);
    await rejectsWith(t.pipeline.executeRead("t1", "status"), "ASSERTION_FAILED", ErrorKind.Server);
    assert.deepEqual(t.stateChanges, [["t1", "DOWN"]]);
  });

  it("refuses driver values of the wrong JS type or count with DRIVER_VALUE_INVALID", async () => {
    const t = setup();
    t.driver.set("t1", "counter", "12");
    await rejectsWith(t.pipeline.executeRead("t1", "counter"), "DRIVER_VALUE_INVALID", ErrorKind.Server);
    const original = t.driver.read.bind(t.driver);
    t.driver.read = async (d, r) => (await original(d, r)).slice(1);
    await rejectsWith(t.pipeline.executeRead("t1", "climate"), "DRIVER_VALUE_INVALID");
  });

  it("serves hidden resources (core-command is where isHidden applies)", async () => {
    const t = setup();
    t.driver.set("t1", "hiddenValue", -7);
    assert.equal(valueOf(await t.pipeline.executeRead("t1", "hiddenValue"), "hiddenValue"), "-7");
  });

  it("pushValues transforms and publishes part of a command", async () => {
    const t = setup();
    const event = await t.pipeline.pushValues("t1", "climate", [{ resourceName: "temperature", valueType: "Float32", value: 190, origin: 42n }]);
    assert.equal(t.published.length, 1);
    assert.equal(valueOf(event, "temperature"), "1.9e+01");
    assert.equal(event.readings[0]?.origin, 42n);
    await rejectsWith(t.pipeline.pushValues("t1", "climate", [{ resourceName: "counter", valueType: "Uint32", value: 1 }]), "DRIVER_VALUE_INVALID");
  });

  it("reads through a driver's readValues into the readings read gives: transforms, mappings, checks and all", async () => {
    const viaRead = setup();
    const viaValues = setup({ positional: true });
    for (const t of [viaRead, viaValues]) {
      t.driver.set("t1", "temperature", 215);
      t.driver.set("t1", "setpoint", 42);
      t.driver.set("t1", "mode", 1);
      t.driver.set("t1", "counter", 4_000_000_000);
      t.driver.set("t1", "status", true);
      t.driver.set("t1", "raw", 0xab12);
      t.driver.set("t1", "hiddenValue", -7);
    }
    const strip = (e: Event | undefined) => e?.readings.map(({ id: _id, origin: _origin, ...rest }) => rest);
    for (const source of ["climate", "operatingMode", "temperature", "counter", "status", "raw", "hiddenValue"]) {
      const a = await viaRead.pipeline.executeRead("t1", source);
      const b = await viaValues.pipeline.executeRead("t1", source);
      assert.ok(b !== undefined && b.readings.length > 0, source);
      assert.deepEqual(strip(b), strip(a), source);
    }
    assert.equal((viaValues.driver as PositionalFakeDriver).positionalCalls.length, 7, "every read went through readValues");
    viaValues.driver.set("t1", "status", false);
    await rejectsWith(viaValues.pipeline.executeRead("t1", "status"), "ASSERTION_FAILED", ErrorKind.Server);
  });

  it("refuses readValues answers of the wrong count or JS type with DRIVER_VALUE_INVALID", async () => {
    const t = setup({ positional: true });
    const driver = t.driver as PositionalFakeDriver;
    t.driver.set("t1", "counter", "12");
    await rejectsWith(t.pipeline.executeRead("t1", "counter"), "DRIVER_VALUE_INVALID", ErrorKind.Server);
    t.driver.set("t1", "counter", 70_000.5);
    await rejectsWith(t.pipeline.executeRead("t1", "counter"), "DRIVER_VALUE_INVALID");
    const original = driver.readValues.bind(driver);
    driver.readValues = async (d, r) => (await original(d, r)).slice(1);
    await rejectsWith(t.pipeline.executeRead("t1", "climate"), "DRIVER_VALUE_INVALID");
    driver.readValues = async () => ({ 0: 1 }) as never;
    await rejectsWith(t.pipeline.executeRead("t1", "mode"), "DRIVER_VALUE_INVALID");
  });

  it("turns a driver that throws instead of rejecting into 500 DRIVER_ERROR and counts it against the device", async () => {
    const t = setup({ maxConsecutiveFailures: 1 });
    t.driver.read = () => {
      throw new Error("socket gone");
    };
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "DRIVER_ERROR", ErrorKind.Server);
    assert.deepEqual(t.stateChanges, [["t1", "DOWN"]]);
    assert.equal(t.pipeline.pending, 0);
  });

  it("counts the requests in flight and lets several stop calls wait for them", async () => {
    const t = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = t.driver.read.bind(t.driver);
    t.driver.read = async (d, r) => {
      await gate;
      return original(d, r);
    };
    const running = t.pipeline.executeRead("t1", "temperature").catch((e: unknown) => e);
    assert.equal(t.pipeline.pending, 1);
    let stopped = 0;
    const stops = [t.pipeline.stop({ force: false }), t.pipeline.stop({ force: false })].map((p) => p.then(() => stopped++));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(stopped, 0, "stop waits for the read in flight");
    release();
    await Promise.all(stops);
    assert.equal(stopped, 2);
    assert.equal(t.pipeline.pending, 0);
    assert.ok(!((await running) instanceof Error));
  });

  it("refuses new requests once stopping and waits for those in flight", async () => {
    const t = setup();
    const running = t.pipeline.executeRead("t1", "temperature");
    await t.pipeline.stop({ force: false });
    assert.ok(await running);
    await rejectsWith(t.pipeline.executeRead("t1", "temperature"), "SERVICE_STOPPING", ErrorKind.ServiceUnavailable);
  });
});
