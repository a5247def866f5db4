/**
 * What functions share about the data they see: recognising events, reading numeric values the way EdgeX writes
 * them, writing numbers back in EdgeX form, copying events without touching the original (bus payloads are shared
 * between subscribers and must stay as published), and turning any data into bytes.
 */
import { randomUUID } from "node:crypto";
import { ErrorKind, isFloatType, isIntegerType, stringifyJson, type Event, type Reading, type SimpleReading, type ValueType } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import type { PipelineContext, PipelineData } from "../types.js";

/** Content type of JSON text. */
export const JSON_CONTENT_TYPE = "application/json";

/** True for an EdgeX event (device, profile, source names and a readings list). */
export function isEvent(data: unknown): data is Event {
  if (typeof data !== "object" || data === null || Array.isArray(data) || data instanceof Uint8Array) return false;
  const e = data as Record<string, unknown>;
  return typeof e.deviceName === "string" && typeof e.profileName === "string" && typeof e.sourceName === "string" && Array.isArray(e.readings);
}

/** What a function was given, for error messages. */
export function shapeOf(data: unknown): string {
  if (data instanceof Uint8Array) return "bytes";
  if (typeof data === "string") return "text";
  if (Array.isArray(data)) return "a list";
  return isEvent(data) ? "an event" : typeof data === "object" && data !== null ? "an object" : typeof data;
}

/** The data as an event, or throws FUNCTION_INPUT_INVALID naming the function (it must run before transforms). */
export function requireEvent(fn: string, data: PipelineData): Event {
  if (isEvent(data)) return data;
  throw new AppSdkError(ErrorKind.ContractInvalid, AppSdkErrorCode.FunctionInputInvalid, `${fn} needs an EdgeX event but got ${shapeOf(data)}; place it before transforms and batching`, {
    details: { function: fn, got: shapeOf(data) },
  });
}

/**
 * Applies `perEvent` to an event, or to each event of a list (events dropped by it leave the list; an emptied list
 * is dropped). Anything else is rejected as {@link requireEvent} does.
 */
export function mapEvents(fn: string, data: PipelineData, perEvent: (event: Event) => Event | undefined): PipelineData | undefined {
  if (Array.isArray(data) && data.every(isEvent)) {
    const out: Event[] = [];
    for (const e of data as readonly Event[]) {
      const r = perEvent(e);
      if (r !== undefined) out.push(r);
    }
    return out.length > 0 ? out : undefined;
  }
  return perEvent(requireEvent(fn, data));
}

/** A copy of `event` with other readings; the same object when nothing changed. */
export function withReadings(event: Event, readings: Reading[]): Event | undefined {
  if (readings.length === 0) return undefined;
  if (readings.length === event.readings.length && readings.every((r, i) => r === event.readings[i])) return event;
  return { ...event, readings };
}

/** A copy of `reading` with tags added. */
export function tagReading<R extends Reading>(reading: R, tags: Record<string, string>): R {
  return { ...reading, tags: { ...(reading.tags ?? {}), ...tags } };
}

/** True for the integer and float value types, whose readings carry a number in `value`. */
export function isNumericType(t: ValueType): boolean {
  return isIntegerType(t) || isFloatType(t);
}

const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Parses a number as EdgeX (Go's strconv) writes it, including `NaN`, `Inf`, `+Inf` and `-Inf`. */
export function parseNumber(text: string): number {
  const s = text.trim();
  const special = SPECIAL.exec(s);
  if (special) return special[2]!.toLowerCase() === "nan" ? Number.NaN : special[1] === "-" ? -Infinity : Infinity;
  return s === "" ? Number.NaN : Number(s);
}

/**
 * The number a reading holds, or undefined when its type is not an integer or float type. NaN and infinities come
 * back as such; 64-bit integers beyond 2^53 lose their last digits (enough for cleaning and aggregation).
 */
export function numericValue(reading: Reading): number | undefined {
  if (!isNumericType(reading.valueType) || !("value" in reading)) return undefined;
  return parseNumber(reading.value);
}

/** Go's `strconv.FormatFloat(v, 'e', -1, bits)`: `1.5e+01`, `-2e-07`, `NaN`, `+Inf`. */
export function formatFloatE(v: number, bits: 32 | 64): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  let exp = v.toExponential();
  if (bits === 32) {
    const f = Math.fround(v);
    for (let p = 1; p <= 9; p++) {
      const candidate = f.toExponential(p - 1);
      if (Math.fround(Number(candidate)) === f) {
        exp = candidate;
        break;
      }
    }
  }
  const [mantissa, e] = exp.split("e") as [string, string];
  const sign = e.startsWith("-") ? "-" : "+";
  const digits = e.replace(/^[+-]/, "");
  return `${mantissa}e${sign}${digits.padStart(2, "0")}`;
}

/** Writes a number as the `value` of a reading of type `t` (integers rounded, floats in Go's `e` form). */
export function formatNumber(t: ValueType, v: number): string {
  if (isIntegerType(t)) return Number.isFinite(v) ? BigInt(Math.round(v)).toString() : String(v);
  return formatFloatE(v, t === "Float32" ? 32 : 64);
}

/** A copy of a simple reading with a new numeric value. */
export function withValue(reading: SimpleReading, v: number): SimpleReading {
  return { ...reading, value: formatNumber(reading.valueType, v) };
}

/** Key of per-series state: one series per device and resource. */
export function seriesKey(reading: Pick<Reading, "deviceName" | "resourceName">): string {
  return `${reading.deviceName}\u0000${reading.resourceName}`;
}

/** Seconds between two nanosecond timestamps. */
export function secondsBetween(fromNs: bigint, toNs: bigint): number {
  return Number(toNs - fromNs) / 1e9;
}

/**
 * The bytes of any data: bytes as they are, text as UTF-8, anything else as JSON (int64 timestamps exact), in which
 * case `ctx.contentType` becomes `application/json` unless a transform set it.
 */
export function toBytes(ctx: PipelineContext, data: PipelineData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === "string") return Buffer.from(data, "utf8");
  ctx.contentType ??= JSON_CONTENT_TYPE;
  return Buffer.from(stringifyJson(data), "utf8");
}

/** Size in bytes of data as {@link toBytes} would write it. */
export function byteSize(data: unknown): number {
  if (data instanceof Uint8Array) return data.byteLength;
  if (typeof data === "string") return Buffer.byteLength(data, "utf8");
  return Buffer.byteLength(stringifyJson(data), "utf8");
}

/**
 * A fresh context for data a function emits on its own (a closed window, a timed batch): same pipeline and logger,
 * a new correlation id, the given trigger, a copy of the tags.
 */
export function deriveContext(from: PipelineContext, trigger: string, tags?: Record<string, string>): PipelineContext {
  return {
    pipeline: from.pipeline,
    correlationId: randomUUID(),
    trigger,
    logger: from.logger,
    tags: { ...(tags ?? from.tags) },
  };
}

/**
 * Applies `perReading` to every reading of an event (or of each event of a list): a reading it returns undefined
 * for is dropped, an event left without readings is dropped.
 */
export function mapReadings(fn: string, data: PipelineData, perReading: (reading: Reading, event: Event) => Reading | undefined): PipelineData | undefined {
  return mapEvents(fn, data, (event) => {
    const out: Reading[] = [];
    for (const reading of event.readings) {
      const r = perReading(reading, event);
      if (r !== undefined) out.push(r);
    }
    return withReadings(event, out);
  });
}
