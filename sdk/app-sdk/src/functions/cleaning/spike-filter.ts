/**
 * SpikeFilter: a numeric reading that changed faster than `maxRatePerSecond` since the last accepted reading of the
 * same device and resource (by origin time) is a spike: dropped or tagged. A spike does not move the reference, so
 * a real step change is accepted once enough time has passed for its rate to fall under the limit.
 */
import type { FunctionFactory } from "../../types.js";
import { mapReadings, numericValue, secondsBetween, seriesKey, tagReading } from "../data.js";
import { ParamReader } from "../params.js";

/** Tag SpikeFilter sets with action `tag`, by default; its value is the measured rate per second. */
export const DEFAULT_SPIKE_TAG = "spike";

/**
 * Params: `maxRatePerSecond` (> 0, required), `action` (drop | tag, default drop), `tag` (default `spike`).
 * Readings with the same or an earlier origin than the reference count as spikes when their value differs.
 */
export const spikeFilter: FunctionFactory = (params) => {
  const name = "SpikeFilter";
  const r = new ParamReader(name, params);
  const maxRate = r.number("maxRatePerSecond", { required: true, min: 0, exclusiveMin: true }) ?? 1;
  const action = r.choice("action", ["drop", "tag"] as const, "drop");
  const tag = r.string("tag", { def: DEFAULT_SPIKE_TAG, nonEmpty: true }) ?? DEFAULT_SPIKE_TAG;
  r.done();

  const last = new Map<string, { value: number; origin: bigint }>();
  return {
    name,
    process: (_ctx, data) =>
      mapReadings(name, data, (reading) => {
        const v = numericValue(reading);
        if (v === undefined || !Number.isFinite(v)) return reading;
        const key = seriesKey(reading);
        const prev = last.get(key);
        if (prev !== undefined) {
          const dv = Math.abs(v - prev.value);
          const dt = secondsBetween(prev.origin, reading.origin);
          const rate = dt > 0 ? dv / dt : dv === 0 ? 0 : Infinity;
          if (rate > maxRate) return action === "drop" ? undefined : tagReading(reading, { [tag]: String(rate) });
        }
        last.set(key, { value: v, origin: reading.origin });
        return reading;
      }),
  };
};
