/**
 * Turns driver values into EdgeX readings: read transforms, assertion, mapping, then the reading DTO
 * (device-sdk-go `CommandValuesToEventDTO`).
 */
import { ErrorKind, isFloatType, newUuid, type Reading, type ResourceOperation, type Tags, type ValueType, type DeviceResource } from "@brink/contracts";
import type { RawValue } from "../../driver.js";
import { DeviceSdkError, DeviceSdkErrorCode } from "../../errors.js";
import { canonicalText, formatSimpleValue, goValueString, scalarCodecOf, toBase64, type ScalarCodec } from "../values/codec.js";
import { hasReadTransforms, transformRead } from "../transform/transforms.js";

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
  if (!hasTags(a)) return hasTags(b) ? b : undefined;
  if (!hasTags(b)) return a;
  return { ...a, ...b };
}

/**
 * A reading the poll can build straight from the driver's value: a scalar resource with no read transform, no
 * assertion, no mappings and no tags, so its reading is the value's text and nothing else. Worked out once per
 * resolved source; see {@link plainReadOf}.
 */
export interface PlainRead {
  /** How the value is checked and written. */
  readonly codec: ScalarCodec;
  readonly units: string | undefined;
}

function hasTags(tags: Tags | undefined): boolean {
  return tags !== undefined && Object.keys(tags).length > 0;
}

/** The {@link PlainRead} of a resource read through `operation`, or undefined when its reading needs more work. */
export function plainReadOf(resource: DeviceResource, valueType: ValueType, operation: ResourceOperation | undefined): PlainRead | undefined {
  const props = resource.properties;
  if (hasTags(resource.tags) || (props.assertion !== undefined && props.assertion !== "") || operation?.mappings !== undefined) return undefined;
  const codec = scalarCodecOf(valueType);
  if (codec === undefined || hasReadTransforms(valueType, props)) return undefined;
  return { codec, units: props.units === undefined || props.units === "" ? undefined : props.units };
}

/**
 * The reading text of a driver value for a {@link PlainRead}, when the value is already canonical for its type and
 * not NaN; undefined sends the value the long way ({@link buildReading}), which converts it or says what is wrong.
 */
export function plainText(p: PlainRead, v: unknown): string | undefined {
  return canonicalText(p.codec, v);
}

/**
 * A simple reading without tags, in one object literal of its final shape: a property added after the literal would
 * cost an out-of-object property store per reading, and every simple reading shares this one allocation site.
 */
export function simpleReading(ctx: ReadingContext, resourceName: string, valueType: ValueType, units: string | undefined, origin: bigint, text: string): Reading {
  const id = newUuid();
  if (units === undefined || units === "") {
    return { id, origin, deviceName: ctx.deviceName, resourceName, profileName: ctx.profileName, valueType, value: text } as Reading;
  }
  return { id, origin, deviceName: ctx.deviceName, resourceName, profileName: ctx.profileName, valueType, units, value: text } as Reading;
}

/**
 * Builds a reading (no spreads: this runs once per reading on every poll).
 * `text` is the simple value's text when the caller has it already (a mapping or a special value).
 */
function makeReading(v: ResourceValue, ctx: ReadingContext, valueType: ValueType, value: RawValue, text?: string): Reading {
  const units = v.resource.properties.units;
  const tags = mergeTags(v.resource.tags, v.tags);
  if (tags === undefined && valueType !== "Binary" && valueType !== "Object" && valueType !== "ObjectArray") {
    return simpleReading(ctx, v.resource.name, valueType, units, v.origin ?? ctx.origin, text ?? formatSimpleValue(valueType, value));
  }
  const r = {
    id: newUuid(),
    origin: v.origin ?? ctx.origin,
    deviceName: ctx.deviceName,
    resourceName: v.resource.name,
    profileName: ctx.profileName,
    valueType,
  } as Reading & { units?: string; tags?: Tags };
  if (units !== undefined && units !== "") r.units = units;
  if (tags !== undefined) r.tags = tags;
  const out = r as unknown as Record<string, unknown>;
  if (valueType === "Binary") {
    out.binaryValue = toBase64(value as Uint8Array);
    out.mediaType = v.mediaType ?? v.resource.properties.mediaType ?? "application/octet-stream";
  } else if (valueType === "Object" || valueType === "ObjectArray") {
    out.objectValue = value;
  } else {
    out.value = text ?? formatSimpleValue(valueType, value);
  }
  return r;
}

function stringReading(v: ResourceValue, ctx: ReadingContext, text: string): Reading {
  return makeReading(v, ctx, "String", text, text);
}

/** Builds the reading DTO of a value without transforms or checks (used for written values and after them). */
export function readingOf(v: ResourceValue, ctx: ReadingContext): Reading {
  if (v.operation?.mappings !== undefined) {
    const mapped = mappingOf(v.operation, goValueString(v.valueType, v.value));
    if (mapped !== undefined) return stringReading(v, ctx, mapped);
  }
  return makeReading(v, ctx, v.valueType, v.value);
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
    // Most resources have no transform: only a NaN float needs looking at, without transformRead's result object.
    if (!hasReadTransforms(v.valueType, props)) {
      if (typeof value === "number" && Number.isNaN(value) && isFloatType(v.valueType)) special = NAN_TEXT;
    } else {
      const tr = transformRead(v.valueType, v.value, props);
      if (tr.kind === "overflow") special = OVERFLOW_TEXT;
      else if (tr.kind === "nan") special = NAN_TEXT;
      else value = tr.value;
    }
  }
  const assertion = props.assertion;
  const hasAssertion = assertion !== undefined && assertion !== "";
  // Go's %v text is needed only to compare with an assertion or look up a mapping; formatting is not free.
  if (hasAssertion || v.operation?.mappings !== undefined) {
    const text = special ?? goValueString(v.valueType, value);
    if (hasAssertion && text !== assertion) throw assertionFailed(v.resource.name, text, assertion);
    const mapped = mappingOf(v.operation, text);
    if (mapped !== undefined) return stringReading(v, ctx, mapped);
  }
  if (special !== undefined) return stringReading(v, ctx, special);
  return makeReading(v, ctx, v.valueType, value);
}
