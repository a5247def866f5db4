/**
 * Request and write templates: text with `{name}` or `{name:format}` placeholders, filled from the resource's
 * attributes, the device's `serial` protocol block and, for writes, `{value}`. `{{` and `}}` are literal braces;
 * backslash escapes (`\r\n`, `\x02`) are decoded in the literal text; each character is one byte (latin1).
 *
 * Formats:
 * - text: `d` integer, `f` fixed-point (`.2f`, `8.3f`, `08.3f`), `x`/`X` hex, `s` string; a width pads with spaces,
 *   a leading `0` with zeros (`05d`, `02X`).
 * - binary: `u8 i8 u16 i16 u32 i32 u64 i64 f32 f64`, big-endian unless suffixed `le` (`u16le`, `f32be`).
 * Without a format, numbers are written in their shortest exact decimal form, booleans as `true`/`false`, objects as
 * JSON and Binary values as their bytes.
 */
import { isLatin1, latin1Bytes, unescapeText } from "./bytes.js";

/** A literal run of bytes or a placeholder. */
type Part = { readonly literal: Buffer } | { readonly name: string; readonly format: Format };

/** A parsed format. */
export type Format =
  | { readonly kind: "default" }
  | { readonly kind: "text"; readonly conversion: "d" | "f" | "x" | "X" | "s"; readonly width: number; readonly zero: boolean; readonly precision: number | undefined }
  | { readonly kind: "binary"; readonly type: BinaryType; readonly littleEndian: boolean };

/** Binary field types, in template formats and in `rawType`-less binary parsing. */
export type BinaryType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "f32" | "f64";

const BINARY_SIZES: Readonly<Record<BinaryType, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, f32: 4, f64: 8 };
const INT_RANGES: Readonly<Partial<Record<BinaryType, readonly [bigint, bigint]>>> = {
  u8: [0n, 0xffn],
  i8: [-0x80n, 0x7fn],
  u16: [0n, 0xffffn],
  i16: [-0x8000n, 0x7fffn],
  u32: [0n, 0xffffffffn],
  i32: [-0x80000000n, 0x7fffffffn],
  u64: [0n, 0xffffffffffffffffn],
  i64: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/** Thrown when a template or a value does not fit; callers turn it into their own ServiceError. */
export class TemplateProblem extends Error {}

/** Parses a format spec (the text after `:`). */
export function parseFormat(spec: string): Format {
  if (spec === "") return { kind: "default" };
  const bin = /^(u8|i8|u16|i16|u32|i32|u64|i64|f32|f64)(be|le)?$/.exec(spec);
  if (bin) return { kind: "binary", type: bin[1] as BinaryType, littleEndian: bin[2] === "le" };
  const text = /^(0?)(\d*)(?:\.(\d+))?([dfxXs])$/.exec(spec);
  if (!text) throw new TemplateProblem(`unknown format "${spec}" (text: d, .2f, 05d, x, 02X, s; binary: u8, i16, u32le, f32, ...)`);
  return {
    kind: "text",
    conversion: text[4] as "d" | "f" | "x" | "X" | "s",
    zero: text[1] === "0",
    width: text[2] === "" ? 0 : Number(text[2]),
    precision: text[3] === undefined ? undefined : Number(text[3]),
  };
}

/** A compiled template. */
export class Template {
  /** Placeholder names, in order (duplicates kept). */
  readonly names: readonly string[];
  private readonly constant: Buffer | undefined;

  private constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {
    this.names = parts.flatMap((p) => ("name" in p ? [p.name] : []));
    this.constant = parts.length === 0 ? Buffer.alloc(0) : parts.length === 1 && "literal" in parts[0]! ? parts[0].literal : undefined;
  }

  /**
   * Parses a template.
   * @throws TemplateProblem on an unbalanced brace, a bad placeholder or format, or a character that is not a byte
   */
  static compile(source: string): Template {
    const parts: Part[] = [];
    let literal = "";
    const flush = (): void => {
      if (literal === "") return;
      const text = unescapeText(literal);
      if (!isLatin1(text)) throw new TemplateProblem("templates hold bytes: characters above \\xFF are not allowed");
      parts.push({ literal: latin1Bytes(text) });
      literal = "";
    };
    for (let i = 0; i < source.length; i++) {
      const c = source[i]!;
      if (c === "{" && source[i + 1] === "{") {
        literal += "{";
        i++;
      } else if (c === "}" && source[i + 1] === "}") {
        literal += "}";
        i++;
      } else if (c === "{") {
        const close = source.indexOf("}", i);
        if (close < 0) throw new TemplateProblem(`unclosed "{" at ${i}`);
        const m = /^([A-Za-z_][\w.-]*)(?::(.*))?$/.exec(source.slice(i + 1, close));
        if (!m) throw new TemplateProblem(`bad placeholder "${source.slice(i, close + 1)}" (write {name} or {name:format}; {{ for a brace)`);
        flush();
        parts.push({ name: m[1]!, format: parseFormat(m[2] ?? "") });
        i = close;
      } else if (c === "}") {
        throw new TemplateProblem(`unmatched "}" at ${i} (write }} for a brace)`);
      } else literal += c;
    }
    flush();
    return new Template(source, parts);
  }

  /**
   * The bytes of the template with its placeholders filled from `lookup`.
   * @throws TemplateProblem when a name has no value or a value does not fit its format
   */
  expand(lookup: (name: string) => unknown): Buffer {
    if (this.constant !== undefined) return this.constant;
    const chunks: Buffer[] = [];
    for (const p of this.parts) {
      if ("literal" in p) chunks.push(p.literal);
      else {
        const v = lookup(p.name);
        if (v === undefined || v === null) throw new TemplateProblem(`no value for {${p.name}}`);
        chunks.push(formatValue(v, p.format, p.name));
      }
    }
    return Buffer.concat(chunks);
  }
}

/** One value in one format, as bytes. */
export function formatValue(v: unknown, format: Format, name: string): Buffer {
  if (format.kind === "binary") return binaryOf(v, format.type, format.littleEndian, name);
  if (format.kind === "default") {
    if (v instanceof Uint8Array) return Buffer.from(v);
    return textBytes(defaultText(v), name);
  }
  return textBytes(formatText(v, format, name), name);
}

function textBytes(text: string, name: string): Buffer {
  if (!isLatin1(text)) throw new TemplateProblem(`{${name}}: the value holds characters above \\xFF`);
  return latin1Bytes(text);
}

/** The shortest decimal text that reads back as the same float32. */
export function float32Text(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return String(t);
  }
  return String(f);
}

function defaultText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

function toNumber(v: unknown, name: string): number | bigint {
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") {
    const t = v.trim();
    if (/^[-+]?\d+$/.test(t)) return BigInt(t) <= BigInt(Number.MAX_SAFE_INTEGER) && BigInt(t) >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(t) : BigInt(t);
    if (/^0x[0-9a-fA-F]+$/.test(t)) return Number.parseInt(t, 16);
    const n = Number(t);
    if (Number.isFinite(n)) return n;
  }
  throw new TemplateProblem(`{${name}}: ${JSON.stringify(defaultText(v))} is not a number`);
}

function toInteger(v: unknown, name: string): bigint {
  const n = toNumber(v, name);
  if (typeof n === "bigint") return n;
  if (!Number.isInteger(n)) throw new TemplateProblem(`{${name}}: ${n} is not an integer`);
  return BigInt(n);
}

function pad(text: string, width: number, zero: boolean): string {
  if (text.length >= width) return text;
  if (!zero) return text.padStart(width, " ");
  const sign = text.startsWith("-") || text.startsWith("+") ? text[0]! : "";
  return sign + text.slice(sign.length).padStart(width - sign.length, "0");
}

function formatText(v: unknown, f: Extract<Format, { kind: "text" }>, name: string): string {
  switch (f.conversion) {
    case "s":
      return pad(defaultText(v), f.width, false);
    case "d":
      return pad(toInteger(v, name).toString(), f.width, f.zero);
    case "x":
    case "X": {
      const i = toInteger(v, name);
      if (i < 0n) throw new TemplateProblem(`{${name}}: ${i} is negative; hex formats take unsigned values`);
      const t = i.toString(16);
      return pad(f.conversion === "X" ? t.toUpperCase() : t, f.width, f.zero);
    }
    case "f":
      return pad(Number(toNumber(v, name)).toFixed(f.precision ?? 6), f.width, f.zero);
  }
}

function binaryOf(v: unknown, type: BinaryType, le: boolean, name: string): Buffer {
  const buf = Buffer.alloc(BINARY_SIZES[type]);
  if (type === "f32" || type === "f64") {
    const n = Number(toNumber(v, name));
    if (type === "f32") {
      if (le) buf.writeFloatLE(n);
      else buf.writeFloatBE(n);
    } else if (le) buf.writeDoubleLE(n);
    else buf.writeDoubleBE(n);
    return buf;
  }
  const i = toInteger(v, name);
  const [lo, hi] = INT_RANGES[type]!;
  if (i < lo || i > hi) throw new TemplateProblem(`{${name}}: ${i} does not fit ${type} (${lo}..${hi})`);
  const size = BINARY_SIZES[type];
  if (type === "u64") {
    if (le) buf.writeBigUInt64LE(i);
    else buf.writeBigUInt64BE(i);
  } else if (type === "i64") {
    if (le) buf.writeBigInt64LE(i);
    else buf.writeBigInt64BE(i);
  } else if (type.startsWith("u")) {
    if (le) buf.writeUIntLE(Number(i), 0, size);
    else buf.writeUIntBE(Number(i), 0, size);
  } else if (le) buf.writeIntLE(Number(i), 0, size);
  else buf.writeIntBE(Number(i), 0, size);
  return buf;
}

/**
 * Fills `{name}` and `{name:format}` placeholders of a regular expression source with the regex-escaped bytes of
 * their values (`{address:u8}` becomes `\x01`), for names `lookup` knows; every other brace (`\d{2}`, `{2,3}`) is
 * left to the regex.
 */
export function expandRegexSource(source: string, lookup: (name: string) => unknown): string {
  return source.replace(/\{([A-Za-z_][\w.-]*)(?::([^{}]*))?\}/g, (whole, name: string, spec: string | undefined) => {
    const v = lookup(name);
    if (v === undefined || v === null || (typeof v === "object" && !(v instanceof Uint8Array))) return whole;
    let bytes: Buffer;
    try {
      bytes = formatValue(v, parseFormat(spec ?? ""), name);
    } catch {
      return whole;
    }
    let out = "";
    for (const b of bytes) out += /[A-Za-z0-9 _]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
    return out;
  });
}
