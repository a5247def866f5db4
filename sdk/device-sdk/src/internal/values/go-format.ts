/**
 * Go's float formatting, as EdgeX writes reading values:
 * - {@link formatFloatE} is `strconv.FormatFloat(v, 'e', -1, bits)` (go-mod-core-contracts `NewSimpleReading`),
 *   e.g. 12.345 -> "1.2345e+01", 0 -> "0e+00".
 * - {@link formatFloatV} is `fmt.Sprintf("%v", v)` (device-sdk-go `CommandValue.ValueToString`, used for
 *   assertions and mappings), e.g. 12.5 -> "12.5", 1e6 -> "1e+06".
 * Both use the shortest digits that read back to the same float32 (bits 32) or float64 (bits 64).
 */

/** Decimal digits (no leading/trailing zeros) and the power of ten of the first digit. */
interface Digits {
  readonly digits: string;
  readonly exp: number;
}

/** The digits and exponent of `toExponential` output ("d.ddde+x" or "de-x", positive), from its "e" at `e`. */
function fromExponential(expForm: string, e: number): Digits {
  const mantissa = e === 1 ? expForm[0]! : expForm[0]! + expForm.slice(2, e);
  return normalize(mantissa, Number(expForm.slice(e + 1)));
}

/** Strips leading zeros (moving the exponent) and trailing zeros; a loop, not regular expressions: this runs per reading. */
function normalize(mantissa: string, exp: number): Digits {
  let start = 0;
  while (start < mantissa.length && mantissa.charCodeAt(start) === 48) start++;
  let end = mantissa.length;
  while (end > start && mantissa.charCodeAt(end - 1) === 48) end--;
  return { digits: start === end ? "0" : mantissa.slice(start, end), exp: exp - start };
}

/** Shortest digits of a positive finite float64: JS number-to-string already picks the shortest round-trip. */
function shortest64(v: number): Digits {
  const s = v.toExponential();
  return fromExponential(s, s.indexOf("e"));
}

const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);

/** True when the float32 `v` is a power of two, the one case where its rounding interval is narrower below it. */
function isPowerOfTwo32(v: number): boolean {
  F32[0] = v;
  return (F32_BITS[0]! & 0x7fffff) === 0;
}

/**
 * The p-digit decimal that reads back (as float32) to `v`, if there is one: the correctly rounded one, else (only
 * where the interval is lopsided, `lopsided`) its neighbour on the wider side, the closest to `v` that round-trips.
 */
function roundTrip32(v: number, p: number, lopsided: boolean): Digits | undefined {
  const rounded = v.toExponential(p - 1);
  const e = rounded.indexOf("e");
  // The correctly rounded p-digit decimal is the closest candidate: when it round-trips, it is the answer.
  if (Math.fround(Number(rounded)) === v) return fromExponential(rounded, e);
  // Elsewhere every other p-digit decimal is farther from v than the half-width of its symmetric interval.
  if (!lopsided) return undefined;
  const m = BigInt(rounded.slice(0, e).replace(".", ""));
  const scale = Number(rounded.slice(e + 1)) - (p - 1);
  let best: { m: bigint; dist: number } | undefined;
  for (const cand of [m - 1n, m + 1n]) {
    if (cand <= 0n) continue;
    const value = Number(`${cand}e${scale}`);
    if (Math.fround(value) !== v) continue;
    const dist = Math.abs(value - v);
    if (best === undefined || dist < best.dist) best = { m: cand, dist };
  }
  if (best === undefined) return undefined;
  const digits = best.m.toString();
  return normalize(digits, scale + digits.length - 1);
}

/** Powers of ten that are exact doubles. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * floor(log10(v)) for a positive float32, exact wherever {@link roundedTo} computes in doubles (Math.log10 can be
 * one off next to a power of ten, so the power itself decides).
 */
function decimalExponent(v: number): number {
  let e = Math.floor(Math.log10(v));
  if (e >= 0 && e < 22) {
    if (v < POW10[e]!) e--;
    else if (v >= POW10[e + 1]!) e++;
  } else if (e < 0 && e >= -12) {
    const x = v * POW10[-e]!; // exact: 24 bits times 5^12 fits a double
    if (x < 1) e--;
    else if (x >= 10) e++;
  }
  return e;
}

/**
 * The correctly rounded p-digit decimal of v (= d.ddd × 10^e10) as q × 10^-j, j = p - 1 - e10, computed exactly in
 * doubles where that is possible: v × 10^j for j from 0 to 12 (24 bits times 5^12 fits 53), or whole numbers below
 * 2^53 rounded to fewer digits than their integer part has (25 to one digit is 3e+01). NaN elsewhere, and where the
 * rounding interval is lopsided: those go the string way ({@link roundTrip32}).
 */
function roundedTo(v: number, p: number, e10: number, lopsided: boolean): number {
  const j = p - 1 - e10;
  if (lopsided) return NaN;
  if (j >= 0 && j <= 12) return Math.round(v * POW10[j]!); // ties away from zero, as toExponential
  if (j < 0 && j >= -22 && Number.isSafeInteger(v)) {
    const unit = POW10[-j]!;
    const r = v % unit;
    return (v - r) / unit + (2 * r >= unit ? 1 : 0);
  }
  return NaN;
}

/** q × 10^-j as the correctly rounded double, as parsing its text gives (one exact operation on exact doubles). */
function decimalValue(q: number, j: number): number {
  return j >= 0 ? q / POW10[j]! : q * POW10[-j]!;
}

/** True when the p-digit decimal of {@link roundTrip32} exists: checked without strings where doubles are exact. */
function readsBack32(v: number, p: number, e10: number, lopsided: boolean): boolean {
  const q = roundedTo(v, p, e10, lopsided);
  if (Number.isNaN(q)) return roundTrip32(v, p, lopsided) !== undefined;
  return Math.fround(decimalValue(q, p - 1 - e10)) === v;
}

/** The digits of that decimal (made once, for the length the search settled on). */
function digits32(v: number, p: number, e10: number, lopsided: boolean): Digits | undefined {
  const q = roundedTo(v, p, e10, lopsided);
  if (Number.isNaN(q)) return roundTrip32(v, p, lopsided);
  if (Math.fround(decimalValue(q, p - 1 - e10)) !== v) return undefined;
  // 9.995 to three digits is 10.0: one digit more, and the exponent one up.
  return q === POW10[p] ? { digits: "1", exp: e10 + 1 } : normalize(String(q), e10);
}

/**
 * Shortest digits that read back (as float32) to the float32 `v`; among equal lengths, the closest to `v`. Nine
 * digits always round-trip, and a length that round-trips makes every longer one round-trip too (the closest
 * decimal of more digits is never farther away), so the shortest length is found by bisection: 3 or 4 tries, not 9.
 */
function shortest32(v: number): Digits {
  const lopsided = isPowerOfTwo32(v);
  const e10 = decimalExponent(v);
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readsBack32(v, mid, e10, lopsided)) hi = mid;
    else lo = mid + 1;
  }
  return digits32(v, lo, e10, lopsided) ?? shortest64(v);
}

function digitsOf(v: number, bits: 32 | 64): Digits {
  return bits === 32 ? shortest32(Math.fround(v)) : shortest64(v);
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return undefined;
}

function fmtE(sign: string, d: Digits): string {
  const mant = d.digits.length > 1 ? `${d.digits[0]}.${d.digits.slice(1)}` : d.digits;
  const abs = Math.abs(d.exp);
  return `${sign}${mant}e${d.exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

function fmtF(sign: string, d: Digits): string {
  const dp = d.exp + 1; // digits before the decimal point
  const nd = d.digits.length;
  if (dp <= 0) return `${sign}0.${"0".repeat(-dp)}${d.digits}`;
  if (dp >= nd) return `${sign}${d.digits}${"0".repeat(dp - nd)}`;
  return `${sign}${d.digits.slice(0, dp)}.${d.digits.slice(dp)}`;
}

/** `strconv.FormatFloat(v, 'e', -1, bits)`: "1.2345e+01", "-5e-07", "0e+00", "NaN", "+Inf". */
export function formatFloatE(v: number, bits: 32 | 64): string {
  const s = special(v);
  if (s !== undefined) return s;
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  if (v === 0) return `${sign}0e+00`;
  return fmtE(sign, digitsOf(Math.abs(v), bits));
}

/** `fmt.Sprintf("%v", v)` for float32 (bits 32) or float64: "12.5", "1e+06", "1.5e-05", "NaN", "+Inf". */
export function formatFloatV(v: number, bits: 32 | 64): string {
  const s = special(v);
  if (s !== undefined) return s;
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  if (v === 0) return `${sign}0`;
  const d = digitsOf(Math.abs(v), bits);
  // strconv 'g' with shortest precision: %e when exp < -4 || exp >= 6.
  return d.exp < -4 || d.exp >= 6 ? fmtE(sign, d) : fmtF(sign, d);
}
