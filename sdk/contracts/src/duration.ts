/**
 * Go duration strings (`time.ParseDuration` / `Duration.String()`), as EdgeX writes AutoEvent intervals and timeouts:
 * a sequence of decimal numbers with units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, such as `500ms`, `1m30s`, `2.5s`.
 */
import { ErrorCode, ValidationError } from "./errors.js";

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // µ MICRO SIGN
  "\u03bcs": 1_000n, // μ GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// Longer units first, so `ms` is not read as `m` followed by `s`.
const WHOLE = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const PART = /(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;
const MAX_NS = (1n << 63n) - 1n;

function invalid(text: string, why: string): ValidationError {
  return new ValidationError(ErrorCode.DurationInvalid, "duration", [{ path: "", message: `"${text}": ${why}` }]);
}

/**
 * Parses a Go duration into nanoseconds, exactly.
 * @throws ValidationError with code DURATION_INVALID when `text` is not a Go duration or exceeds int64 nanoseconds.
 */
export function parseGoDurationNanos(text: string): bigint {
  if (typeof text !== "string") throw invalid(String(text), "not a string");
  const sign = text.startsWith("-") ? -1n : 1n;
  const body = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  if (body === "0") return 0n;
  if (!WHOLE.test(text)) throw invalid(text, "expected a Go duration such as 500ms, 1m30s, 2.5s or 1h");
  let total = 0n;
  for (const m of body.matchAll(PART)) {
    const unit = NS_PER_UNIT[m[3]!]!;
    const whole = m[1] ?? "";
    const frac = m[2] ?? "";
    total += (whole === "" ? 0n : BigInt(whole)) * unit;
    // Go truncates the fractional part to whole nanoseconds.
    if (frac !== "") total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    if (total > MAX_NS + (sign < 0n ? 1n : 0n)) throw invalid(text, "out of range (over about 292 years)");
  }
  return sign * total;
}

/**
 * Parses a Go duration (`500ms`, `1m30s`, `1h`, `2.5s`, `100us`, `1µs`, `0`) and returns milliseconds, which may be
 * fractional (`100us` is 0.1).
 * @throws ValidationError with code DURATION_INVALID otherwise.
 */
export function parseGoDuration(text: string): number {
  return Number(parseGoDurationNanos(text)) / 1e6;
}

/** Writes `value` nanoseconds as `<int>[.<frac>]` of `unitNs`, without trailing zeros in the fraction. */
function fraction(value: bigint, unitNs: bigint, digits: number): string {
  const whole = value / unitNs;
  const rest = value % unitNs;
  if (rest === 0n) return whole.toString();
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * Formats milliseconds as Go's `Duration.String()` does: `1h0m0s`, `1m30s`, `2.5s`, `500ms`, `100µs`, `0s`.
 * The value is rounded to whole nanoseconds.
 */
export function formatGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u === 0n) return "0s";
  if (u < 1_000n) out = `${u}ns`;
  else if (u < 1_000_000n) out = `${fraction(u, 1_000n, 3)}\u00b5s`;
  else if (u < 1_000_000_000n) out = `${fraction(u, 1_000_000n, 6)}ms`;
  else {
    const seconds = fraction(u % 60_000_000_000n, 1_000_000_000n, 9);
    const totalMinutes = u / 60_000_000_000n;
    if (totalMinutes === 0n) out = `${seconds}s`;
    else {
      const hours = totalMinutes / 60n;
      out = `${hours > 0n ? `${hours}h` : ""}${totalMinutes % 60n}m${seconds}s`;
    }
  }
  return neg ? `-${out}` : out;
}
