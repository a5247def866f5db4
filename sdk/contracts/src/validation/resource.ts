/**
 * Device resources of a profile: their schema and their normalisation (canonical value type and readWrite, numeric
 * properties as numbers, isHidden defaulted).
 */
import type { SchemaObject } from "ajv";
import { ReadWrite, type DeviceResource, type ResourceProperties } from "../dtos.js";
import { ValueType, normalizeValueType, VALUE_TYPES } from "../value-types.js";
import { BOOL_SCHEMA, NAME_SCHEMA, OBJECT_SCHEMA, TEXT_SCHEMA, isRecord, setOrDelete, withoutNulls, type Checker, type Path, type SourceText } from "./common.js";

/** Every readWrite spelling, canonical. */
export const READ_WRITE_VALUES: readonly ReadWrite[] = Object.values(ReadWrite);

const NUMERIC_SCHEMA: SchemaObject = { type: ["number", "string", "null"] };
const NUMERIC_PROPERTIES = ["minimum", "maximum", "mask", "shift", "scale", "offset", "base"] as const;
const TEXT_PROPERTIES = ["units", "defaultValue", "assertion", "mediaType"] as const;

/** JSON schema of one device resource (structure only; {@link normaliseResource} does the rest). */
export const RESOURCE_SCHEMA: SchemaObject = {
  type: "object",
  required: ["name", "properties"],
  properties: {
    name: NAME_SCHEMA,
    description: TEXT_SCHEMA,
    isHidden: BOOL_SCHEMA,
    tags: OBJECT_SCHEMA,
    attributes: OBJECT_SCHEMA,
    properties: {
      type: "object",
      required: ["valueType", "readWrite"],
      properties: {
        valueType: { type: "string" },
        readWrite: { type: "string" },
        ...Object.fromEntries(TEXT_PROPERTIES.map((k) => [k, TEXT_SCHEMA])),
        ...Object.fromEntries(NUMERIC_PROPERTIES.map((k) => [k, NUMERIC_SCHEMA])),
        optional: OBJECT_SCHEMA,
      },
    },
  },
};

/** True when a readWrite value allows reading. */
export function canRead(rw: ReadWrite): boolean {
  return rw.includes("R");
}

/** True when a readWrite value allows writing. */
export function canWrite(rw: ReadWrite): boolean {
  return rw.includes("W");
}

function normaliseProperties(v: Record<string, unknown>, path: Path, ck: Checker): ResourceProperties {
  const out = withoutNulls(v);
  let valueType: ValueType | undefined;
  if (typeof v.valueType === "string") {
    valueType = normalizeValueType(v.valueType);
    if (valueType === undefined) ck.add([...path, "valueType"], `unknown value type "${v.valueType}"; expected one of ${VALUE_TYPES.join(", ")}`);
    else out.valueType = valueType;
  }
  const readWrite = ck.oneOf(v.readWrite, READ_WRITE_VALUES, [...path, "readWrite"]);
  if (readWrite === undefined) delete out.readWrite;
  else {
    out.readWrite = readWrite;
    if (valueType === ValueType.Binary && canWrite(readWrite)) {
      ck.add([...path, "readWrite"], `a Binary resource cannot be written: readWrite must be R, got "${readWrite}"`);
    }
  }
  for (const key of TEXT_PROPERTIES) setOrDelete(out, key, ck.text(v[key], [...path, key]));
  const num: Partial<Record<(typeof NUMERIC_PROPERTIES)[number], number>> = {};
  for (const key of NUMERIC_PROPERTIES) {
    const n = ck.number(v[key], [...path, key]);
    setOrDelete(out, key, n);
    if (n !== undefined) num[key] = n;
  }
  if (num.mask !== undefined && (!Number.isInteger(num.mask) || num.mask < 0)) ck.add([...path, "mask"], `must be a non-negative integer, got ${num.mask}`);
  if (num.shift !== undefined && !Number.isInteger(num.shift)) ck.add([...path, "shift"], `must be an integer, got ${num.shift}`);
  if (num.minimum !== undefined && num.maximum !== undefined && num.minimum > num.maximum) {
    ck.add([...path, "minimum"], `minimum ${num.minimum} is greater than maximum ${num.maximum}`);
  }
  return out as unknown as ResourceProperties;
}

/** Normalises one device resource, recording its problems; unknown keys are kept. */
export function normaliseResource(v: unknown, path: Path, ck: Checker): DeviceResource | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  ck.name(v.name, [...path, "name"]);
  setOrDelete(out, "description", ck.text(v.description, [...path, "description"]));
  out.isHidden = v.isHidden === true;
  if (isRecord(v.properties)) out.properties = normaliseProperties(v.properties, [...path, "properties"], ck);
  if (isRecord(out.attributes) && ck.source !== undefined) out.attributes = keepNumberText(out.attributes, [...path, "attributes"], ck.source);
  return out as unknown as DeviceResource;
}

/**
 * Attributes belong to drivers, whose formats a number can break: a non-integer number in YAML keeps the text it
 * was written as (EdgeX Modbus's `startingAddress: 10.10`, bit 10 of register 10, stays "10.10" instead of becoming
 * 10.1). Integers stay numbers. JSON bodies have no source text; their numbers are kept as they are.
 */
function keepNumberText(value: unknown, path: Path, source: SourceText): unknown {
  if (typeof value === "number" && !Number.isInteger(value)) return source.scalarSource(path) ?? value;
  if (Array.isArray(value)) return value.map((x, i) => keepNumberText(x, [...path, i], source));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, keepNumberText(x, [...path, k], source)]));
  return value;
}
