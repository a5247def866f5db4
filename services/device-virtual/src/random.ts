/**
 * Random raw values for the virtual driver, by value type, inside a resource's `minimum`/`maximum` when it has them
 * and inside the type's own range otherwise (as EdgeX's device-virtual-go does).
 */
import { INTEGER_RANGES, elementType, isFloatType, isIntegerType, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";

/** A source of uniform random numbers in [0, 1), such as `Math.random`. */
export type RandomSource = () => number;

/** Elements in a random array value, as EdgeX's `defaultArrayValueSize`. */
export const RANDOM_ARRAY_LENGTH = 5;

/** Largest finite Float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const TWO_POW_32 = 4294967296;
const MAX_EXACT_SPAN = 2n ** 53n;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const RANDOM_STRING_LENGTH = 8;

/** Bounds a resource puts on its values; either may be absent. */
export interface ValueBounds {
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The inclusive integer range to draw from: the type's range narrowed by the resource's bounds. */
export function integerRange(type: ValueType, bounds: ValueBounds): readonly [bigint, bigint] {
  const range = INTEGER_RANGES[type];
  if (!range) throw new TypeError(`${type} is not an integer type`);
  let [lo, hi] = range;
  if (Number.isFinite(bounds.minimum)) lo = maxBig(lo, BigInt(Math.ceil(bounds.minimum!)));
  if (Number.isFinite(bounds.maximum)) hi = minBig(hi, BigInt(Math.floor(bounds.maximum!)));
  if (lo > hi) {
    // No integer lies in [minimum, maximum] (such as 0.2..0.8): keep to the bound nearest the type's range.
    const v = minBig(maxBig(lo, range[0]), range[1]);
    return [v, v];
  }
  return [lo, hi];
}

/** A uniform random integer in [lo, hi]. */
export function randomBigInt(lo: bigint, hi: bigint, random: RandomSource): bigint {
  const span = hi - lo + 1n;
  if (span <= MAX_EXACT_SPAN) return lo + BigInt(Math.floor(random() * Number(span)));
  const high = BigInt(Math.floor(random() * TWO_POW_32));
  const low = BigInt(Math.floor(random() * TWO_POW_32));
  return lo + (((high << 32n) | low) % span);
}

/** A random integer of an integer type: a number for 8..32-bit types, a bigint for Int64 and Uint64. */
export function randomInteger(type: ValueType, bounds: ValueBounds, random: RandomSource): number | bigint {
  const [lo, hi] = integerRange(type, bounds);
  const v = randomBigInt(lo, hi, random);
  return type === "Int64" || type === "Uint64" ? v : Number(v);
}

/** The float range to draw from: the type's finite range narrowed by the resource's bounds. */
export function floatRange(type: ValueType, bounds: ValueBounds): readonly [number, number] {
  const limit = type === "Float32" ? FLOAT32_MAX : Number.MAX_VALUE;
  const lo = Number.isFinite(bounds.minimum) ? Math.max(-limit, bounds.minimum!) : -limit;
  const hi = Number.isFinite(bounds.maximum) ? Math.min(limit, bounds.maximum!) : limit;
  return lo <= hi ? [lo, hi] : [lo, lo];
}

/** A random Float32 or Float64 in the resource's range; Float32 values are exactly representable in 32 bits. */
export function randomFloat(type: ValueType, bounds: ValueBounds, random: RandomSource): number {
  const [lo, hi] = floatRange(type, bounds);
  const width = hi - lo;
  // Over the whole float range `hi - lo` overflows to Infinity; sum two draws instead, as EdgeX does.
  const raw = Number.isFinite(width) ? lo + random() * width : random() * lo + random() * hi;
  const v = Math.min(hi, Math.max(lo, raw));
  return type === "Float32" ? float32Within(v, lo, hi) : v;
}

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** The Float32 nearest to `v` that lies in [lo, hi] when one exists there; `Math.fround(v)` otherwise. */
export function float32Within(v: number, lo: number, hi: number): number {
  let f = Math.fround(v);
  for (let i = 0; i < 4 && f > hi; i++) f = stepFloat32(f, -1);
  for (let i = 0; i < 4 && f < lo; i++) f = stepFloat32(f, 1);
  return f >= lo && f <= hi ? f : Math.fround(v);
}

/** The next Float32 after `f` towards +Infinity (`direction` 1) or -Infinity (-1). */
function stepFloat32(f: number, direction: 1 | -1): number {
  if (f === 0) return direction * 1.401298464324817e-45;
  f32[0] = f;
  f32Bits[0] = f32Bits[0]! + ((f > 0) === (direction > 0) ? 1 : -1);
  return f32[0];
}

/** `length` random bytes. */
export function randomBytes(length: number, random: RandomSource): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** A random scalar of any non-array, non-object type (Binary excluded). */
export function randomScalar(type: ValueType, bounds: ValueBounds, random: RandomSource): RawValue {
  if (type === "Bool") return random() < 0.5;
  if (isIntegerType(type)) return randomInteger(type, bounds, random);
  if (isFloatType(type)) return randomFloat(type, bounds, random);
  if (type === "String") {
    let s = "";
    for (let i = 0; i < RANDOM_STRING_LENGTH; i++) s += ALPHANUMERIC[Math.floor(random() * ALPHANUMERIC.length)];
    return s;
  }
  throw new TypeError(`no random scalar for ${type}`);
}

/**
 * A random value of a simple type: scalars, and arrays of {@link RANDOM_ARRAY_LENGTH} random elements.
 * Binary, Object and ObjectArray are not handled here (the driver treats them on their own).
 */
export function randomSimpleValue(type: ValueType, bounds: ValueBounds, random: RandomSource): RawValue {
  const element = elementType(type);
  if (element === undefined) return randomScalar(type, bounds, random);
  return Array.from({ length: RANDOM_ARRAY_LENGTH }, () => randomScalar(element, bounds, random));
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
