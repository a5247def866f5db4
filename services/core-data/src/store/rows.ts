/**
 * Conversions between EdgeX DTOs and SQLite rows. Rows are read with `safeIntegers`, so `origin` comes back as an
 * exact bigint.
 */
import { API_VERSION, parseJson, stringifyJson, type Event, type Reading, type Tags } from "@brink/contracts";

/** An `events` row as selected by the store. */
export interface EventRow {
  seq: bigint;
  id: string;
  deviceName: string;
  profileName: string;
  sourceName: string;
  origin: bigint;
  tags: string | null;
}

/** A `readings` row as selected by the store (without `seq` and `event_id`). */
export interface ReadingRow {
  id: string;
  deviceName: string;
  resourceName: string;
  profileName: string;
  valueType: string;
  units: string | null;
  value: string | null;
  binaryValue: Buffer | null;
  mediaType: string | null;
  objectValue: string | null;
  tags: string | null;
  origin: bigint;
}

/** Columns of {@link ReadingRow}, in SELECT order. */
export const READING_COLUMNS = "id, deviceName, resourceName, profileName, valueType, units, value, binaryValue, mediaType, objectValue, tags, origin";

/** Columns of {@link EventRow}, in SELECT order. */
export const EVENT_COLUMNS = "seq, id, deviceName, profileName, sourceName, origin, tags";

/** JSON text of tags, or null when there are none (no stringify for the common empty case). */
export function tagsText(tags: Tags | undefined): string | null {
  if (tags === undefined || tags === null) return null;
  for (const key in tags) if (Object.hasOwn(tags, key)) return stringifyJson(tags);
  return null;
}

function parseTags(text: string | null): Tags | undefined {
  return text === null ? undefined : parseJson<Tags>(text);
}

/**
 * Value columns of a reading: `[value, binaryValue, mediaType, objectValue]`, chosen by valueType (EdgeX's Go DTOs
 * also send an empty `value` beside `binaryValue` or `objectValue`).
 */
export function valueColumns(r: Reading): [string | null, Buffer | null, string | null, string | null] {
  switch (r.valueType) {
    case "Binary":
      return [null, Buffer.from(r.binaryValue, "base64"), r.mediaType ?? null, null];
    case "Object":
    case "ObjectArray":
      return [null, null, null, stringifyJson(r.objectValue)];
    default:
      return [r.value, null, null, null];
  }
}

/** Rebuilds a reading DTO from its row: only the fields its value type carries, absent optionals left out. */
export function readingOf(row: ReadingRow): Reading {
  const base = {
    id: row.id,
    origin: row.origin,
    deviceName: row.deviceName,
    resourceName: row.resourceName,
    profileName: row.profileName,
    valueType: row.valueType,
  } as Record<string, unknown>;
  if (row.units !== null) base.units = row.units;
  const tags = parseTags(row.tags);
  if (tags !== undefined) base.tags = tags;
  if (row.valueType === "Binary") {
    base.binaryValue = (row.binaryValue ?? Buffer.alloc(0)).toString("base64");
    base.mediaType = row.mediaType ?? "";
  } else if (row.valueType === "Object" || row.valueType === "ObjectArray") {
    base.objectValue = row.objectValue === null ? null : parseJson(row.objectValue);
  } else {
    base.value = row.value ?? "";
  }
  return base as unknown as Reading;
}

/** Rebuilds an event DTO from its row and its readings. */
export function eventOf(row: EventRow, readings: Reading[]): Event {
  const event: Event = {
    apiVersion: API_VERSION,
    id: row.id,
    deviceName: row.deviceName,
    profileName: row.profileName,
    sourceName: row.sourceName,
    origin: row.origin,
    readings,
  };
  const tags = parseTags(row.tags);
  if (tags !== undefined) event.tags = tags;
  return event;
}
