/**
 * Turns driver values into EdgeX readings: read transforms, assertion, mapping, then the reading DTO
 * (device-sdk-go `CommandValuesToEventDTO`).
 */
import { randomUUID } from "node:crypto";
import { ErrorKind, type Reading, type ResourceOperation, type Tags, type ValueType, type DeviceResource } from "@brink/contracts";
import type { RawValue } from "../../driver.js";
import { DeviceSdkError, DeviceSdkErrorCode } from "../../errors.js";
import { formatSimpleValue, goValueString, toBase64 } from "../values/codec.js";
import { transformRead } from "../transform/transforms.js";

/** What every reading of one event shares. */
export interface ReadingContext {
  readonly deviceName: string;
  readonly profileName: string;
  /** The event's origin, used when the value has none. */
  readonly origin: bigint;
}

/** A normalized value for one resource, as the pipeline hands it to {@link buildReading}. */
export interface ResourceValue {
  readonly resource: DeviceResource;
  readonly valueType: ValueType;
  readonly operation: ResourceOperation | undefined;
  readonly value: RawValue;
  readonly origin?: bigint | undefined;
  readonly mediaType?: string | undefined;
  readonly tags?: Tags | undefined;
}

/** Text EdgeX puts in a String reading when a transform overflows the value type. */
export const OVERFLOW_TEXT = "overflow";
/** Text EdgeX puts in a String reading when a float read is NaN. */
export const NAN_TEXT = "NaN";

/** Thrown when a value differs from its resource's `assertion`; the pipeline sets the device DOWN. */
export function assertionFailed(resource: string, actual: string, assertion: string): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.Server, DeviceSdkErrorCode.AssertionFailed, `assertion failed for ${resource}: read ${actual}, expected ${assertion}`, {
    details: { resource, value: actual, assertion },
  });
}

function mergeTags(a: Tags | undefined, b: Tags | undefined): Tags | undefined {
  if (a === undefined || Object.keys(a).length === 0) return b === undefined || Object.keys(b).length === 0 ? undefined : b;
  if (b === undefined || Object.keys(b).length === 0) return a;
  return { ...a, ...b };
}

function base(v: ResourceValue, ctx: ReadingContext, valueType: ValueType): Omit<Reading, "value" | "binaryValue" | "mediaType" | "objectValue"> & { valueType: ValueType } {
  const r: { id: string; origin: bigint; deviceName: string; resourceName: string; profileName: string; valueType: ValueType; units?: string; tags?: Tags } = {
    id: randomUUID(),
    origin: v.origin ?? ctx.origin,
    deviceName: ctx.deviceName,
    resourceName: v.resource.name,
    profileName: ctx.profileName,
    valueType,
  };
  const units = v.resource.properties.units;
  if (units !== undefined && units !== "") r.units = units;
  const tags = mergeTags(v.resource.tags, v.tags);
  if (tags !== undefined) r.tags = tags;
  return r;
}

function stringReading(v: ResourceValue, ctx: ReadingContext, text: string): Reading {
  return { ...base(v, ctx, "String"), valueType: "String", value: text };
}

/** Builds the reading DTO of a value without transforms or checks (used for written values and after them). */
export function readingOf(v: ResourceValue, ctx: ReadingContext): Reading {
  const mapped = mappingOf(v.operation, goValueString(v.valueType, v.value));
  if (mapped !== undefined) return stringReading(v, ctx, mapped);
  return plainReading(v, ctx);
}

function plainReading(v: ResourceValue, ctx: ReadingContext): Reading {
  const t = v.valueType;
  if (t === "Binary") {
    const mediaType = v.mediaType ?? v.resource.properties.mediaType ?? "application/octet-stream";
    return { ...base(v, ctx, t), valueType: t, binaryValue: toBase64(v.value as Uint8Array), mediaType };
  }
  if (t === "Object" || t === "ObjectArray") return { ...base(v, ctx, t), valueType: t, objectValue: v.value };
  return { ...base(v, ctx, t), valueType: t, value: formatSimpleValue(t, v.value) };
}

function mappingOf(op: ResourceOperation | undefined, key: string): string | undefined {
  const m = op?.mappings;
  if (m === undefined || !Object.prototype.hasOwnProperty.call(m, key)) return undefined;
  return m[key];
}

/**
 * Applies, in EdgeX's order, the read transforms (when `transform` is true), the resource's `assertion`, and the
 * resource operation's `mappings`, and returns the reading. An overflowing transform gives the String reading
 * "overflow", a NaN float the String reading "NaN" (as EdgeX). Throws ASSERTION_FAILED on an assertion mismatch.
 */
export function buildReading(v: ResourceValue, ctx: ReadingContext, transform = true): Reading {
  const props = v.resource.properties;
  let value = v.value;
  let special: string | undefined;
  if (transform) {
    const tr = transformRead(v.valueType, v.value, props);
    if (tr.kind === "overflow") special = OVERFLOW_TEXT;
    else if (tr.kind === "nan") special = NAN_TEXT;
    else value = tr.value;
  }
  const text = special ?? goValueString(v.valueType, value);
  const assertion = props.assertion;
  if (assertion !== undefined && assertion !== "" && text !== assertion) throw assertionFailed(v.resource.name, text, assertion);
  const mapped = mappingOf(v.operation, text);
  if (mapped !== undefined) return stringReading(v, ctx, mapped);
  if (special !== undefined) return stringReading(v, ctx, special);
  return plainReading({ ...v, value }, ctx);
}
