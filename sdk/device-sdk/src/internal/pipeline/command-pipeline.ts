/**
 * The one command pipeline. The REST routes, the bus command handler, AutoEvents and push drivers all go through
 * `executeRead` / `executeWrite` / `pushValues`, so every path gets the same checks, transforms, timeouts, health
 * tracking and events.
 */
import { ErrorKind, newUuid, nowNanos, type Device, type DeviceProfile, type Event, type Reading } from "@brink/contracts";
import type { Logger } from "pino";
import type { CommandValue, ProtocolDriver, RawValue } from "../../driver.js";
import { DeviceSdkError, DeviceSdkErrorCode, valueInvalid } from "../../errors.js";
import type { DeviceCache } from "../cache/device-cache.js";
import { canonicalScalar, normalizeRaw } from "../values/codec.js";
import { parseSetValue } from "../values/parse-set.js";
import { checkWriteLimits, transformWrite } from "../transform/transforms.js";
import type { DeviceHealth } from "./device-health.js";
import { callWithTimeout, countsAsDeviceFailure } from "./driver-call.js";
import { buildReading, plainText, readingOf, simpleReading, type ReadingContext, type ResourceValue } from "./readings.js";
import { isReadable, isWritable, resolvePattern, resolveSource, type ResolvedSource, type SourceOperation } from "./sources.js";

/** Where events go (the bus, in the service). */
export interface EventSink {
  publish(event: Event): Promise<void>;
}

/** Collaborators and limits of {@link CommandPipeline}. */
export interface CommandPipelineOptions {
  readonly driver: ProtocolDriver;
  readonly cache: DeviceCache;
  readonly health: DeviceHealth;
  readonly events: EventSink;
  readonly logger: Logger;
  /** Deadline of one driver call, ms. */
  readonly driverTimeoutMs: number;
  /** True while the device service is administratively LOCKED. */
  readonly serviceLocked: () => boolean;
  /** Apply mask/shift/base/scale/offset (EdgeX `Device.DataTransform`). @default true */
  readonly dataTransform?: boolean;
}

/** Options of {@link CommandPipeline.executeRead}. */
export interface ReadOptions {
  /** Publish the event on the bus (EdgeX `ds-pushevent`). @default false */
  readonly pushEvent?: boolean;
  /** Return the event (EdgeX `ds-returnevent`); false resolves to undefined. @default true */
  readonly returnEvent?: boolean;
  /**
   * EdgeX `ds-regexcmd`: when no command or resource has the name, read every readable resource whose whole name
   * matches it as a regular expression, in one event named after the pattern. @default false (true from REST and bus)
   */
  readonly regexCmd?: boolean;
}

/** Options of {@link CommandPipeline.executeWrite}. */
export interface WriteOptions {
  /** Publish an event of the written values when the source is readable (EdgeX does). @default true */
  readonly pushEvent?: boolean;
}

interface Target {
  readonly device: Device;
  readonly profile: DeviceProfile;
  readonly source: ResolvedSource;
}

let lastOrigin = 0n;
/** Strictly increasing event origins, ns (two events in the same microsecond still differ). */
function uniqueOrigin(): bigint {
  let now = nowNanos();
  if (now <= lastOrigin) now = lastOrigin + 1n;
  lastOrigin = now;
  return now;
}

function stoppingError(): Promise<never> {
  return Promise.reject(new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.ServiceStopping, "the device service is stopping"));
}

function locked(message: string): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.ServiceLocked, DeviceSdkErrorCode.Locked, message);
}

/** See the module comment. */
export class CommandPipeline {
  private inFlight = 0;
  /** `stop` calls waiting for the requests in flight to end. */
  private readonly idle: (() => void)[] = [];
  private stopping = false;

  constructor(private readonly options: CommandPipelineOptions) {}

  /**
   * Reads a deviceCommand or deviceResource of a device and returns its event.
   * Errors: 423 LOCKED, 404 DEVICE_NOT_FOUND / SOURCE_NOT_FOUND, 423 PROFILE_NOT_FOUND, 405 WRITE_ONLY,
   * 503 DEVICE_DOWN / TIMEOUT, 500 DRIVER_ERROR / DRIVER_VALUE_INVALID / ASSERTION_FAILED, or the driver's own.
   */
  executeRead(deviceName: string, sourceName: string, options: ReadOptions = {}): Promise<Event | undefined> {
    return this.stopping ? stoppingError() : this.read(deviceName, sourceName, options);
  }

  // Each request is one async frame that counts itself in flight (no promise of its own for that: reads run on every
  // poll); `stop` waits for the count to reach zero.
  private async read(deviceName: string, sourceName: string, options: ReadOptions): Promise<Event | undefined> {
    this.inFlight++;
    try {
      const t = this.target(deviceName, sourceName, options.regexCmd === true);
      if (!isReadable(t.source.readWrite)) {
        throw new DeviceSdkError(ErrorKind.NotAllowed, DeviceSdkErrorCode.WriteOnly, `${sourceName} of ${deviceName} is write-only`);
      }
      this.admit(deviceName);
      const requests = t.source.requests;
      const driver = this.options.driver;
      const readValues = driver.readValues;
      const values = await this.driverCall<unknown>(deviceName, () => `read ${sourceName} of ${deviceName}`, () =>
        readValues !== undefined ? readValues.call(driver, t.device, requests) : driver.read(t.device, requests),
      );
      const event = this.eventOfDriverValues(t, values, true, readValues !== undefined);
      if (options.pushEvent === true) await this.publish(event);
      return options.returnEvent === false ? undefined : event;
    } finally {
      this.settled();
    }
  }

  /**
   * Writes `settings` (resource name -> value) to a deviceCommand or deviceResource of a device.
   * Errors: as {@link executeRead}, plus 405 READ_ONLY, 400 VALUE_INVALID / VALUE_OUT_OF_RANGE / VALUE_MISSING
   * (raised before the driver is called).
   */
  executeWrite(deviceName: string, sourceName: string, settings: Readonly<Record<string, unknown>>, options: WriteOptions = {}): Promise<void> {
    return this.stopping ? stoppingError() : this.write(deviceName, sourceName, settings, options);
  }

  private async write(deviceName: string, sourceName: string, settings: Readonly<Record<string, unknown>>, options: WriteOptions): Promise<void> {
    this.inFlight++;
    try {
      const t = this.target(deviceName, sourceName);
      if (!isWritable(t.source.readWrite)) {
        throw new DeviceSdkError(ErrorKind.NotAllowed, DeviceSdkErrorCode.ReadOnly, `${sourceName} of ${deviceName} is read-only`);
      }
      if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw valueInvalid(sourceName, "settings must be an object");
      const engineering = t.source.operations.map((op) => ({ op, value: this.settingOf(t.source, op, settings) }));
      const transform = this.options.dataTransform !== false;
      const values: CommandValue[] = engineering.map(({ op, value }) => ({
        resourceName: op.resource.name,
        valueType: op.valueType,
        value: transform ? transformWrite(op.resource.name, op.valueType, value, op.resource.properties) : value,
      }));
      this.admit(deviceName);
      await this.driverCall(deviceName, () => `write ${sourceName} of ${deviceName}`, () => this.options.driver.write(t.device, t.source.requests, values));
      if (options.pushEvent !== false && t.source.readWrite !== "W") {
        const written: ResourceValue[] = engineering.map(({ op, value }) => ({ resource: op.resource, valueType: op.valueType, operation: op.operation, value }));
        await this.publish(this.eventOf(t, written));
      }
    } finally {
      this.settled();
    }
  }

  /**
   * Runs values a push driver received through the read checks and transforms and publishes one event for
   * `sourceName`. The values may cover part of a command's resources.
   */
  pushValues(deviceName: string, sourceName: string, values: readonly CommandValue[]): Promise<Event> {
    return this.stopping ? stoppingError() : this.push(deviceName, sourceName, values);
  }

  private async push(deviceName: string, sourceName: string, values: readonly CommandValue[]): Promise<Event> {
    this.inFlight++;
    try {
      const t = this.target(deviceName, sourceName);
      const event = this.eventOfDriverValues(t, values, false, false);
      this.options.health.success(deviceName);
      await this.publish(event);
      return event;
    } finally {
      this.settled();
    }
  }

  /** Publishes an event on the bus; a bus failure is logged, never thrown at the caller. */
  async publish(event: Event): Promise<void> {
    try {
      await this.options.events.publish(event);
    } catch (err) {
      this.options.logger.warn({ err, device: event.deviceName, source: event.sourceName }, "event publish failed");
    }
  }

  /** Refuses new requests; waits for those in flight unless `force`. */
  async stop(options: { force: boolean }): Promise<void> {
    this.stopping = true;
    if (!options.force && this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Requests currently running. */
  get pending(): number {
    return this.inFlight;
  }

  /** A request has ended; the last one to end lets `stop` finish. */
  private settled(): void {
    if (--this.inFlight > 0 || this.idle.length === 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private target(deviceName: string, sourceName: string, regexCmd = false): Target {
    if (this.options.serviceLocked()) throw locked("the device service is locked");
    const device = this.options.cache.device(deviceName);
    if (device === undefined) {
      throw new DeviceSdkError(ErrorKind.EntityDoesNotExist, DeviceSdkErrorCode.DeviceNotFound, `device ${deviceName} not found`, { details: { device: deviceName } });
    }
    if (device.adminState === "LOCKED") throw locked(`device ${deviceName} is locked`);
    const profile = this.options.cache.profile(device.profileName);
    if (profile === undefined) {
      throw new DeviceSdkError(ErrorKind.ServiceLocked, DeviceSdkErrorCode.ProfileNotFound, `profile ${device.profileName} of device ${deviceName} is not loaded`);
    }
    const source = resolveSource(profile, sourceName) ?? (regexCmd ? resolvePattern(profile, sourceName) : undefined);
    if (source === undefined) {
      throw new DeviceSdkError(ErrorKind.EntityDoesNotExist, DeviceSdkErrorCode.SourceNotFound, `${sourceName} is neither a command nor a resource of ${deviceName}`, {
        details: { device: deviceName, source: sourceName },
      });
    }
    return { device, profile, source };
  }

  private admit(deviceName: string): void {
    if (this.options.health.admit(deviceName) === "down") {
      throw new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.DeviceDown, `device ${deviceName} is DOWN`, { details: { device: deviceName } });
    }
  }

  /** Calls the driver with the deadline, and records the outcome in the device's health. */
  private driverCall<T>(deviceName: string, what: () => string, op: () => Promise<T>): Promise<T> {
    const health = this.options.health;
    return callWithTimeout(op, this.options.driverTimeoutMs, what, (err) => {
      if (err === undefined) health.success(deviceName);
      else if (countsAsDeviceFailure(err)) health.failure(deviceName);
    });
  }

  private settingOf(source: ResolvedSource, op: SourceOperation, settings: Readonly<Record<string, unknown>>): RawValue {
    const name = op.resource.name;
    let value: unknown = Object.prototype.hasOwnProperty.call(settings, name) ? settings[name] : undefined;
    if (value === undefined && source.kind === "command" && op.operation?.defaultValue) value = op.operation.defaultValue;
    if (value === undefined && op.resource.properties.defaultValue) value = op.resource.properties.defaultValue;
    if (value === undefined) {
      throw new DeviceSdkError(ErrorKind.ContractInvalid, DeviceSdkErrorCode.ValueMissing, `no value for ${name} and no defaultValue`, { details: { resource: name } });
    }
    const mappings = op.operation?.mappings;
    if (mappings !== undefined && typeof value === "string") {
      for (const [raw, mapped] of Object.entries(mappings)) {
        if (mapped === value) {
          value = raw;
          break;
        }
      }
    }
    const parsed = parseSetValue(name, op.valueType, value);
    checkWriteLimits(name, op.valueType, parsed, op.resource.properties);
    return parsed;
  }

  /**
   * The event of values a driver returned or pushed: each value is paired with its resource, normalized, run through
   * the read checks and transforms and made a reading. `exact` demands one value per resource of the source;
   * `positional` says the values are raw values in the source's order (a driver's `readValues`), not CommandValues.
   * One pass and no intermediate object per value: this runs on every poll, for every resource.
   */
  private eventOfDriverValues(t: Target, values: unknown, exact: boolean, positional: boolean): Event {
    if (!Array.isArray(values)) throw this.invalidValues(t, positional ? "expected an array of values" : "expected an array of CommandValues");
    const ops = t.source.operations;
    if (exact && values.length !== ops.length) throw this.invalidValues(t, `expected ${ops.length} values, got ${values.length}`);
    const origin = uniqueOrigin();
    const ctx = { deviceName: t.device.name, profileName: t.profile.name, origin };
    const transform = this.options.dataTransform !== false;
    // buildReading copies what it needs out of its argument, so one scratch object serves every value.
    const v: { -readonly [K in keyof ResourceValue]: ResourceValue[K] } = { resource: undefined as never, valueType: "Bool", operation: undefined, value: 0 };
    const readings: Reading[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      let op: SourceOperation | undefined;
      let raw: unknown;
      let cv: Partial<CommandValue> | undefined;
      if (positional) {
        op = ops[i]!;
        raw = values[i];
      } else {
        cv = values[i] as Partial<CommandValue> | undefined;
        if (cv === undefined || cv === null || typeof cv !== "object") throw this.invalidValues(t, `value ${i} is not a CommandValue`);
        // Drivers answer in request order, so the resource at the same index is the one to try first.
        op = ops[i]?.resource.name === cv.resourceName ? ops[i] : t.source.byName.get(String(cv.resourceName));
        if (op === undefined) throw this.invalidValues(t, `value ${i} names ${String(cv.resourceName)}, which is not part of the source`);
        raw = cv.value;
      }
      // The fast path: a plain resource and a canonical value make their reading at once.
      const plain = op.plain;
      if (plain !== undefined && cv?.origin === undefined && cv?.tags === undefined) {
        const text = plainText(plain, raw);
        if (text !== undefined) {
          readings[i] = simpleReading(ctx, op.resource.name, op.valueType, plain.units, origin, text);
          continue;
        }
      }
      let value = canonicalScalar(op.valueType, raw);
      if (value === undefined) {
        const norm = normalizeRaw(op.valueType, raw);
        if (!norm.ok) throw this.invalidValues(t, `${op.resource.name}: ${norm.problem}`);
        value = norm.value;
      }
      v.resource = op.resource;
      v.valueType = op.valueType;
      v.operation = op.operation;
      v.value = value;
      v.origin = cv?.origin;
      v.mediaType = cv?.mediaType;
      v.tags = cv?.tags;
      readings[i] = this.checkedReading(t, v, ctx, transform);
    }
    return this.eventWith(t, origin, readings);
  }

  private invalidValues(t: Target, msg: string): DeviceSdkError {
    return new DeviceSdkError(ErrorKind.Server, DeviceSdkErrorCode.DriverValueInvalid, `driver values for ${t.source.name} of ${t.device.name}: ${msg}`);
  }

  /** buildReading, with a failed assertion setting the device DOWN. */
  private checkedReading(t: Target, v: ResourceValue, ctx: ReadingContext, transform: boolean): Reading {
    try {
      return buildReading(v, ctx, transform);
    } catch (err) {
      if (err instanceof DeviceSdkError && err.code === DeviceSdkErrorCode.AssertionFailed) this.options.health.markDown(t.device.name, err.message);
      throw err;
    }
  }

  /** The event of written values (no read checks or transforms: they are the values as the caller gave them). */
  private eventOf(t: Target, values: readonly ResourceValue[]): Event {
    const origin = uniqueOrigin();
    const ctx = { deviceName: t.device.name, profileName: t.profile.name, origin };
    return this.eventWith(t, origin, values.map((v) => readingOf(v, ctx)));
  }

  private eventWith(t: Target, origin: bigint, readings: Reading[]): Event {
    const event: Event = { apiVersion: "v3", id: newUuid(), deviceName: t.device.name, profileName: t.profile.name, sourceName: t.source.name, origin, readings };
    if (t.device.tags !== undefined || t.source.tags !== undefined) {
      const tags = { ...(t.device.tags ?? {}), ...(t.source.tags ?? {}) };
      if (Object.keys(tags).length > 0) event.tags = tags;
    }
    return event;
  }
}
