/**
 * Reading a resource's value out of a frame: the whole text, a regex named group, a CSV field, a JSON path, or a
 * binary field; then the optional value map, conversion and sign; then the resource's value type.
 */
import { INTEGER_RANGES, elementType, isFloatType, isIntegerType, type ValueType } from "@brink/contracts";
import { parseSetValue, type RawValue } from "@brink/device-sdk";
import type { Frame } from "./framing/frame.js";

/** How a value is found in a frame. */
export type Extraction =
  | { readonly kind: "text" }
  | { readonly kind: "regex"; readonly pattern: RegExp; readonly group: string }
  | { readonly kind: "csv"; readonly separator: string; readonly field: number }
  | {
      readonly kind: "json";
      readonly path: readonly (string | number)[];
      /** Take the JSON text from this regex's `group` instead of the whole frame. */
      readonly pattern: RegExp | undefined;
      readonly group: string;
    }
  | {
      readonly kind: "binary";
      readonly offset: number;
      readonly rawType: ValueType;
      readonly littleEndian: boolean;
      /** Bytes of a String or Binary field, or elements of an array; undefined: to the end of the payload. */
      readonly length: number | undefined;
      /** Bool from one bit (0 = least significant) of the raw integer. */
      readonly bit: number | undefined;
    };

/** Text conversions before the value type is applied. */
export const Conversion = {
  /** NMEA `ddmm.mmmm` / `dddmm.mmmm` to decimal degrees. */
  DegreesMinutes: "degreesMinutes",
  /** Hexadecimal digits to an integer. */
  Hex: "hex",
} as const;
/** One conversion. */
export type Conversion = (typeof Conversion)[keyof typeof Conversion];

/** The whole recipe for one resource's value. */
export interface ValueSpec {
  readonly extraction: Extraction;
  /** Device text to value text (`{ S: "true", D: "false" }`). */
  readonly valueMap: ReadonlyMap<string, string> | undefined;
  readonly conversion: Conversion | undefined;
  /** Regex group name or CSV field index whose text `S`, `W` or `-` negates the value. */
  readonly sign: string | number | undefined;
}

/** Why a frame did not give a value; the caller makes it a SERIAL_RESPONSE_INVALID. */
export class ParseProblem extends Error {}

const EMPTY = Symbol("empty");

/**
 * The raw value of `valueType` that `spec` finds in `frame`; undefined when the field is present but empty (an
 * NMEA receiver without a fix).
 * @throws ParseProblem
 */
export function extractValue(frame: Frame, spec: ValueSpec, valueType: ValueType): RawValue | undefined {
  const found = extract(frame, spec.extraction, valueType);
  if (found === EMPTY) return undefined;
  let value: RawValue;
  if (typeof found === "string") {
    let text = found;
    if (spec.valueMap !== undefined) text = spec.valueMap.get(text) ?? spec.valueMap.get(text.trim()) ?? text;
    value = fromText(text, valueType, spec.conversion);
  } else if (spec.extraction.kind === "binary") value = found as RawValue;
  else value = fromJson(found, valueType);
  return spec.sign === undefined ? value : negateIf(value, signText(frame, spec));
}

function extract(frame: Frame, x: Extraction, valueType: ValueType): unknown {
  switch (x.kind) {
    case "text":
      return frame.text;
    case "regex": {
      const m = frame.match(x.pattern);
      if (m === null) throw new ParseProblem(`does not match /${x.pattern.source}/`);
      const g = groupOf(m, x.group);
      return g === undefined || g === "" ? EMPTY : g;
    }
    case "csv": {
      const fields = frame.fields(x.separator);
      if (x.field >= fields.length) throw new ParseProblem(`has ${fields.length} fields, not ${x.field + 1}`);
      const f = fields[x.field]!;
      return f === "" ? EMPTY : f;
    }
    case "json": {
      let v: unknown;
      try {
        if (x.pattern === undefined) v = frame.json();
        else {
          const m = frame.match(x.pattern);
          if (m === null) throw new ParseProblem(`does not match /${x.pattern.source}/`);
          v = JSON.parse(groupOf(m, x.group) ?? "");
        }
      } catch (err) {
        if (err instanceof ParseProblem) throw err;
        throw new ParseProblem("is not JSON");
      }
      for (const step of x.path) {
        if (v === null || typeof v !== "object") throw new ParseProblem(`has no ${x.path.join(".")}`);
        v = (v as Record<string | number, unknown>)[step];
      }
      if (v === undefined) throw new ParseProblem(`has no ${x.path.join(".")}`);
      return v === null ? EMPTY : v;
    }
    case "binary":
      return readBinary(frame.payload, x, valueType);
  }
}

function groupOf(m: RegExpExecArray, group: string): string | undefined {
  return /^\d+$/.test(group) ? m[Number(group)] : m.groups?.[group];
}

function signText(frame: Frame, spec: ValueSpec): string {
  const s = spec.sign;
  if (typeof s === "number") {
    const sep = spec.extraction.kind === "csv" ? spec.extraction.separator : ",";
    return frame.fields(sep)[s] ?? "";
  }
  if (spec.extraction.kind === "regex") return frame.match(spec.extraction.pattern)?.groups?.[s!] ?? "";
  return "";
}

function negateIf(value: RawValue, sign: string): RawValue {
  const t = sign.trim().toUpperCase();
  if (t !== "S" && t !== "W" && t !== "-") return value;
  if (typeof value === "number") return -value;
  if (typeof value === "bigint") return -value;
  return value;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_TEXT = new Set(["1", "t", "true", "on", "yes", "y"]);
const FALSE_TEXT = new Set(["0", "f", "false", "off", "no", "n"]);

/** A raw value of `valueType` from device text. @throws ParseProblem */
export function fromText(text: string, valueType: ValueType, conversion?: Conversion): RawValue {
  const t = text.trim();
  if (conversion === "hex") {
    if (!/^(?:0x)?[0-9a-fA-F]+$/.test(t)) throw new ParseProblem(`"${t}" is not hexadecimal`);
    return fromText(BigInt(t.startsWith("0x") ? t : `0x${t}`).toString(), valueType);
  }
  if (conversion === "degreesMinutes") {
    if (!FLOAT_TEXT.test(t)) throw new ParseProblem(`"${t}" is not ddmm.mmmm`);
    const v = Math.abs(Number(t));
    const degrees = Math.floor(v / 100);
    const out = (degrees + (v - degrees * 100) / 60) * (t.startsWith("-") ? -1 : 1);
    return fromJson(Math.round(out * 1e9) / 1e9, valueType);
  }
  if (valueType === "String") return text;
  if (valueType === "Bool") {
    const l = t.toLowerCase();
    if (TRUE_TEXT.has(l)) return true;
    if (FALSE_TEXT.has(l)) return false;
    throw new ParseProblem(`"${t}" is not a Bool`);
  }
  if (isIntegerType(valueType)) {
    if (!INTEGER_TEXT.test(t)) throw new ParseProblem(`"${t}" is not an integer`);
    return integerOf(BigInt(t), valueType);
  }
  if (isFloatType(valueType)) {
    if (!FLOAT_TEXT.test(t)) throw new ParseProblem(`"${t}" is not a number`);
    return valueType === "Float32" ? Math.fround(Number(t)) : Number(t);
  }
  if (valueType === "Binary") return Buffer.from(text, "latin1");
  if (valueType === "Object" || valueType === "ObjectArray" || elementType(valueType) !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      throw new ParseProblem(`"${t}" is not JSON`);
    }
    return fromJson(parsed, valueType);
  }
  throw new ParseProblem(`${valueType} cannot be read from text`);
}

function integerOf(v: bigint, valueType: ValueType): number | bigint {
  const [lo, hi] = INTEGER_RANGES[valueType]!;
  if (v < lo || v > hi) throw new ParseProblem(`${v} is outside ${valueType}`);
  return valueType === "Int64" || valueType === "Uint64" ? v : Number(v);
}

/** A raw value of `valueType` from a JSON value or a binary field's value. @throws ParseProblem */
export function fromJson(v: unknown, valueType: ValueType): RawValue {
  if (typeof v === "string") return fromText(v, valueType);
  try {
    if (isIntegerType(valueType) && typeof v === "number" && !Number.isInteger(v)) throw new ParseProblem(`${v} is not an integer`);
    if (valueType === "String") return typeof v === "object" ? JSON.stringify(v) : String(v);
    if (valueType === "Bool" && typeof v === "number") return v !== 0;
    if (isFloatType(valueType) && typeof v === "bigint") return Number(v);
    return parseSetValue("value", valueType, v);
  } catch (err) {
    if (err instanceof ParseProblem) throw err;
    throw new ParseProblem(`${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x))} is not a ${valueType}`);
  }
}

const SIZES: Readonly<Partial<Record<ValueType, number>>> = {
  Bool: 1, Int8: 1, Uint8: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4, Int64: 8, Uint64: 8, Float32: 4, Float64: 8,
};

/** Size of one binary element of `rawType`, bytes (undefined for String and Binary). */
export function binarySize(rawType: ValueType): number | undefined {
  return SIZES[rawType];
}

function readScalar(buf: Buffer, at: number, type: ValueType, le: boolean): number | bigint {
  switch (type) {
    case "Bool":
    case "Uint8":
      return buf.readUInt8(at);
    case "Int8":
      return buf.readInt8(at);
    case "Uint16":
      return le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
    case "Int16":
      return le ? buf.readInt16LE(at) : buf.readInt16BE(at);
    case "Uint32":
      return le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
    case "Int32":
      return le ? buf.readInt32LE(at) : buf.readInt32BE(at);
    case "Uint64":
      return le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
    case "Int64":
      return le ? buf.readBigInt64LE(at) : buf.readBigInt64BE(at);
    case "Float32":
      return le ? buf.readFloatLE(at) : buf.readFloatBE(at);
    case "Float64":
      return le ? buf.readDoubleLE(at) : buf.readDoubleBE(at);
    default:
      throw new ParseProblem(`${type} is not a binary scalar`);
  }
}

function readBinary(payload: Buffer, x: Extract<Extraction, { kind: "binary" }>, valueType: ValueType): unknown {
  const need = (n: number): void => {
    if (x.offset + n > payload.length) throw new ParseProblem(`is ${payload.length} bytes; the field needs ${x.offset + n}`);
  };
  if (x.rawType === "String" || x.rawType === "Binary") {
    const length = x.length ?? payload.length - x.offset;
    need(length);
    const bytes = payload.subarray(x.offset, x.offset + length);
    if (x.rawType === "Binary") return new Uint8Array(bytes);
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
    return bytes.toString("latin1", 0, end);
  }
  const element = elementType(valueType);
  const size = SIZES[x.rawType]!;
  if (element !== undefined) {
    const count = x.length ?? Math.floor((payload.length - x.offset) / size);
    need(count * size);
    return Array.from({ length: count }, (_, i) => binaryScalar(payload, x.offset + i * size, x, element));
  }
  need(size);
  return binaryScalar(payload, x.offset, x, valueType);
}

function binaryScalar(payload: Buffer, at: number, x: Extract<Extraction, { kind: "binary" }>, valueType: ValueType): RawValue {
  const raw = readScalar(payload, at, x.rawType, x.littleEndian);
  if (x.bit !== undefined) return ((BigInt(raw) >> BigInt(x.bit)) & 1n) === 1n;
  if (valueType === "Bool") return raw !== 0 && raw !== 0n;
  if (isFloatType(valueType)) return valueType === "Float32" ? Math.fround(Number(raw)) : Number(raw);
  if (isIntegerType(valueType)) {
    if (typeof raw === "number" && !Number.isInteger(raw)) throw new ParseProblem(`${raw} is not an integer`);
    return integerOf(BigInt(raw), valueType);
  }
  return fromJson(raw, valueType);
}
