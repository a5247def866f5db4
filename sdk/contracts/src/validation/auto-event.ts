/**
 * AutoEvents, shared by devices and the discoveredDevice of provision watchers.
 */
import type { SchemaObject } from "ajv";
import type { AutoEvent } from "../dtos.js";
import { parseGoDuration } from "../duration.js";
import { BOOL_SCHEMA, OBJECT_SCHEMA, isRecord, setOrDelete, withoutNulls, type Checker, type Path } from "./common.js";

/** JSON schema of one AutoEvent. */
export const AUTO_EVENT_SCHEMA: SchemaObject = {
  type: "object",
  required: ["interval", "sourceName"],
  properties: {
    interval: { type: "string" },
    onChange: BOOL_SCHEMA,
    onChangeThreshold: { type: ["number", "string", "null"] },
    sourceName: { type: "string" },
    retention: OBJECT_SCHEMA,
  },
};

/** JSON schema of an optional AutoEvent list. */
export const AUTO_EVENTS_SCHEMA: SchemaObject = { type: ["array", "null"], items: AUTO_EVENT_SCHEMA };

function normaliseAutoEvent(v: unknown, path: Path, ck: Checker): AutoEvent | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  if (typeof v.interval === "string") {
    try {
      if (parseGoDuration(v.interval) <= 0) ck.add([...path, "interval"], `must be longer than zero, got "${v.interval}"`);
    } catch {
      ck.add([...path, "interval"], `must be a Go duration such as 500ms, 10s or 1m30s, got "${v.interval}"`);
    }
  }
  ck.name(v.sourceName, [...path, "sourceName"]);
  const threshold = ck.number(v.onChangeThreshold, [...path, "onChangeThreshold"]);
  if (threshold !== undefined && threshold < 0) ck.add([...path, "onChangeThreshold"], `must not be negative, got ${threshold}`);
  setOrDelete(out, "onChangeThreshold", threshold);
  out.onChange = v.onChange === true;
  return out as unknown as AutoEvent;
}

/** Normalises an AutoEvent list (onChange defaults to false), recording problems; undefined when absent. */
export function normaliseAutoEvents(v: unknown, path: Path, ck: Checker): AutoEvent[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((a, i) => normaliseAutoEvent(a, [...path, i], ck)).filter((a): a is AutoEvent => a !== undefined);
}
