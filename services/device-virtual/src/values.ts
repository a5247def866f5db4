/**
 * Raw values of the virtual driver: reading a profile's `defaultValue` text as a typed value, and checking values
 * handed to `write` against their value type.
 */
import { ErrorKind, INTEGER_RANGES, ServiceError, elementType, isFloatType, isIntegerType, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { FLOAT32_MAX } from "./random.js";
import { VirtualErrorCode } from "./errors.js";

/** Why a text or value did not fit a type; turned into a ServiceError by the callers. */
class ValueProblem extends Error {}

/** Go's strconv.ParseBool spellings, which EdgeX profiles use. */
const TRUE_TEXT = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_TEXT = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** The value a resource starts from when its profile gives no `defaultValue`. */
export function zeroValue(type: ValueType): RawValue {
  if (type === "Bool") return false;
  if (type === "Int64" || type === "Uint64") return 0n;
  if (isIntegerType(type) || isFloatType(type)) return 0;
  if (type === "String") return "";
  if (type === "Binary") return new Uint8Array(0);
  if (type === "Object") return {};
  return [];
}

/**
 * Reads a profile `defaultValue` as a raw value of `type`. Arrays may be JSON (`[1, 2]`) or Go's print form
 * (`[1 2]`, which EdgeX writes back); Object and ObjectArray are JSON.
 * @throws ServiceError kind ServerError, code VIRTUAL_DEFAULT_VALUE_INVALID
 */
export function parseDefaultValue(type: ValueType, text: string, resourceName: string): RawValue {
  try {
    return parseText(type, text.trim());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ServiceError(ErrorKind.Server, VirtualErrorCode.DefaultValueInvalid, `resource ${resourceName}: defaultValue ${JSON.stringify(text)} is not a ${type}: ${why}`, {
      details: { resourceName, valueType: type },
    });
  }
}

function parseText(type: ValueType, text: string): RawValue {
  if (type === "Object") return checkObject(JSON.parse(text) as unknown);
  if (type === "ObjectArray") return checkObjectArray(JSON.parse(text) as unknown);
  const element = elementType(type);
  if (element !== undefined) return splitArrayText(text).map((t) => parseScalarText(element, t));
  return parseScalarText(type, text);
}

function splitArrayText(text: string): string[] {
  if (!text.startsWith("[") || !text.endsWith("]")) throw new ValueProblem("an array must be written in [ ]");
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  } catch {
    // Not JSON: Go's `[a b c]` form.
  }
  const inner = text.slice(1, -1).trim();
  return inner === "" ? [] : inner.split(/[\s,]+/);
}

function parseScalarText(type: ValueType, text: string): RawValue {
  if (type === "Bool") {
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
    throw new ValueProblem("not a boolean");
  }
  if (type === "String") return text;
  if (isIntegerType(type)) {
    if (!/^[-+]?\d+$/.test(text)) throw new ValueProblem("not an integer");
    return checkInteger(type, BigInt(text));
  }
  if (isFloatType(type)) {
    const n = Number(text);
    if (text === "" || (Number.isNaN(n) && !/^[-+]?nan$/i.test(text))) throw new ValueProblem("not a number");
    return checkFloat(type, n);
  }
  throw new ValueProblem(`${type} has no text form`);
}

function checkInteger(type: ValueType, v: bigint): number | bigint {
  const [lo, hi] = INTEGER_RANGES[type]!;
  if (v < lo || v > hi) throw new ValueProblem(`out of the ${type} range ${lo}..${hi}`);
  return type === "Int64" || type === "Uint64" ? v : Number(v);
}

function checkFloat(type: ValueType, v: number): number {
  if (type === "Float32") {
    if (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) throw new ValueProblem("out of the Float32 range");
    return Math.fround(v);
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function checkObject(v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw new ValueProblem("not a JSON object");
  return v;
}

function checkObjectArray(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new ValueProblem("not a JSON array");
  return v.map((item) => checkObject(item));
}

/**
 * Checks a value handed to `write` against its type (as in the driver contract's RawValue) and returns it in the
 * form the driver stores: integers in range (bigint for Int64/Uint64), Float32 rounded to 32 bits.
 * @throws ServiceError kind ContractInvalid, code VIRTUAL_VALUE_INVALID or VIRTUAL_WRITE_UNSUPPORTED
 */
export function checkWriteValue(type: ValueType, value: RawValue, resourceName: string): RawValue {
  if (type === "Binary") {
    throw new ServiceError(ErrorKind.ContractInvalid, VirtualErrorCode.WriteUnsupported, `resource ${resourceName}: Binary resources cannot be written`, {
      details: { resourceName, valueType: type },
    });
  }
  try {
    if (type === "Object") return checkObject(value);
    if (type === "ObjectArray") return checkObjectArray(value);
    const element = elementType(type);
    if (element === undefined) return checkScalar(type, value);
    if (!Array.isArray(value)) throw new ValueProblem("not an array");
    return (value as readonly RawValue[]).map((v) => checkScalar(element, v));
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err;
    throw new ServiceError(ErrorKind.ContractInvalid, VirtualErrorCode.ValueInvalid, `resource ${resourceName}: value is not a ${type}: ${err.message}`, {
      details: { resourceName, valueType: type },
    });
  }
}

function checkScalar(type: ValueType, value: RawValue): RawValue {
  if (type === "Bool") {
    if (typeof value !== "boolean") throw new ValueProblem("not a boolean");
    return value;
  }
  if (type === "String") {
    if (typeof value !== "string") throw new ValueProblem("not a string");
    return value;
  }
  if (isIntegerType(type)) {
    if (typeof value === "bigint") return checkInteger(type, value);
    if (typeof value === "number" && Number.isSafeInteger(value)) return checkInteger(type, BigInt(value));
    throw new ValueProblem("not an integer");
  }
  if (isFloatType(type)) {
    if (typeof value !== "number") throw new ValueProblem("not a number");
    return checkFloat(type, value);
  }
  throw new ValueProblem(`${type} is not a scalar type`);
}
