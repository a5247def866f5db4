/**
 * The driver conformance suite: one mocha suite every driver runs against its real peer (a pymodbus server, an
 * OPC UA server, a socat pair...). It checks what the runtime relies on: the lifecycle, one typed value per request,
 * write-then-read, protocol validation, timeouts on unreachable devices, and a prompt forced stop.
 *
 * ```ts
 * driverConformanceSuite({
 *   name: "ModbusDriver",
 *   createDriver: () => new ModbusDriver(),
 *   device, profile,
 *   readable: ["temperature", "status"],
 *   writable: [{ resource: "setpoint", value: 215 }],
 *   unreachableDevice: { ...device, name: "nobody", protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: "1" } } },
 * });
 * ```
 */
import { after, before, describe, it } from "mocha";
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { ErrorKind, INTEGER_RANGES, ServiceError, elementType, normalizeValueType, type Device, type DeviceProfile, type OperatingState, type ValueType } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, ProtocolDriver, RawValue } from "../driver.js";

/** Options of {@link driverConformanceSuite}. */
export interface ConformanceOptions {
  /** Suite title. */
  readonly name: string;
  /** A fresh driver; called once per test group. */
  readonly createDriver: () => ProtocolDriver | Promise<ProtocolDriver>;
  /** A device that answers (its peer runs for the whole suite). */
  readonly device: Device;
  readonly profile: DeviceProfile;
  /** Resources of `profile` the device can read. */
  readonly readable: readonly string[];
  /** Resources to write, each with a raw value the device accepts and reads back unchanged. */
  readonly writable: readonly { readonly resource: string; readonly value: RawValue }[];
  /** A device whose peer does not answer; omit to skip the timeout test. */
  readonly unreachableDevice?: Device;
  /** A read of `unreachableDevice` must reject within this, ms. @default 10000 */
  readonly unreachableTimeoutMs?: number;
  /** `stop({ force: true })` must return within this, ms. @default 2000 */
  readonly forceStopMs?: number;
  /** The driver's config section, as the service would pass it. @default {} */
  readonly driverConfig?: Readonly<Record<string, unknown>>;
}

/** Why a value does not have the JS type its value type asks for (undefined when it does). */
export function rawTypeProblem(valueType: ValueType, v: unknown): string | undefined {
  const el = elementType(valueType);
  if (el !== undefined) {
    if (!Array.isArray(v)) return `expected an array for ${valueType}`;
    for (let i = 0; i < v.length; i++) {
      const p = rawTypeProblem(el, v[i]);
      if (p !== undefined) return `[${i}]: ${p}`;
    }
    return undefined;
  }
  const range = INTEGER_RANGES[valueType];
  if (range !== undefined) {
    const wide = valueType === "Int64" || valueType === "Uint64";
    if (wide ? typeof v !== "bigint" : typeof v !== "number" || !Number.isInteger(v)) return `expected ${wide ? "a bigint" : "an integer number"} for ${valueType}`;
    const b = BigInt(v as number | bigint);
    return b < range[0] || b > range[1] ? `${b} is outside ${valueType}` : undefined;
  }
  switch (valueType) {
    case "Bool":
      return typeof v === "boolean" ? undefined : "expected a boolean";
    case "String":
      return typeof v === "string" ? undefined : "expected a string";
    case "Float32":
    case "Float64":
      return typeof v === "number" ? undefined : "expected a number";
    case "Binary":
      return v instanceof Uint8Array ? undefined : "expected a Uint8Array";
    case "Object":
      return v !== null && typeof v === "object" && !Array.isArray(v) ? undefined : "expected an object";
    case "ObjectArray":
      return Array.isArray(v) && v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x)) ? undefined : "expected an array of objects";
    default:
      return `unknown value type ${valueType}`;
  }
}

class ConformanceSdk implements DeviceServiceSdk {
  readonly serviceName = "conformance";
  readonly logger = pino({ level: "silent" });
  readonly pushed: { device: string; source: string; values: readonly CommandValue[] }[] = [];
  readonly states: [string, OperatingState][] = [];
  readonly dataDir: string;

  constructor(
    private readonly all: readonly Device[],
    private readonly profileOf: DeviceProfile,
    readonly driverConfig: Readonly<Record<string, unknown>>,
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), "brink-conformance-"));
  }

  devices(): readonly Device[] {
    return this.all;
  }
  device(name: string): Device | undefined {
    return this.all.find((d) => d.name === name);
  }
  profile(name: string): DeviceProfile | undefined {
    return name === this.profileOf.name ? this.profileOf : undefined;
  }
  async pushValues(device: string, source: string, values: readonly CommandValue[]): Promise<void> {
    this.pushed.push({ device, source, values });
  }
  async setOperatingState(device: string, state: OperatingState): Promise<void> {
    this.states.push([device, state]);
  }
}

function requestOf(profile: DeviceProfile, resourceName: string): CommandRequest {
  const resource = profile.deviceResources.find((r) => r.name === resourceName);
  if (resource === undefined) throw new Error(`conformance: profile ${profile.name} has no resource ${resourceName}`);
  const valueType = normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
  return { resourceName, attributes: resource.attributes ?? {}, valueType, resource };
}

function sameValue(valueType: ValueType, a: unknown, b: unknown): boolean {
  const fr = (x: unknown): unknown => (valueType === "Float32" && typeof x === "number" ? Math.fround(x) : x);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  try {
    assert.deepEqual(Array.isArray(a) ? a.map(fr) : fr(a), Array.isArray(b) ? b.map(fr) : fr(b));
    return true;
  } catch {
    return false;
  }
}

const TIMED_OUT = Symbol("timed out");

/** Settles `p` or fails the test when it takes longer than `ms`. */
async function within<T>(ms: number, p: Promise<T>, what: string): Promise<{ settled: "resolved" | "rejected"; value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  const outcome = p.then(
    (value) => ({ settled: "resolved" as const, value }),
    (error: unknown) => ({ settled: "rejected" as const, error }),
  );
  try {
    const first = await Promise.race([outcome, deadline]);
    if (first === TIMED_OUT) assert.fail(`${what} did not settle within ${ms} ms`);
    return first;
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the conformance suite (call it at the top level of a mocha test file). */
export function driverConformanceSuite(options: ConformanceOptions): void {
  const unreachableMs = options.unreachableTimeoutMs ?? 10_000;
  const forceStopMs = options.forceStopMs ?? 2000;
  const devices = options.unreachableDevice ? [options.device, options.unreachableDevice] : [options.device];

  describe(`driver conformance: ${options.name}`, function () {
    this.timeout(Math.max(20_000, unreachableMs + 10_000));
    let driver: ProtocolDriver;
    let sdk: ConformanceSdk;

    before(async () => {
      driver = await options.createDriver();
      sdk = new ConformanceSdk(devices, options.profile, options.driverConfig ?? {});
      await driver.initialize(sdk);
      await driver.validateDevice(options.device);
      await driver.start();
    });

    after(async () => {
      await driver?.stop({ force: true });
      if (sdk !== undefined) rmSync(sdk.dataDir, { recursive: true, force: true });
    });

    it("initializes, starts and takes the device", async () => {
      await driver.onDeviceAdded(options.device);
    });

    it("reads one value per request, of the JS type its value type asks for", async () => {
      for (const name of options.readable) {
        const request = requestOf(options.profile, name);
        const values = await driver.read(options.device, [request]);
        assert.equal(values.length, 1, `${name}: one value per request`);
        assert.equal(values[0]?.resourceName, name);
        const problem = rawTypeProblem(request.valueType, values[0]?.value);
        assert.equal(problem, undefined, `${name} (${request.valueType}): ${problem}`);
      }
    });

    it("reads several resources in one call, in request order", async () => {
      const requests = options.readable.map((n) => requestOf(options.profile, n));
      const values = await driver.read(options.device, requests);
      assert.deepEqual(values.map((v) => v.resourceName), options.readable);
    });

    it("answers readValues, when it has it, with one value per request, in request order, of the right JS type", async () => {
      const readValues = (driver as Partial<ProtocolDriver>).readValues;
      assert.ok(readValues === undefined || typeof readValues === "function", "readValues is a method when present");
      if (readValues === undefined) return;
      const requests = options.readable.map((n) => requestOf(options.profile, n));
      const values = await readValues.call(driver, options.device, requests);
      assert.equal(values.length, requests.length, "one value per request");
      requests.forEach((r, i) => {
        const problem = rawTypeProblem(r.valueType, values[i]);
        assert.equal(problem, undefined, `${r.resourceName} (${r.valueType}): ${problem}`);
      });
    });

    it("writes values and reads them back", async () => {
      for (const { resource, value } of options.writable) {
        const request = requestOf(options.profile, resource);
        await driver.write(options.device, [request], [{ resourceName: resource, valueType: request.valueType, value }]);
        const [back] = await driver.read(options.device, [request]);
        assert.ok(sameValue(request.valueType, back?.value, value), `${resource}: wrote ${String(value)}, read ${String(back?.value)}`);
      }
    });

    it("rejects a device with a broken protocols block with kind ContractInvalid", async () => {
      const broken: Device = { ...options.device, name: `${options.device.name}-broken`, protocols: {} };
      await assert.rejects(
        Promise.resolve().then(() => driver.validateDevice(broken)),
        (err: unknown) => err instanceof ServiceError && err.kind === ErrorKind.ContractInvalid,
      );
    });

    if (options.unreachableDevice !== undefined) {
      const unreachable = options.unreachableDevice;
      it("rejects a read of an unreachable device within its timeout", async () => {
        const request = requestOf(options.profile, options.readable[0]!);
        const outcome = await within(unreachableMs, Promise.resolve().then(() => driver.read(unreachable, [request])), "read of the unreachable device");
        assert.equal(outcome.settled, "rejected", "a read of an unreachable device must fail");
      });
    }

    it("takes device updates and removals", async () => {
      await driver.onDeviceUpdated({ ...options.device, description: "updated" }, options.device);
      await driver.onDeviceRemoved(options.device);
      await driver.onDeviceAdded(options.device);
    });

    it("returns promptly from stop({ force: true }), even with a request in flight", async () => {
      const target = options.unreachableDevice ?? options.device;
      const request = requestOf(options.profile, options.readable[0]!);
      const inFlight = Promise.resolve().then(() => driver.read(target, [request]));
      inFlight.catch(() => undefined);
      const outcome = await within(forceStopMs, driver.stop({ force: true }), "stop({ force: true })");
      assert.equal(outcome.settled, "resolved", `stop({ force: true }) failed: ${String(outcome.error)}`);
    });
  });
}
