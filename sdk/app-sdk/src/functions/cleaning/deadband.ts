/**
 * Deadband: passes a numeric reading only when it moved far enough from the last value passed for the same device
 * and resource (by an absolute amount or a percentage of that value), or when `maxInterval` has passed since then.
 */
import type { FunctionFactory } from "../../types.js";
import { mapReadings, numericValue, secondsBetween, seriesKey } from "../data.js";
import { ParamReader } from "../params.js";

interface Last {
  value: number;
  origin: bigint;
}

/**
 * Params: `absolute` (a change of at least this much passes) or `percent` (at least this percentage of the last
 * passed value), exactly one; `maxInterval` (Go duration, optional): a reading passes anyway once this much reading
 * time (origin) has gone by since the last one passed. The first reading of a series always passes; non-numeric
 * readings and NaN pass unchanged and do not move the reference.
 */
export const deadband: FunctionFactory = (params) => {
  const name = "Deadband";
  const r = new ParamReader(name, params);
  const absolute = r.number("absolute", { min: 0, exclusiveMin: true });
  const percent = r.number("percent", { min: 0, exclusiveMin: true });
  const maxIntervalMs = r.duration("maxInterval");
  if (r.has("absolute") === r.has("percent")) r.add("absolute", "give exactly one of absolute and percent");
  r.done();

  const last = new Map<string, Last>();
  const maxIntervalS = maxIntervalMs === undefined ? undefined : maxIntervalMs / 1000;
  return {
    name,
    process: (_ctx, data) =>
      mapReadings(name, data, (reading) => {
        const v = numericValue(reading);
        if (v === undefined || Number.isNaN(v)) return reading;
        const key = seriesKey(reading);
        const prev = last.get(key);
        let pass = prev === undefined;
        if (prev !== undefined) {
          const delta = Math.abs(v - prev.value);
          const threshold = absolute ?? ((percent ?? 0) / 100) * Math.abs(prev.value);
          pass = delta > 0 && delta >= threshold;
          if (!pass && maxIntervalS !== undefined) pass = secondsBetween(prev.origin, reading.origin) >= maxIntervalS;
        }
        if (!pass) return undefined;
        last.set(key, { value: v, origin: reading.origin });
        return reading;
      }),
  };
};
