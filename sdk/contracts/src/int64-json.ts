/**
 * JSON with exact int64 nanosecond timestamps.
 *
 * EdgeX writes `origin`, `created` and `modified` as JSON integers of up to 19 digits, which a JS number cannot hold.
 * Brink keeps them as `bigint` in memory. {@link stringifyJson} writes bigints as bare JSON integers, and
 * {@link parseJson} reads the fields named in {@link INT64_FIELDS} back as bigints without losing a digit.
 * (Node 20 has neither `JSON.rawJSON` nor reviver source access, so both directions do a small text pass.)
 * The passes mark integers with a string that starts with a NUL character: a string value that is exactly NUL,
 * `i64:` and digits cannot be told from a marked integer and is read as one.
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

// What a quoted long integer starts with once parsed: a NUL no JSON writer emits unescaped, then a tag. In the text
// the NUL is written as the escape `\u0000`, since a raw control character is not valid inside a JSON string.
const QUOTED_PREFIX = MARK;
const QUOTE_OPEN = '"\\u0000i64:';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Index of the `"` that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

/**
 * Quotes every JSON integer literal of 16+ characters that stands outside a string, so JSON.parse keeps its digits.
 * Strings are skipped whole (digits inside them are never touched), and so are fractions and exponents.
 */
function quoteLongIntegers(text: string): string {
  let out = "";
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end === -1) break; // unterminated: JSON.parse reports it
      i = end + 1;
      continue;
    }
    if (c !== 45 /* - */ && !isDigit(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    const next = text.charCodeAt(j);
    if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) {
      // A fraction or exponent belongs to this number: skip it whole, so its digits are never read as an integer.
      while (j < n) {
        const d = text.charCodeAt(j);
        if (!isDigit(d) && d !== 46 && d !== 101 && d !== 69 && d !== 43 /* + */ && d !== 45) break;
        j++;
      }
    } else if (j - i >= 16) {
      out += text.slice(last, i) + QUOTE_OPEN + text.slice(i, j) + '"';
      last = j;
    }
    i = j;
  }
  return last === 0 ? text : out + text.slice(last);
}

const INTEGER_TEXT = /^-?\d+$/;

// A string that merely looks like a marker (a user's own "\u0000i64:x") stays a string.
function revive(key: string, value: string): bigint | number | string {
  const digits = value.slice(QUOTED_PREFIX.length);
  if (!INTEGER_TEXT.test(digits)) return value;
  return INT64_FIELDS.has(key) ? BigInt(digits) : Number(digits);
}

// Rewrites parsed values in place: quoted long integers back to numbers (bigint in int64 fields), and integers in
// int64 fields to bigint. A walk costs a fraction of a JSON.parse reviver, which V8 runs slowly.
function reviveTree(node: object, marked: boolean): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      if (typeof v === "object" && v !== null) reviveTree(v, marked);
      else if (marked && typeof v === "string" && v.startsWith(QUOTED_PREFIX)) node[i] = revive(String(i), v);
    }
    return;
  }
  const o = node as Record<string, unknown>;
  for (const key in o) {
    const v = o[key];
    if (typeof v === "object" && v !== null) reviveTree(v, marked);
    else if (key === "__proto__") continue;
    else if (typeof v === "number") {
      if (INT64_FIELDS.has(key) && Number.isInteger(v)) o[key] = BigInt(v);
    } else if (marked && typeof v === "string" && v.startsWith(QUOTED_PREFIX)) o[key] = revive(key, v);
  }
}

/**
 * `JSON.parse` that reads the int64 fields ({@link INT64_FIELDS}) as bigint, exactly. Other long integers come back
 * as numbers, as JSON.parse would give them. Throws SyntaxError on malformed text.
 */
export function parseJson<T = unknown>(text: string): T {
  const prepared = LONG_INT.test(text) ? quoteLongIntegers(text) : text;
  const marked = prepared !== text;
  const value: unknown = JSON.parse(prepared);
  if (typeof value === "object" && value !== null) reviveTree(value, marked);
  else if (marked && typeof value === "string" && value.startsWith(QUOTED_PREFIX)) return revive("", value) as T;
  return value as T;
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
