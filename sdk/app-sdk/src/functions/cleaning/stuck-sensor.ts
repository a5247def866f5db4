/**
 * StuckSensor: a sensor that reports the same value for `samples` readings in a row, or for `duration` of reading
 * time, is stuck. Its readings are then tagged or dropped, or (action `event`) pass unchanged while one alert event
 * per stuck episode is emitted ahead of them.
 */
import { randomUUID } from "node:crypto";
import { nowNanos, type Event, type Reading, type SimpleReading } from "@brink/contracts";
import type { FunctionFactory, PipelineContext, PipelineData } from "../../types.js";
import { deriveContext, mapReadings, numericValue, seriesKey, tagReading } from "../data.js";
import { ParamReader } from "../params.js";

/** Tag StuckSensor sets (action `tag`, and on alert readings) by default; its value is `true`. */
export const DEFAULT_STUCK_TAG = "stuck";
/** `sourceName` of the alert events StuckSensor emits with action `event`. */
export const STUCK_ALERT_SOURCE = "StuckSensor";

interface Series {
  same: string | number;
  firstOrigin: bigint;
  count: number;
  alerted: boolean;
}

function comparable(reading: Reading): string | number | undefined {
  if (!("value" in reading)) return undefined;
  return numericValue(reading) ?? reading.value;
}

function sameValue(a: string | number, b: string | number): boolean {
  return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

function alertEvent(reading: SimpleReading, series: Series, tag: string): Event {
  return {
    apiVersion: "v3",
    id: randomUUID(),
    deviceName: reading.deviceName,
    profileName: reading.profileName,
    sourceName: STUCK_ALERT_SOURCE,
    origin: nowNanos(),
    readings: [
      {
        ...reading,
        id: randomUUID(),
        tags: { ...(reading.tags ?? {}), [tag]: "true", stuckSince: series.firstOrigin.toString(), stuckSamples: String(series.count) },
      },
    ],
    tags: { alert: "stuck-sensor" },
  };
}

/**
 * Params: `samples` (≥ 2 equal readings in a row), `duration` (Go duration of equal readings, by origin), at least
 * one; `action` (tag | drop | event, default tag); `tag` (default `stuck`). Works on readings with a simple
 * `value`; numbers compare by value (`1.0e+00` equals `1e+00`).
 */
export const stuckSensor: FunctionFactory = (params) => {
  const name = "StuckSensor";
  const r = new ParamReader(name, params);
  const samples = r.number("samples", { min: 2, integer: true });
  const durationMs = r.duration("duration");
  const action = r.choice("action", ["tag", "drop", "event"] as const, "tag");
  const tag = r.string("tag", { def: DEFAULT_STUCK_TAG, nonEmpty: true }) ?? DEFAULT_STUCK_TAG;
  if (!r.has("samples") && !r.has("duration")) r.add("samples", "give samples, duration or both");
  r.done();

  const durationNs = durationMs === undefined ? undefined : BigInt(Math.round(durationMs * 1e6));
  const state = new Map<string, Series>();
  let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;
  return {
    name,
    start(e) {
      emit = e;
    },
    process: (ctx, data) =>
      mapReadings(name, data, (reading) => {
        const v = comparable(reading);
        if (v === undefined) return reading;
        const key = seriesKey(reading);
        let s = state.get(key);
        if (s === undefined || !sameValue(s.same, v) || reading.origin < s.firstOrigin) {
          s = { same: v, firstOrigin: reading.origin, count: 0, alerted: false };
          state.set(key, s);
        }
        s.count++;
        const stuck = (samples !== undefined && s.count >= samples) || (durationNs !== undefined && reading.origin - s.firstOrigin >= durationNs);
        if (!stuck) return reading;
        if (action === "tag") return tagReading(reading, { [tag]: "true" });
        if (action === "drop") return undefined;
        if (!s.alerted && emit !== undefined) {
          s.alerted = true;
          void emit(deriveContext(ctx, STUCK_ALERT_SOURCE, ctx.tags), alertEvent(reading as SimpleReading, s, tag));
        }
        return reading;
      }),
  };
};
