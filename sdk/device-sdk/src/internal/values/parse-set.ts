/**
 * Parsing of SET values (REST `PUT` bodies, bus command payloads) into RawValues, with the type and range checks
 * device-sdk-go applies (`createCommandValueFromDeviceResource`). Values arrive as strings ("28.5", "true",
 * "[1, 2]") or as JSON values (28.5, true, [1, 2], {...}); both are accepted.
 */
import { INTEGER_RANGES, elementType, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../driver.js";
import { valueInvalid, valueOutOfRange } from "../../errors.js";
import { MAX_FLOAT32 } from "./codec.js";

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_TEXT = /^([+-]?)(?:inf|infinity)$/i;
const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

function parseBool(name: string, v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (GO_TRUE.has(v)) return true;
    if (GO_FALSE.has(v)) return false;
  }
  throw valueInvalid(name, "expected a Bool (true or false)", v);
}

function parseInteger(name: string, valueType: ValueType, v: unknown): number | bigint {
  const range = INTEGER_RANGES[valueType]!;
  let big: bigint;
  if (typeof v === "number" && Number.isInteger(v)) big = BigInt(v);
  else if (typeof v === "bigint") big = v;
  else if (typeof v === "string" && INTEGER_TEXT.test(v)) big = BigInt(v);
  else throw valueInvalid(name, `expected an integer for ${valueType}`, v);
  if (big < range[0] || big > range[1]) throw valueOutOfRange(name, `${big} is outside the ${valueType} range [${range[0]}, ${range[1]}]`, v);
  return valueType === "Int64" || valueType === "Uint64" ? big : Number(big);
}

function floatFromBase64(text: string, bytes: 4 | 8): number | undefined {
  // Go base64.StdEncoding: padded, so the length is a multiple of 4.
  if (text.length % 4 !== 0 || !BASE64_TEXT.test(text)) return undefined;
  const buf = Buffer.from(text, "base64");
  if (buf.length !== bytes) return undefined;
  const f = bytes === 4 ? buf.readFloatBE(0) : buf.readDoubleBE(0);
  return Number.isNaN(f) ? undefined : f;
}

function parseFloatValue(name: string, valueType: "Float32" | "Float64", v: unknown): number {
  let f: number | undefined;
  let decimal = false;
  if (typeof v === "number") f = v;
  else if (typeof v === "string") {
    const t = v.trim();
    const inf = INF_TEXT.exec(t);
    if (FLOAT_TEXT.test(t)) {
      f = Number(t);
      decimal = true;
    } else if (inf) f = inf[1] === "-" ? -Infinity : Infinity;
    else if (t.toLowerCase() === "nan") f = NaN;
    // EdgeX also accepts the big-endian IEEE-754 bytes of the value in base64.
    else f = floatFromBase64(t, valueType === "Float32" ? 4 : 8);
  }
  if (f === undefined) throw valueInvalid(name, `expected a number for ${valueType}`, v);
  const max = valueType === "Float32" ? MAX_FLOAT32 : Number.MAX_VALUE;
  // A decimal too large for the type is a range error (Go's ParseFloat answers ErrRange); "Inf" is allowed.
  if ((decimal && !Number.isFinite(f)) || (Number.isFinite(f) && Math.abs(f) > max)) {
    throw valueOutOfRange(name, `outside the ${valueType} range`, v);
  }
  return valueType === "Float32" ? Math.fround(f) : f;
}

function parseScalar(name: string, valueType: ValueType, v: unknown): RawValue {
  switch (valueType) {
    case "Bool":
      return parseBool(name, v);
    case "String":
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
      throw valueInvalid(name, "expected a String", v);
    case "Float32":
    case "Float64":
      return parseFloatValue(name, valueType, v);
    default:
      if (INTEGER_RANGES[valueType] !== undefined) return parseInteger(name, valueType, v);
      throw valueInvalid(name, `values of type ${valueType} cannot be written`, v);
  }
}

function jsonOf(name: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw valueInvalid(name, `expected ${what} as JSON`, text);
  }
}

/** Splits "[1, 2, 3]" the way device-sdk-go does for unsigned arrays (no JSON: elements are bare). */
function splitBracketList(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith("[") || !t.endsWith("]")) return undefined;
  const inner = t.slice(1, -1).trim();
  return inner === "" ? [] : inner.split(",").map((s) => s.trim());
}

function parseArray(name: string, valueType: ValueType, el: ValueType, v: unknown): RawValue[] {
  let items: unknown[] | undefined;
  if (Array.isArray(v)) items = v;
  else if (typeof v === "string") {
    if (el === "String") {
      const parsed = jsonOf(name, v, "a JSON array of strings");
      if (Array.isArray(parsed)) items = parsed;
    } else {
      items = splitBracketList(v);
    }
  }
  if (items === undefined) throw valueInvalid(name, `expected an array for ${valueType}`, v);
  if (el === "String" && !items.every((x) => typeof x === "string")) throw valueInvalid(name, "expected an array of strings", v);
  return items.map((x, i) => {
    if (el !== "String" && typeof x === "string" && x.trim() === "") throw valueInvalid(`${name}[${i}]`, "empty element", v);
    return parseScalar(`${name}[${i}]`, el, x);
  });
}

function parseObject(name: string, valueType: "Object" | "ObjectArray", v: unknown): RawValue {
  const value = typeof v === "string" ? jsonOf(name, v, valueType === "Object" ? "an object" : "an array of objects") : v;
  const isObj = (x: unknown): boolean => typeof x === "object" && x !== null && !Array.isArray(x);
  if (valueType === "Object" && isObj(value)) return value as RawValue;
  if (valueType === "ObjectArray" && Array.isArray(value) && value.every(isObj)) return value as RawValue;
  throw valueInvalid(name, valueType === "Object" ? "expected an object" : "expected an array of objects", v);
}

/**
 * Parses one SET value for resource `name` of `valueType` into its canonical RawValue.
 * Throws 400 VALUE_INVALID when the value is not of the type, VALUE_OUT_OF_RANGE when it exceeds the type's range.
 * Binary resources cannot be written (EdgeX forbids it): VALUE_INVALID.
 */
export function parseSetValue(name: string, valueType: ValueType, v: unknown): RawValue {
  if (v === null || v === undefined) throw valueInvalid(name, "no value");
  if (valueType !== "String" && typeof v === "string" && v.trim() === "") throw valueInvalid(name, `an empty string is not a ${valueType}`, v);
  if (valueType === "Binary") throw valueInvalid(name, "Binary resources cannot be written", v);
  if (valueType === "Object" || valueType === "ObjectArray") return parseObject(name, valueType, v);
  const el = elementType(valueType);
  return el === undefined ? parseScalar(name, valueType, v) : parseArray(name, valueType, el, v);
}
