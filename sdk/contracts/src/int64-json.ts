/**
 * JSON with exact int64 nanosecond timestamps.
 *
 * EdgeX writes `origin`, `created` and `modified` as JSON integers of up to 19 digits, which a JS number cannot hold.
 * Brink keeps them as `bigint` in memory. {@link stringifyJson} writes bigints as bare JSON integers, and
 * {@link parseJson} reads the fields named in {@link INT64_FIELDS} back as bigints without losing a digit.
 * (Node 20 has neither `JSON.rawJSON` nor reviver source access, so both directions do a small text pass.)
 */

/** Field names whose JSON integers are read back as bigint by {@link parseJson}. */
export const INT64_FIELDS: ReadonlySet<string> = new Set(["origin", "created", "modified", "timestamp"]);

const MARK = "\u0000i64:";
const MARKED = /"\\u0000i64:(-?\d+)"/g;

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? MARK + value.toString() : value;
}

/** `JSON.stringify` that writes bigint values as bare JSON integers. */
export function stringifyJson(value: unknown, space?: number): string {
  const text = JSON.stringify(value, bigintReplacer, space);
  if (text === undefined) return "null";
  return text.includes("\\u0000i64:") ? text.replace(MARKED, "$1") : text;
}

// Integers with 16 or more digits may exceed 2^53; only those need care.
const LONG_INT = /\d{16}/;

/**
 * Quotes every JSON integer literal of 16+ digits that stands outside a string, so JSON.parse keeps its digits.
 * The scan tracks string state, so digits inside string values are never touched.
 */
function quoteLongIntegers(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d < 48 || d > 57) break;
        j++;
      }
      const next = text.charCodeAt(j);
      const isInteger = next !== 46 /* . */ && next !== 101 /* e */ && next !== 69; /* E */
      if (isInteger && j - i >= 16) {
        out += text.slice(last, i) + '"' + MARK.slice(1) + text.slice(i, j) + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

const QUOTED_PREFIX = MARK.slice(1);

function int64Reviver(key: string, value: unknown): unknown {
  if (typeof value === "string" && value.startsWith(QUOTED_PREFIX)) {
    const digits = value.slice(QUOTED_PREFIX.length);
    return INT64_FIELDS.has(key) ? BigInt(digits) : Number(digits);
  }
  if (typeof value === "number" && INT64_FIELDS.has(key) && Number.isInteger(value)) return BigInt(value);
  return value;
}

/**
 * `JSON.parse` that reads the int64 fields ({@link INT64_FIELDS}) as bigint, exactly. Other long integers come back
 * as numbers, as JSON.parse would give them. Throws SyntaxError on malformed text.
 */
export function parseJson<T = unknown>(text: string): T {
  const prepared = LONG_INT.test(text) ? quoteLongIntegers(text) : text;
  return JSON.parse(prepared, int64Reviver) as T;
}

/** Coerces a timestamp given as bigint, number or decimal string to bigint nanoseconds; undefined if not integral. */
export function toNanos(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** Current wall-clock time in Unix nanoseconds, with microsecond resolution from the monotonic clock. */
export function nowNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
