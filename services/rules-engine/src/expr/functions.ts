/**
 * The plain functions an expression may call. Each takes and returns primitive values; numbers are coerced with
 * `Number()` (so a numeric string works, and anything else gives NaN, which compares false).
 */
import type { Value } from "./types.js";

/** One callable function. */
export interface MathFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly apply: (args: readonly Value[]) => Value;
}

const n = (v: Value | undefined): number => (typeof v === "number" ? v : Number(v));

function fn(minArgs: number, maxArgs: number, apply: (args: readonly Value[]) => Value): MathFunction {
  return { minArgs, maxArgs, apply };
}

/** Functions by name. `min` and `max` with one argument are window aggregates instead (see compile.ts). */
export const MATH_FUNCTIONS: Readonly<Record<string, MathFunction>> = Object.freeze({
  abs: fn(1, 1, (a) => Math.abs(n(a[0]))),
  ceil: fn(1, 1, (a) => Math.ceil(n(a[0]))),
  floor: fn(1, 1, (a) => Math.floor(n(a[0]))),
  sqrt: fn(1, 1, (a) => Math.sqrt(n(a[0]))),
  /** round(x) to an integer, round(x, digits) to that many decimals. */
  round: fn(1, 2, (a) => {
    const digits = a.length > 1 ? n(a[1]) : 0;
    const factor = 10 ** digits;
    return Math.round(n(a[0]) * factor) / factor;
  }),
  pow: fn(2, 2, (a) => n(a[0]) ** n(a[1])),
  /** clamp(x, low, high) */
  clamp: fn(3, 3, (a) => Math.min(Math.max(n(a[0]), n(a[1])), n(a[2]))),
  /** min(a, b, ...) of two or more values. */
  min: fn(2, Infinity, (a) => Math.min(...a.map(n))),
  /** max(a, b, ...) of two or more values. */
  max: fn(2, Infinity, (a) => Math.max(...a.map(n))),
  /** number("12.5") -> 12.5; true -> 1. */
  number: fn(1, 1, (a) => n(a[0])),
  /** string(x): the text of a value. */
  string: fn(1, 1, (a) => String(a[0])),
  /** contains(text, part): whether a string contains another. */
  contains: fn(2, 2, (a) => String(a[0]).includes(String(a[1]))),
});
