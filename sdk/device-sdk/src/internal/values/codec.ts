/**
 * The value codec: driver RawValues <-> EdgeX reading values.
 *
 * - {@link normalizeRaw} checks a value a driver returned against its resource's value type (JS type and integer
 *   range) and brings it to the canonical JS type (Int64/Uint64 -> bigint, Float32 -> float32-rounded number).
 * - {@link formatSimpleValue} writes a reading's `value` string exactly as EdgeX does (go-mod-core-contracts
 *   `NewSimpleReading`): floats as `strconv.FormatFloat(v, 'e', -1, bits)`, integers in decimal, arrays as Go's
 *   `%v` with ", " separators ("[1, 2]", "[1.5e+00, 2e+00]").
 * - {@link goValueString} is device-sdk-go's `ValueToString` (`%v`), the key for assertions and mappings.
 */
import { INTEGER_RANGES, elementType, isFloatType, isIntegerType, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../driver.js";
import { formatFloatE, formatFloatV } from "./go-format.js";

/** Largest finite float32. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

/** Result of {@link normalizeRaw}: the canonical value, or what is wrong with the input. */
export type NormalizeResult = { ok: true; value: RawValue } | { ok: false; problem: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * A scalar value type whose canonical JS value needs no converting: Int8..Uint32 (a number in [min, max]), Float32
 * (a number float32 holds exactly), Float64, Bool and String. Int64/Uint64 (bigints), arrays, Binary and Object have
 * none.
 */
export interface ScalarCodec {
  readonly valueType: ValueType;
  readonly kind: "int" | "f32" | "f64" | "bool" | "string";
  readonly min: number;
  readonly max: number;
}

const SCALAR_CODECS: Partial<Record<ValueType, ScalarCodec>> = Object.fromEntries([
  // Int64/Uint64 are bigints, not numbers: they have no codec.
  ...Object.entries(INTEGER_RANGES)
    .filter(([valueType]) => valueType !== "Int64" && valueType !== "Uint64")
    .map(([valueType, range]) => [valueType, { valueType, kind: "int", min: Number(range![0]), max: Number(range![1]) }]),
  ...(
    [
      ["Float32", "f32"],
      ["Float64", "f64"],
      ["Bool", "bool"],
      ["String", "string"],
    ] as const
  ).map(([valueType, kind]) => [valueType, { valueType, kind, min: 0, max: 0 }]),
]);

/** The {@link ScalarCodec} of a value type, or undefined when it has none. */
export function scalarCodecOf(valueType: ValueType): ScalarCodec | undefined {
  return SCALAR_CODECS[valueType];
}

function isCanonical(c: ScalarCodec, v: unknown): boolean {
  switch (c.kind) {
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= c.min && v <= c.max;
    case "f64":
      return typeof v === "number";
    case "f32":
      return typeof v === "number" && Math.fround(v) === v;
    case "bool":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
  }
}

/**
 * The common case of {@link normalizeRaw} without allocating: a scalar that is already canonical comes back as is.
 * Returns undefined when the value needs converting or is wrong; ask {@link normalizeRaw} then.
 */
export function canonicalScalar(valueType: ValueType, v: unknown): RawValue | undefined {
  const c = SCALAR_CODECS[valueType];
  return c !== undefined && isCanonical(c, v) ? (v as RawValue) : undefined;
}

/**
 * The reading text of a value that is canonical for `c` and not NaN, as {@link formatSimpleValue} writes it; undefined
 * for any other value (the poll's fast path sends it the long way, which converts it or says what is wrong).
 */
export function canonicalText(c: ScalarCodec, v: unknown): string | undefined {
  if (!isCanonical(c, v) || (typeof v === "number" && Number.isNaN(v))) return undefined;
  return scalarText(c.valueType, v as RawValue);
}

function normalizeScalar(valueType: ValueType, v: unknown): NormalizeResult {
  switch (valueType) {
    case "Bool":
      return typeof v === "boolean" ? { ok: true, value: v } : { ok: false, problem: `expected a boolean, got ${typeName(v)}` };
    case "String":
      return typeof v === "string" ? { ok: true, value: v } : { ok: false, problem: `expected a string, got ${typeName(v)}` };
    case "Float32":
    case "Float64":
      if (typeof v !== "number") return { ok: false, problem: `expected a number, got ${typeName(v)}` };
      return { ok: true, value: valueType === "Float32" ? Math.fround(v) : v };
    default:
      break;
  }
  const range = INTEGER_RANGES[valueType];
  if (range === undefined) return { ok: false, problem: `unsupported value type ${valueType}` };
  let big: bigint;
  if (typeof v === "bigint") big = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) big = BigInt(v);
  else return { ok: false, problem: `expected an integer, got ${typeName(v)} ${String(v)}` };
  if (big < range[0] || big > range[1]) return { ok: false, problem: `${big} is outside the ${valueType} range [${range[0]}, ${range[1]}]` };
  return { ok: true, value: valueType === "Int64" || valueType === "Uint64" ? big : Number(big) };
}

/**
 * Checks that a driver's value has the JS type its value type asks for, and returns it in canonical form:
 * Int8..Uint32 as number, Int64/Uint64 as bigint (safe-integer numbers are accepted), Float32 rounded to float32,
 * Binary as Uint8Array, arrays element by element, Object as a plain object, ObjectArray as an array of them.
 */
export function normalizeRaw(valueType: ValueType, v: unknown): NormalizeResult {
  if (valueType === "Binary") {
    return v instanceof Uint8Array ? { ok: true, value: v } : { ok: false, problem: `expected a Uint8Array, got ${typeName(v)}` };
  }
  if (valueType === "Object") {
    return isPlainObject(v) ? { ok: true, value: v } : { ok: false, problem: `expected an object, got ${typeName(v)}` };
  }
  if (valueType === "ObjectArray") {
    if (!Array.isArray(v) || !v.every(isPlainObject)) return { ok: false, problem: `expected an array of objects, got ${typeName(v)}` };
    return { ok: true, value: v as RawValue };
  }
  const el = elementType(valueType);
  if (el === undefined) return normalizeScalar(valueType, v);
  if (!Array.isArray(v)) return { ok: false, problem: `expected an array, got ${typeName(v)}` };
  const out: RawValue[] = [];
  for (let i = 0; i < v.length; i++) {
    const r = normalizeScalar(el, v[i]);
    if (!r.ok) return { ok: false, problem: `[${i}]: ${r.problem}` };
    out.push(r.value);
  }
  return { ok: true, value: out };
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array) return "Uint8Array";
  return typeof v;
}

function scalarText(valueType: ValueType, v: RawValue): string {
  if (valueType === "Float32") return formatFloatE(v as number, 32);
  if (valueType === "Float64") return formatFloatE(v as number, 64);
  return String(v);
}

/**
 * The `value` string of an EdgeX SimpleReading for a normalized raw value (see {@link normalizeRaw}).
 * Arrays follow Go's `%v` with every space replaced by ", " (EdgeX's own rule, so a StringArray element that
 * contains a space is split in the text, exactly as EdgeX does).
 */
export function formatSimpleValue(valueType: ValueType, v: RawValue): string {
  const el = elementType(valueType);
  if (el === undefined) return scalarText(valueType, v);
  const items = v as readonly RawValue[];
  if (el === "Float32" || el === "Float64") return `[${items.map((x) => scalarText(el, x)).join(", ")}]`;
  return `[${items.map((x) => String(x)).join(" ")}]`.replaceAll(" ", ", ");
}

/** device-sdk-go's `CommandValue.ValueToString()` (Go `%v`): the text assertions and mappings compare with. */
export function goValueString(valueType: ValueType, v: RawValue): string {
  if (valueType === "Float32") return formatFloatV(v as number, 32);
  if (valueType === "Float64") return formatFloatV(v as number, 64);
  if (valueType === "Binary" || valueType === "Object" || valueType === "ObjectArray") return jsonText(v);
  const el = elementType(valueType);
  if (el === undefined) return String(v);
  return `[${(v as readonly RawValue[]).map((x) => goValueString(el, x)).join(" ")}]`;
}

function jsonText(v: RawValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/** True when values of this type go through the numeric transforms (scalar integers and floats). */
export function isNumericScalar(valueType: ValueType): boolean {
  return isIntegerType(valueType) || isFloatType(valueType);
}

/** Base64 text of bytes, for BinaryReading.binaryValue. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
