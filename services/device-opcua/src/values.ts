/**
 * OPC UA values and EdgeX value types, both ways. Reads give the resource's value type from whatever built-in
 * DataType the node holds, when that is lossless (an Int16 node reads as Int32, a DateTime as String or Int64 ns);
 * writes are encoded in the node's real DataType (a Float64 resource written to a Float node is sent as a Float),
 * and a value that does not fit is refused before anything is sent. Pure functions: node-opcua is not loaded here.
 */
import { ErrorKind, INTEGER_RANGES, elementType, isIntegerType, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";

/** OPC UA built-in DataType ids (Part 6, 5.1.2). */
export const BuiltinType = {
  Null: 0, Boolean: 1, SByte: 2, Byte: 3, Int16: 4, UInt16: 5, Int32: 6, UInt32: 7, Int64: 8, UInt64: 9, Float: 10, Double: 11,
  String: 12, DateTime: 13, Guid: 14, ByteString: 15, XmlElement: 16, NodeId: 17, ExpandedNodeId: 18, StatusCode: 19,
  QualifiedName: 20, LocalizedText: 21, ExtensionObject: 22, DataValue: 23, Variant: 24, DiagnosticInfo: 25,
} as const;
/** One built-in DataType id. */
export type BuiltinType = (typeof BuiltinType)[keyof typeof BuiltinType];

/** VariantArrayType. */
export const ArrayKind = { Scalar: 0, Array: 1, Matrix: 2 } as const;

/** A Variant as node-opcua gives and takes it. */
export interface VariantLike {
  readonly dataType: number;
  readonly arrayType: number;
  readonly value: unknown;
}

/** A node's type: its built-in DataType and ValueRank (-1 scalar, ≥ 1 array, -2 any, -3 scalar or one dimension, 0 one or more). */
export interface NodeType {
  readonly dataType: number;
  readonly valueRank: number;
}

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(BuiltinType).map(([k, v]) => [v, k]));

/** The name of a built-in DataType id. */
export function dataTypeName(id: number): string {
  return NAMES[id] ?? `DataType ${id}`;
}

const FLOAT32_MAX = 3.4028234663852886e38;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
const STRING_LIKE: ReadonlySet<number> = new Set([12, 14, 16, 17, 18, 20, 21]);

class Mismatch extends Error {}

/** An Int64/UInt64 as node-opcua gives it ([high, low] words), or a number or bigint, as a bigint. */
function bigOf(v: unknown, signed: boolean): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v) && v.length === 2) {
    const u = (BigInt(v[0] as number) << 32n) | BigInt(v[1] as number);
    return signed ? BigInt.asIntN(64, u) : u;
  }
  throw new Mismatch("not a 64-bit integer");
}

/** The integer in a value of an integer DataType (or StatusCode), as a bigint. */
function integerOf(dataType: number, v: unknown): bigint {
  if (dataType === BuiltinType.Int64 || dataType === BuiltinType.UInt64) return bigOf(v, dataType === BuiltinType.Int64);
  if (dataType === BuiltinType.StatusCode) return BigInt((v as { value: number }).value >>> 0);
  if (INTEGER_TYPES.has(dataType) && typeof v === "number") return BigInt(v);
  throw new Mismatch(`${dataTypeName(dataType)} is not an integer`);
}

function textOf(dataType: number, v: unknown): string {
  if (v === null || v === undefined) return "";
  switch (dataType) {
    case BuiltinType.String:
    case BuiltinType.XmlElement:
    case BuiltinType.Guid:
      return String(v);
    case BuiltinType.DateTime:
      return (v as Date).toISOString();
    case BuiltinType.LocalizedText:
      return (v as { text?: string | null }).text ?? "";
    case BuiltinType.QualifiedName:
      return (v as { name?: string | null }).name ?? "";
    case BuiltinType.NodeId:
    case BuiltinType.ExpandedNodeId:
      return String((v as { toString(): string }).toString());
    case BuiltinType.Boolean:
    case BuiltinType.Float:
    case BuiltinType.Double:
      return String(v);
    case BuiltinType.StatusCode:
      return (v as { name: string }).name;
    default:
      if (INTEGER_TYPES.has(dataType)) return integerOf(dataType, v).toString();
      throw new Mismatch(`${dataTypeName(dataType)} has no text form`);
  }
}

function plainObject(v: unknown): Record<string, unknown> {
  const json: unknown = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)));
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Mismatch("not a structure");
  return json as Record<string, unknown>;
}

function scalarFrom(valueType: ValueType, dataType: number, v: unknown): RawValue {
  if (valueType === "Bool") {
    if (dataType !== BuiltinType.Boolean) throw new Mismatch(`${dataTypeName(dataType)} is not a Boolean`);
    return Boolean(v);
  }
  if (valueType === "String") return textOf(dataType, v);
  if (valueType === "Float32" || valueType === "Float64") {
    if (dataType === BuiltinType.Float || dataType === BuiltinType.Double) return Number(v);
    const n = integerOf(dataType, v);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new Mismatch(`${n} is not exact as a float`);
    return Number(n);
  }
  if (isIntegerType(valueType)) {
    const n = dataType === BuiltinType.DateTime && (valueType === "Int64" || valueType === "Uint64") ? BigInt((v as Date).getTime()) * 1_000_000n : integerOf(dataType, v);
    const [lo, hi] = INTEGER_RANGES[valueType]!;
    if (n < lo || n > hi) throw new Mismatch(`${n} is outside ${valueType}`);
    return valueType === "Int64" || valueType === "Uint64" ? n : Number(n);
  }
  if (valueType === "Object") {
    if (dataType === BuiltinType.ExtensionObject || dataType === BuiltinType.LocalizedText || dataType === BuiltinType.QualifiedName) return plainObject(v);
    throw new Mismatch(`${dataTypeName(dataType)} is not a structure`);
  }
  throw new Mismatch(`${valueType} is not a scalar type`);
}

function itemsOf(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
  throw new Mismatch("not an array");
}

/**
 * A raw value of the resource's value type from a Variant read from the node.
 * @throws OpcuaError kind ServerError, code OPCUA_VALUE_UNSUPPORTED, when the value cannot be given losslessly
 */
export function fromVariant(resource: string, valueType: ValueType, variant: VariantLike): RawValue {
  const { dataType, arrayType, value } = variant;
  try {
    if (dataType === BuiltinType.Null) throw new Mismatch("the node holds no value");
    const isArray = arrayType !== ArrayKind.Scalar;
    if (valueType === "Binary" || (valueType === "Uint8Array" && dataType === BuiltinType.ByteString && !isArray)) {
      if (dataType === BuiltinType.ByteString && !isArray) return value === null ? new Uint8Array() : new Uint8Array(value as Uint8Array);
      if (dataType === BuiltinType.Byte && isArray) return Uint8Array.from(itemsOf(value) as number[]);
      throw new Mismatch(`${dataTypeName(dataType)}${isArray ? " array" : ""} is not a ByteString`);
    }
    if (valueType === "ObjectArray") {
      if (!isArray || dataType !== BuiltinType.ExtensionObject) throw new Mismatch(`${dataTypeName(dataType)} is not an array of structures`);
      return itemsOf(value).map(plainObject);
    }
    const element = elementType(valueType);
    if (element !== undefined) {
      if (!isArray) throw new Mismatch(`the node holds a scalar ${dataTypeName(dataType)}, not an array`);
      const out = itemsOf(value).map((x) => scalarFrom(element, dataType, x));
      return valueType === "Uint8Array" ? out : out;
    }
    if (isArray) throw new Mismatch(`the node holds an array of ${dataTypeName(dataType)}, not a scalar`);
    return scalarFrom(valueType, dataType, value);
  } catch (err) {
    if (!(err instanceof Mismatch)) throw err;
    throw new OpcuaError(ErrorKind.Server, OpcuaErrorCode.ValueUnsupported, `resource ${resource}: cannot read ${dataTypeName(dataType)} as ${valueType}: ${err.message}`, {
      details: { resourceName: resource, valueType, dataType: dataTypeName(dataType) },
    });
  }
}

function integerIn(dataType: number, v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new Mismatch(`${typeof v === "number" ? v : typeof v} is not an integer`);
}

const RANGE_OF: Readonly<Record<number, ValueType>> = { 2: "Int8", 3: "Uint8", 4: "Int16", 5: "Uint16", 6: "Int32", 7: "Uint32", 8: "Int64", 9: "Uint64" };

function scalarTo(dataType: number, v: unknown): unknown {
  switch (dataType) {
    case BuiltinType.Boolean:
      if (typeof v !== "boolean") throw new Mismatch("not a boolean");
      return v;
    case BuiltinType.Float:
    case BuiltinType.Double: {
      const n = typeof v === "number" ? v : typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : Number.NaN;
      if (typeof v !== "number" && Number.isNaN(n)) throw new Mismatch("not a number");
      if (dataType === BuiltinType.Float && Number.isFinite(n) && Math.abs(n) > FLOAT32_MAX) throw new Mismatch(`${n} is outside Float`);
      return n;
    }
    case BuiltinType.String:
    case BuiltinType.XmlElement:
      if (typeof v !== "string") throw new Mismatch("not a string");
      return v;
    case BuiltinType.LocalizedText:
      if (typeof v !== "string") throw new Mismatch("not a string");
      return { text: v };
    case BuiltinType.Guid:
      if (typeof v !== "string" || !GUID.test(v)) throw new Mismatch("not a GUID string");
      return v;
    case BuiltinType.DateTime: {
      if (typeof v === "bigint") return new Date(Number(v / 1_000_000n));
      const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(t)) throw new Mismatch("not a date (Int64 ns or an RFC 3339 string)");
      return new Date(t);
    }
    case BuiltinType.ByteString:
      if (!(v instanceof Uint8Array)) throw new Mismatch("not bytes");
      return Buffer.from(v);
    default: {
      const rangeType = RANGE_OF[dataType];
      if (rangeType === undefined) throw new Mismatch(`${dataTypeName(dataType)} values cannot be written`);
      const n = integerIn(dataType, v);
      const [lo, hi] = INTEGER_RANGES[rangeType]!;
      if (n < lo || n > hi) throw new Mismatch(`${n} is outside ${dataTypeName(dataType)}`);
      if (dataType === BuiltinType.Int64 || dataType === BuiltinType.UInt64) {
        const u = BigInt.asUintN(64, n);
        return [Number(u >> 32n), Number(u & 0xffffffffn)];
      }
      return Number(n);
    }
  }
}

/**
 * The Variant that writes `raw` to a node of type `target`, encoded in the node's own DataType.
 * @throws OpcuaError kind ContractInvalid, code OPCUA_TYPE_MISMATCH, when the value does not fit
 */
export function toVariant(resource: string, raw: RawValue, target: NodeType): VariantLike {
  const { dataType, valueRank } = target;
  try {
    const rawIsArray = Array.isArray(raw);
    if (rawIsArray && valueRank === -1) throw new Mismatch("an array cannot be written to a scalar node");
    if (!rawIsArray && valueRank >= 0) throw new Mismatch("a scalar cannot be written to an array node");
    if (rawIsArray) return { dataType, arrayType: ArrayKind.Array, value: (raw as readonly unknown[]).map((x) => scalarTo(dataType, x)) };
    return { dataType, arrayType: ArrayKind.Scalar, value: scalarTo(dataType, raw) };
  } catch (err) {
    if (!(err instanceof Mismatch)) throw err;
    throw new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.TypeMismatch, `resource ${resource}: the node is ${describeType(target)}: ${err.message}`, {
      details: { resourceName: resource, dataType: dataTypeName(dataType), valueRank },
    });
  }
}

function describeType(t: NodeType): string {
  const name = dataTypeName(t.dataType);
  return t.valueRank === -1 ? `a scalar ${name}` : t.valueRank >= 0 ? `an array of ${name}` : `${name} (ValueRank ${t.valueRank})`;
}

const SCALAR_TYPES: Readonly<Record<number, ValueType>> = {
  1: "Bool", 2: "Int8", 3: "Uint8", 4: "Int16", 5: "Uint16", 6: "Int32", 7: "Uint32", 8: "Int64", 9: "Uint64", 10: "Float32", 11: "Float64",
  12: "String", 13: "String", 14: "String", 15: "Binary", 16: "String", 17: "String", 18: "String", 19: "Uint32", 20: "String", 21: "String", 22: "Object",
};
const ARRAY_TYPES: Readonly<Record<number, ValueType>> = {
  1: "BoolArray", 2: "Int8Array", 3: "Uint8Array", 4: "Int16Array", 5: "Uint16Array", 6: "Int32Array", 7: "Uint32Array", 8: "Int64Array", 9: "Uint64Array",
  10: "Float32Array", 11: "Float64Array", 12: "StringArray", 13: "StringArray", 14: "StringArray", 21: "StringArray", 22: "ObjectArray",
};

/** The EdgeX value type of a node of type `t` (profile generation); undefined when EdgeX has none for it. */
export function valueTypeOf(t: NodeType): ValueType | undefined {
  if (t.valueRank === -1) return SCALAR_TYPES[t.dataType];
  if (t.valueRank >= 1 || t.valueRank === 0) return ARRAY_TYPES[t.dataType];
  return undefined;
}

/** True for string-like DataTypes (String, Guid, XmlElement, NodeId, QualifiedName, LocalizedText). */
export function isStringLike(dataType: number): boolean {
  return STRING_LIKE.has(dataType);
}
