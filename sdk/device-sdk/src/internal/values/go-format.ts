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

function split(expForm: string): Digits {
  // expForm is JS toExponential output: "d.ddde+x" / "de-x"
  const e = expForm.indexOf("e");
  const mantissa = expForm.slice(0, e).replace(".", "");
  const exp = Number(expForm.slice(e + 1));
  return normalize(mantissa, exp);
}

function normalize(mantissa: string, exp: number): Digits {
  let m = mantissa.replace(/^0+/, "");
  const lead = mantissa.length - m.length;
  exp -= lead;
  m = m.replace(/0+$/, "");
  return { digits: m === "" ? "0" : m, exp };
}

/** Shortest digits of a positive finite float64: JS number-to-string already picks the shortest round-trip. */
function shortest64(v: number): Digits {
  return split(v.toExponential());
}

/** Shortest digits that read back (as float32) to the float32 `v`; among equal lengths, the closest to `v`. */
function shortest32(v: number): Digits {
  for (let p = 1; p <= 9; p++) {
    const rounded = v.toExponential(p - 1);
    const e = rounded.indexOf("e");
    // The correctly rounded p-digit decimal is the closest candidate: when it round-trips, it is the answer.
    if (Math.fround(Number(rounded)) === v) return normalize(rounded.slice(0, e).replace(".", ""), Number(rounded.slice(e + 1)));
    const m = BigInt(rounded.slice(0, e).replace(".", ""));
    const scale = Number(rounded.slice(e + 1)) - (p - 1);
    let best: { m: bigint; dist: number } | undefined;
    for (const cand of [m, m - 1n, m + 1n]) {
      if (cand <= 0n) continue;
      const value = Number(`${cand}e${scale}`);
      if (Math.fround(value) !== v) continue;
      const dist = Math.abs(value - v);
      if (best === undefined || dist < best.dist) best = { m: cand, dist };
    }
    if (best !== undefined) {
      const s = best.m.toString();
      return normalize(s, scale + s.length - 1);
    }
  }
  return shortest64(v);
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
