/**
 * Numeric transforms of device resource values, with device-sdk-go's semantics (internal/transformer):
 *
 * Read (raw -> engineering), in this order, each skipped at its neutral value:
 *   mask   `v & mask`                      unsigned integer types only (mask 0 = none)
 *   shift  `v << shift`, `v >> -shift`     unsigned integer types only, bits beyond the type's width are lost
 *   base   `base ** v`                     (base 0 = none)
 *   scale  `v * scale`                     (scale 1 = none)
 *   offset `v + offset`                    (offset 0 = none)
 * A result outside the value type's range (or NaN/Infinity) is an overflow; a NaN float read is reported as NaN.
 * The caller turns both into a String reading "overflow" / "NaN", as EdgeX does.
 *
 * Write (engineering -> raw), the inverse, in reverse order: offset (`v - offset`), scale (`v / scale`),
 * base (`log(v) / log(base)`). Mask and shift are not invertible and are not applied to writes (EdgeX neither).
 *
 * Integer results are truncated toward zero (Go's float-to-int conversion). One deliberate difference from EdgeX:
 * for integer types EdgeX multiplies by the scale truncated to an integer (so a scale of 0.1 yields 0); Brink
 * multiplies by the real scale and truncates the product. 64-bit integers with integral factors stay exact.
 */
import { INTEGER_RANGES, elementType, isFloatType, type ResourceProperties, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../driver.js";
import { valueOutOfRange } from "../../errors.js";
import { MAX_FLOAT32, isNumericScalar } from "../values/codec.js";

/** Outcome of {@link transformRead}. */
export type ReadTransformResult =
  | { readonly kind: "value"; readonly value: RawValue }
  | { readonly kind: "overflow" }
  | { readonly kind: "nan" };

type Num = number | bigint;

const UNSIGNED_BITS: Partial<Record<ValueType, bigint>> = { Uint8: 8n, Uint16: 16n, Uint32: 32n, Uint64: 64n };

/** Reads a numeric property that YAML may have given as a string; undefined when absent or not a number. */
export function numericProperty(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const transformed = new WeakMap<ResourceProperties, boolean>();

/**
 * True when a read of this resource changes its value: a numeric scalar with a mask or shift (unsigned types), a
 * base, a scale other than 1 or an offset other than 0. Worked out once per properties object; the poll path skips
 * {@link transformRead} for the many resources that have none.
 */
export function hasReadTransforms(valueType: ValueType, props: ResourceProperties): boolean {
  if (!isNumericScalar(valueType)) return false;
  let known = transformed.get(props);
  if (known === undefined) {
    const set = (v: unknown, identity: number): boolean => {
      const n = numericProperty(v);
      return n !== undefined && n !== identity;
    };
    known = set(props.base, 0) || set(props.scale, 1) || set(props.offset, 0) || (UNSIGNED_BITS[valueType] !== undefined && (set(props.mask, 0) || set(props.shift, 0)));
    transformed.set(props, known);
  }
  return known;
}

function is64(valueType: ValueType): boolean {
  return valueType === "Int64" || valueType === "Uint64";
}

/** Brings a float result back to `valueType`, or undefined when it does not fit. */
function fromFloat(valueType: ValueType, f: number): Num | undefined {
  if (!Number.isFinite(f)) return undefined;
  if (isFloatType(valueType)) {
    if (valueType === "Float32") return Math.abs(f) > MAX_FLOAT32 ? undefined : Math.fround(f);
    return f;
  }
  return fromBig(valueType, BigInt(Math.trunc(f)));
}

function fromBig(valueType: ValueType, b: bigint): Num | undefined {
  const range = INTEGER_RANGES[valueType]!;
  if (b < range[0] || b > range[1]) return undefined;
  return is64(valueType) ? b : Number(b);
}

function applyFactor(valueType: ValueType, v: Num, factor: number, op: "mul" | "div" | "add" | "sub"): Num | undefined {
  if (typeof v === "bigint" && Number.isInteger(factor) && !(op === "div" && factor === 0)) {
    const f = BigInt(factor);
    const r = op === "mul" ? v * f : op === "div" ? v / f : op === "add" ? v + f : v - f;
    return fromBig(valueType, r);
  }
  const x = Number(v);
  const r = op === "mul" ? x * factor : op === "div" ? x / factor : op === "add" ? x + factor : x - factor;
  return fromFloat(valueType, r);
}

function maskAndShift(valueType: ValueType, v: Num, props: ResourceProperties): Num {
  const bits = UNSIGNED_BITS[valueType];
  if (bits === undefined) return v;
  const mask = numericProperty(props.mask);
  const shift = numericProperty(props.shift);
  if ((mask === undefined || mask === 0) && (shift === undefined || shift === 0)) return v;
  let b = BigInt(v);
  if (mask !== undefined && mask !== 0 && Number.isInteger(mask) && mask > 0) b &= BigInt(mask);
  if (shift !== undefined && shift !== 0 && Number.isInteger(shift)) {
    b = shift > 0 ? (b << BigInt(shift)) & ((1n << bits) - 1n) : b >> BigInt(-shift);
  }
  return is64(valueType) ? b : Number(b);
}

/** Applies the read transforms to a normalized raw value (non-numeric types pass through unchanged). */
export function transformRead(valueType: ValueType, raw: RawValue, props: ResourceProperties): ReadTransformResult {
  if (!isNumericScalar(valueType)) return { kind: "value", value: raw };
  if (isFloatType(valueType) && Number.isNaN(raw as number)) return { kind: "nan" };
  let v: Num | undefined = maskAndShift(valueType, raw as Num, props);
  const base = numericProperty(props.base);
  const scale = numericProperty(props.scale);
  const offset = numericProperty(props.offset);
  if (base !== undefined && base !== 0) v = fromFloat(valueType, Math.pow(base, Number(v)));
  if (v !== undefined && scale !== undefined && scale !== 1) v = applyFactor(valueType, v, scale, "mul");
  if (v !== undefined && offset !== undefined && offset !== 0) v = applyFactor(valueType, v, offset, "add");
  return v === undefined ? { kind: "overflow" } : { kind: "value", value: v };
}

/**
 * Applies the inverse transforms to a parsed SET value. Throws 400 VALUE_OUT_OF_RANGE when the raw result does
 * not fit the value type.
 */
export function transformWrite(name: string, valueType: ValueType, value: RawValue, props: ResourceProperties): RawValue {
  if (!isNumericScalar(valueType)) return value;
  let v: Num | undefined = value as Num;
  const base = numericProperty(props.base);
  const scale = numericProperty(props.scale);
  const offset = numericProperty(props.offset);
  if (offset !== undefined && offset !== 0) v = applyFactor(valueType, v, offset, "sub");
  if (v !== undefined && scale !== undefined && scale !== 1) v = applyFactor(valueType, v, scale, "div");
  if (v !== undefined && base !== undefined && base !== 0) v = fromFloat(valueType, Math.log(Number(v)) / Math.log(base));
  if (v === undefined) throw valueOutOfRange(name, `the raw value after the inverse transforms does not fit ${valueType}`, value);
  return v;
}

function compare(v: Num, limit: number): number {
  if (typeof v === "bigint" && Number.isInteger(limit)) {
    const l = BigInt(limit);
    return v < l ? -1 : v > l ? 1 : 0;
  }
  const x = Number(v);
  return x < limit ? -1 : x > limit ? 1 : 0;
}

/**
 * Checks a SET value against the resource's `minimum`/`maximum` (in engineering units, before the inverse
 * transforms, as EdgeX does). Numeric arrays are checked element by element. Throws 400 VALUE_OUT_OF_RANGE.
 */
export function checkWriteLimits(name: string, valueType: ValueType, value: RawValue, props: ResourceProperties): void {
  const min = numericProperty(props.minimum);
  const max = numericProperty(props.maximum);
  if (min === undefined && max === undefined) return;
  const check = (v: Num): void => {
    if (typeof v === "number" && Number.isNaN(v)) throw valueOutOfRange(name, "NaN is outside [minimum, maximum]", v);
    if (min !== undefined && compare(v, min) < 0) throw valueOutOfRange(name, `below the minimum ${min}`, v);
    if (max !== undefined && compare(v, max) > 0) throw valueOutOfRange(name, `above the maximum ${max}`, v);
  };
  if (isNumericScalar(valueType)) check(value as Num);
  else {
    const el = elementType(valueType);
    if (el !== undefined && Array.isArray(value) && isNumericScalar(el)) for (const x of value as readonly Num[]) check(x);
  }
}
