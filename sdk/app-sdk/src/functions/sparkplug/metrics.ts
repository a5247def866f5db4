/**
 * Sparkplug B metrics from EdgeX readings: the data type map and value conversion. Sparkplug B has no array types
 * in the codec Brink uses (Eclipse Tahu's `sparkplug-payload`), so arrays and objects travel as JSON text (String).
 */
import { stringifyJson, type Reading, type ValueType } from "@brink/contracts";
import type { UMetric } from "sparkplug-payload/lib/sparkplugbpayload.js";
import { parseNumber } from "../data.js";

/** A Sparkplug B data type name, as the codec spells it. */
export type SparkplugType = UMetric["type"];

/** The Sparkplug B data type of each EdgeX value type. */
export const SPARKPLUG_TYPES: Readonly<Record<ValueType, SparkplugType>> = {
  Bool: "Boolean",
  String: "String",
  Uint8: "UInt8",
  Uint16: "UInt16",
  Uint32: "UInt32",
  Uint64: "UInt64",
  Int8: "Int8",
  Int16: "Int16",
  Int32: "Int32",
  Int64: "Int64",
  Float32: "Float",
  Float64: "Double",
  Binary: "Bytes",
  BoolArray: "String",
  StringArray: "String",
  Uint8Array: "String",
  Uint16Array: "String",
  Uint32Array: "String",
  Uint64Array: "String",
  Int8Array: "String",
  Int16Array: "String",
  Int32Array: "String",
  Int64Array: "String",
  Float32Array: "String",
  Float64Array: "String",
  Object: "String",
  ObjectArray: "String",
};

/** A 64-bit integer as protobufjs takes it (low and high 32 bits), without a dependency on `long`. */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

/** Splits a 64-bit integer into the low/high words protobufjs writes. */
export function toLongBits(value: bigint, unsigned: boolean): LongBits {
  const u = BigInt.asUintN(64, value);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned };
}

/** Reads a 64-bit integer decoded by protobufjs (a number, or a Long-like `{ low, high, unsigned }`). */
export function fromLong(value: unknown, unsigned: boolean): bigint {
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "bigint") return value;
  if (typeof value === "object" && value !== null && "low" in value && "high" in value) {
    const { low, high } = value as { low: number; high: number };
    const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
    return unsigned ? bits : BigInt.asIntN(64, bits);
  }
  throw new TypeError(`not a 64-bit integer: ${String(value)}`);
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/** The value of a metric for a reading, in the form the codec writes for its type (null when unreadable). */
export function metricValue(reading: Reading): UMetric["value"] {
  if ("binaryValue" in reading) return Buffer.from(reading.binaryValue, "base64");
  if ("objectValue" in reading) return stringifyJson(reading.objectValue);
  const type = SPARKPLUG_TYPES[reading.valueType];
  const text = reading.value.trim();
  switch (type) {
    case "Boolean":
      return TRUE.has(text);
    case "Float":
    case "Double":
      return parseNumber(text);
    case "Int8":
    case "Int16":
    case "Int32":
    case "UInt8":
    case "UInt16":
    case "UInt32":
      return /^[+-]?\d+$/.test(text) ? Number(text) : null;
    case "Int64":
    case "UInt64":
      return /^[+-]?\d+$/.test(text) ? (toLongBits(BigInt(text), type === "UInt64") as unknown as UMetric["value"]) : null;
    default:
      return reading.value;
  }
}
