/**
 * NaNFilter: float readings whose value is NaN (and, by default, +Inf or -Inf) are dropped or tagged.
 */
import type { FunctionFactory } from "../../types.js";
import { mapReadings, numericValue, tagReading } from "../data.js";
import { ParamReader } from "../params.js";

/** Tag NaNFilter sets with action `tag`, by default; its value is `NaN`, `+Inf` or `-Inf`. */
export const DEFAULT_NAN_TAG = "invalidNumber";

/** Params: `action` (drop | tag, default drop), `infinity` (treat ±Inf as invalid too, default true), `tag`. */
export const nanFilter: FunctionFactory = (params) => {
  const name = "NaNFilter";
  const r = new ParamReader(name, params);
  const action = r.choice("action", ["drop", "tag"] as const, "drop");
  const infinity = r.boolean("infinity", true);
  const tag = r.string("tag", { def: DEFAULT_NAN_TAG, nonEmpty: true }) ?? DEFAULT_NAN_TAG;
  r.done();
  return {
    name,
    process: (_ctx, data) =>
      mapReadings(name, data, (reading) => {
        const v = numericValue(reading);
        if (v === undefined) return reading;
        const bad = Number.isNaN(v) ? "NaN" : infinity && !Number.isFinite(v) ? (v > 0 ? "+Inf" : "-Inf") : undefined;
        if (bad === undefined) return reading;
        return action === "drop" ? undefined : tagReading(reading, { [tag]: bad });
      }),
  };
};
