/**
 * RangeCheck: numeric readings outside their bounds are dropped, clamped to the bound, or tagged. Bounds come from
 * the params (per resource, or for every resource) and otherwise from the device profile's `minimum` / `maximum`.
 */
import type { Reading, SimpleReading } from "@brink/contracts";
import type { FunctionFactory } from "../../types.js";
import { mapReadings, numericValue, tagReading, withValue } from "../data.js";
import { ParamReader } from "../params.js";

/** What RangeCheck does with a reading out of range. */
export const RangeAction = { Drop: "drop", Clamp: "clamp", Tag: "tag" } as const;
/** One RangeCheck action. */
export type RangeAction = (typeof RangeAction)[keyof typeof RangeAction];

/** Inclusive bounds; either may be absent. */
export interface Bounds {
  minimum?: number;
  maximum?: number;
}

/** Tag RangeCheck sets with action `tag`, by default; its value is `below` or `above`. */
export const DEFAULT_RANGE_TAG = "outOfRange";

function readBounds(r: ParamReader): Bounds {
  const b: Bounds = {};
  const minimum = r.number("minimum");
  const maximum = r.number("maximum");
  if (minimum !== undefined) b.minimum = minimum;
  if (maximum !== undefined) b.maximum = maximum;
  if (minimum !== undefined && maximum !== undefined && minimum > maximum) r.add("minimum", `is above maximum (${minimum} > ${maximum})`);
  return b;
}

/**
 * Params: `resources` (resource name -> { minimum, maximum }), `minimum` / `maximum` (for every other resource),
 * `useProfile` (default true: take the profile's bounds when the params give none for a resource), `action`
 * (drop | clamp | tag, default drop), `tag` (tag name for action tag, default `outOfRange`). Precedence per
 * resource: `resources` entry, then the profile, then `minimum` / `maximum`. NaN is left to NaNFilter.
 */
export const rangeCheck: FunctionFactory = (params, env) => {
  const name = "RangeCheck";
  const r = new ParamReader(name, params);
  const perResource = r.mapOf("resources", readBounds) ?? {};
  const global = readBounds(r);
  const useProfile = r.boolean("useProfile", true);
  const action = r.choice("action", Object.values(RangeAction), RangeAction.Drop);
  const tag = r.string("tag", { def: DEFAULT_RANGE_TAG, nonEmpty: true }) ?? DEFAULT_RANGE_TAG;
  if (!r.has("resources") && !r.has("minimum") && !r.has("maximum") && !useProfile) r.add("useProfile", "gives no bounds: set minimum, maximum or resources, or leave useProfile on");
  r.done();

  const boundsOf = (reading: Reading): Bounds => {
    const own = perResource[reading.resourceName];
    if (own !== undefined) return own;
    if (useProfile && env.profileResource) {
      const p = env.profileResource(reading.profileName, reading.resourceName);
      if (p !== undefined && (p.minimum !== undefined || p.maximum !== undefined)) return p;
    }
    return global;
  };

  return {
    name,
    process: (_ctx, data) =>
      mapReadings(name, data, (reading) => {
        const v = numericValue(reading);
        if (v === undefined || Number.isNaN(v)) return reading;
        const { minimum, maximum } = boundsOf(reading);
        const side = minimum !== undefined && v < minimum ? "below" : maximum !== undefined && v > maximum ? "above" : undefined;
        if (side === undefined) return reading;
        if (action === RangeAction.Drop) return undefined;
        if (action === RangeAction.Tag) return tagReading(reading, { [tag]: side });
        return withValue(reading as SimpleReading, side === "below" ? minimum! : maximum!);
      }),
  };
};
