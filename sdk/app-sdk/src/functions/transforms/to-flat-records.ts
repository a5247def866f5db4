/**
 * ToFlatRecords: one flat record per reading, for sinks that want rows rather than EdgeX events (time-series
 * databases, data lakes): device, profile, source, resource, typed value, value type, origin, units, tags.
 */
import { isFloatType, isIntegerType, stringifyJson, type Event, type Reading } from "@brink/contracts";
import type { FunctionFactory, PipelineContext } from "../../types.js";
import { JSON_CONTENT_TYPE, isEvent, parseNumber, requireEvent } from "../data.js";
import { ParamReader } from "../params.js";

/** One reading as a flat record. */
export interface FlatRecord {
  device: string;
  profile: string;
  source: string;
  resource: string;
  /** Numbers as numbers (bigint past 2^53, NaN and infinities as their text), Bool as boolean, arrays as arrays, Binary as base64, Object as is. */
  value: unknown;
  valueType: string;
  /** Unix nanoseconds. */
  origin: bigint;
  units?: string;
  /** Event tags, then reading tags, then tags set by AddTags. */
  tags: Record<string, unknown>;
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

function scalar(type: string, text: string): unknown {
  if (type === "Bool") return TRUE.has(text.trim());
  if (isIntegerType(type as Reading["valueType"])) {
    const s = text.trim();
    if (!/^[+-]?\d+$/.test(s)) return s;
    const big = BigInt(s);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (isFloatType(type as Reading["valueType"])) {
    const n = parseNumber(text);
    return Number.isFinite(n) ? n : text.trim();
  }
  return text;
}

function arrayItems(text: string): string[] {
  const inner = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner.trim() === "" ? [] : inner.split(",").map((s) => s.trim());
}

/** The typed value of a reading (see {@link FlatRecord.value}). */
export function typedValue(reading: Reading): unknown {
  if ("binaryValue" in reading) return reading.binaryValue;
  if ("objectValue" in reading) return reading.objectValue;
  const t = reading.valueType;
  if (!t.endsWith("Array")) return scalar(t, reading.value);
  if (t === "StringArray") {
    try {
      const parsed: unknown = JSON.parse(reading.value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // EdgeX also writes [a, b] without quotes
    }
    return arrayItems(reading.value);
  }
  const elem = t.slice(0, -"Array".length);
  return arrayItems(reading.value).map((s) => scalar(elem, s));
}

/** The records of one event. */
export function flatRecords(ctx: PipelineContext, event: Event): FlatRecord[] {
  return event.readings.map((reading) => {
    const record: FlatRecord = {
      device: event.deviceName,
      profile: event.profileName,
      source: event.sourceName,
      resource: reading.resourceName,
      value: typedValue(reading),
      valueType: reading.valueType,
      origin: reading.origin,
      tags: { ...(event.tags ?? {}), ...(reading.tags ?? {}), ...ctx.tags },
    };
    if (reading.units !== undefined && reading.units !== "") record.units = reading.units;
    return record;
  });
}

/**
 * Params: `format` (`records`: a list of record objects for the next function, default; `json`: a JSON array;
 * `ndjson`: one JSON record per line). Takes an event or a list of events.
 */
export const toFlatRecords: FunctionFactory = (params) => {
  const name = "ToFlatRecords";
  const r = new ParamReader(name, params);
  const format = r.choice("format", ["records", "json", "ndjson"] as const, "records");
  r.done();
  return {
    name,
    process(ctx, data) {
      const events = Array.isArray(data) && data.every(isEvent) ? (data as readonly Event[]) : [requireEvent(name, data)];
      const records = events.flatMap((e) => flatRecords(ctx, e));
      if (format === "records") return records;
      if (format === "json") {
        ctx.contentType = JSON_CONTENT_TYPE;
        return stringifyJson(records);
      }
      ctx.contentType = "application/x-ndjson";
      return records.map((rec) => stringifyJson(rec)).join("\n") + "\n";
    },
  };
};
