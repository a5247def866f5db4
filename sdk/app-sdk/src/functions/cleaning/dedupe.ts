/**
 * Dedupe: drops a reading whose device, resource, origin and value were already seen, within a time window and/or
 * among the last N distinct readings (a device service that publishes twice, a redelivered message).
 */
import type { Reading } from "@brink/contracts";
import { stringifyJson } from "@brink/contracts";
import type { FunctionFactory } from "../../types.js";
import { mapReadings, seriesKey } from "../data.js";
import { ParamReader } from "../params.js";

/** How many distinct readings Dedupe remembers when neither `window` nor `lastN` is given. */
export const DEFAULT_DEDUPE_LAST_N = 10_000;

function valueOf(reading: Reading): string {
  if ("value" in reading) return reading.value;
  if ("binaryValue" in reading) return reading.binaryValue;
  return stringifyJson(reading.objectValue);
}

/**
 * Params: `window` (Go duration: a duplicate seen this long ago or less is dropped), `lastN` (remember this many
 * distinct readings); either, both (a reading is forgotten when either says so) or neither (lastN 10000).
 */
export const dedupe: FunctionFactory = (params) => {
  const name = "Dedupe";
  const r = new ParamReader(name, params);
  const windowMs = r.duration("window");
  let lastN = r.number("lastN", { min: 1, integer: true });
  r.done();
  if (windowMs === undefined && lastN === undefined) lastN = DEFAULT_DEDUPE_LAST_N;

  // Insertion order is arrival order, so the oldest entries are at the front.
  const seen = new Map<string, number>();
  const forget = (now: number): void => {
    if (windowMs !== undefined) {
      for (const [key, at] of seen) {
        if (now - at <= windowMs) break;
        seen.delete(key);
      }
    }
    if (lastN !== undefined) {
      for (const key of seen.keys()) {
        if (seen.size <= lastN) break;
        seen.delete(key);
      }
    }
  };
  return {
    name,
    process: (_ctx, data) => {
      const now = Date.now();
      forget(now);
      return mapReadings(name, data, (reading) => {
        const key = `${seriesKey(reading)}\u0000${reading.origin}\u0000${valueOf(reading)}`;
        if (seen.has(key)) return undefined;
        seen.set(key, now);
        if (lastN !== undefined && seen.size > lastN) forget(now);
        return reading;
      });
    },
  };
};
