/**
 * Events and readings, checked by hand rather than by a schema: this runs on every event taken off the bus, so it
 * allocates nothing when the event is valid and already canonical (origin as bigint, canonical value types).
 */
import type { AddEventRequest, Event } from "../dtos.js";
import { ErrorCode, ValidationError, type Problem } from "../errors.js";
import { toNanos } from "../int64-json.js";
import { ValueType, normalizeValueType } from "../value-types.js";
import { readingValueProblem } from "./reading-value.js";

const SUBJECT = "invalid event";
const CANONICAL: ReadonlySet<string> = new Set(Object.values(ValueType));
const DECIMAL = /^\d+$/;
/** Index meaning "the event itself, not one of its readings". */
const EVENT = -1;

interface State {
  problems: Problem[] | undefined;
  /** Set when a valid value is not in canonical form (origin not bigint, valueType spelled differently). */
  fix: boolean;
}

// Paths are built only when there is a problem, so a valid event costs no string work.
function add(st: State, prefix: string, reading: number, key: string, message: string): void {
  let path = prefix;
  if (reading !== EVENT) path = `${path === "" ? "" : `${path}.`}readings[${reading}]`;
  if (key !== "") path = path === "" ? key : `${path}.${key}`;
  (st.problems ??= []).push({ path, message });
}

function nameProblem(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() === "" ? "must not be empty" : undefined;
  return v === undefined ? "is required" : "must be a string";
}

function originProblem(v: unknown, st: State): string | undefined {
  if (typeof v === "bigint") {
    if (v > 0n) return undefined;
  } else if (typeof v === "number") {
    if (Number.isInteger(v) && v > 0) {
      st.fix = true;
      return undefined;
    }
  } else if (typeof v === "string") {
    if (DECIMAL.test(v) && BigInt(v) > 0n) {
      st.fix = true;
      return undefined;
    }
  } else if (v === undefined) {
    return "is required";
  }
  return "must be a positive integer (Unix nanoseconds)";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The checks events and readings share: names, origin, tags. */
function checkCommon(o: Record<string, unknown>, names: readonly string[], prefix: string, i: number, st: State): void {
  for (const key of names) {
    const m = nameProblem(o[key]);
    if (m !== undefined) add(st, prefix, i, key, m);
  }
  const m = originProblem(o.origin, st);
  if (m !== undefined) add(st, prefix, i, "origin", m);
  const tags = o.tags;
  if (tags !== undefined && tags !== null && !isObject(tags)) add(st, prefix, i, "tags", "must be an object");
}

const EVENT_NAMES = ["id", "deviceName", "profileName", "sourceName"] as const;
const READING_NAMES = ["deviceName", "profileName", "resourceName"] as const;

function checkValue(r: Record<string, unknown>, t: ValueType, prefix: string, i: number, st: State): void {
  if (t === ValueType.Binary) {
    if (typeof r.binaryValue !== "string" || r.binaryValue === "") add(st, prefix, i, "binaryValue", "is required for a Binary reading (base64)");
    if (typeof r.mediaType !== "string" || r.mediaType === "") add(st, prefix, i, "mediaType", "is required for a Binary reading");
  } else if (t === ValueType.Object || t === ValueType.ObjectArray) {
    const ov = r.objectValue;
    if (ov === undefined || ov === null) add(st, prefix, i, "objectValue", `is required for an ${t} reading`);
    else if (t === ValueType.ObjectArray && !Array.isArray(ov)) add(st, prefix, i, "objectValue", "must be an array for an ObjectArray reading");
  } else if (typeof r.value !== "string") {
    add(st, prefix, i, "value", r.value === undefined ? `is required for a ${t} reading` : "must be a string");
  } else {
    const why = readingValueProblem(t, r.value);
    if (why !== undefined) add(st, prefix, i, "value", why);
  }
}

function checkReading(r: unknown, prefix: string, i: number, st: State): void {
  if (!isObject(r)) {
    add(st, prefix, i, "", "must be an object");
    return;
  }
  checkCommon(r, READING_NAMES, prefix, i, st);
  if (r.id !== undefined && typeof r.id !== "string") add(st, prefix, i, "id", "must be a string");
  if (r.units !== undefined && typeof r.units !== "string") add(st, prefix, i, "units", "must be a string");
  const raw = r.valueType;
  if (typeof raw !== "string") {
    add(st, prefix, i, "valueType", raw === undefined ? "is required" : "must be a string");
    return;
  }
  let t = raw as ValueType;
  if (!CANONICAL.has(raw)) {
    const canonical = normalizeValueType(raw);
    if (canonical === undefined) {
      add(st, prefix, i, "valueType", `unknown value type "${raw}"`);
      return;
    }
    t = canonical;
    st.fix = true;
  }
  checkValue(r, t, prefix, i, st);
}

function checkEvent(v: unknown, prefix: string, st: State): void {
  if (!isObject(v)) {
    add(st, prefix, EVENT, "", v === undefined ? "is required" : "must be an object");
    return;
  }
  checkCommon(v, EVENT_NAMES, prefix, EVENT, st);
  const readings = v.readings;
  if (!Array.isArray(readings)) {
    add(st, prefix, EVENT, "readings", readings === undefined ? "is required" : "must be an array");
    return;
  }
  if (readings.length === 0) add(st, prefix, EVENT, "readings", "must not be empty");
  for (let i = 0; i < readings.length; i++) checkReading(readings[i], prefix, i, st);
}

// Only reached for valid events that need a canonical form; rewrites the fields in place.
function fixEvent(e: Record<string, unknown>): void {
  if (typeof e.origin !== "bigint") e.origin = toNanos(e.origin);
  for (const r of e.readings as Record<string, unknown>[]) {
    if (typeof r.origin !== "bigint") r.origin = toNanos(r.origin);
    const t = r.valueType as string;
    if (!CANONICAL.has(t)) r.valueType = normalizeValueType(t);
  }
}

/**
 * Validates an event (the `event` of an AddEventRequest, or a bus payload's event) and returns it. Checks id,
 * deviceName, profileName, sourceName, a positive int64 `origin`, at least one reading, and in each reading the
 * fields of its valueType: `value` (checked against the type), `binaryValue` + `mediaType`, or `objectValue`.
 * A valid event is normalised in place and returned as the same object: `origin` given as a number or decimal string
 * becomes bigint, value types get their canonical spelling.
 * @throws ValidationError EVENT_INVALID listing every problem with its path (`readings[2].value`).
 */
export function validateEvent(value: unknown): Event {
  const st: State = { problems: undefined, fix: false };
  checkEvent(value, "", st);
  if (st.problems !== undefined) throw new ValidationError(ErrorCode.EventInvalid, SUBJECT, st.problems);
  if (st.fix) fixEvent(value as Record<string, unknown>);
  return value as Event;
}

/**
 * Validates an EdgeX AddEventRequest (`{ apiVersion, requestId?, event }`: the body of `POST /api/v3/event/...` and
 * the payload of event messages) and normalises its event in place, as {@link validateEvent} does.
 * @throws ValidationError EVENT_INVALID listing every problem with its path (`event.readings[0].origin`).
 */
export function validateAddEventRequest(value: unknown): AddEventRequest {
  const st: State = { problems: undefined, fix: false };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    add(st, "", EVENT, "", "must be an object");
  } else {
    const req = value as Record<string, unknown>;
    const m = nameProblem(req.apiVersion);
    if (m !== undefined) add(st, "", EVENT, "apiVersion", m);
    if (req.requestId !== undefined && typeof req.requestId !== "string") add(st, "", EVENT, "requestId", "must be a string");
    checkEvent(req.event, "event", st);
  }
  if (st.problems !== undefined) throw new ValidationError(ErrorCode.EventInvalid, SUBJECT, st.problems);
  if (st.fix) fixEvent((value as Record<string, unknown>).event as Record<string, unknown>);
  return value as AddEventRequest;
}
