/**
 * Filters by name: FilterByDeviceName, FilterByProfileName, FilterBySourceName (whole events) and
 * FilterByResourceName (readings within an event). Names match exactly; patterns are regular expressions anchored at
 * both ends, so `dev1` matches `dev1` but not `dev10` (write `dev1.*` for a prefix).
 */
import type { Event } from "@brink/contracts";
import type { FunctionFactory, PipelineFunction } from "../types.js";
import { mapEvents, withReadings } from "./data.js";
import { ParamReader } from "./params.js";

/** What a name filter does with names that match. */
export const FilterMode = { Include: "include", Exclude: "exclude" } as const;
/** One filter mode. */
export type FilterMode = (typeof FilterMode)[keyof typeof FilterMode];

/** A compiled name matcher: exact names and anchored patterns. */
export interface NameMatcher {
  matches(name: string): boolean;
}

/** Reads `names`, `patterns` and `mode`; at least one name or pattern is required. */
export function readNameFilter(r: ParamReader): { matcher: NameMatcher; mode: FilterMode } {
  const names = r.strings("names");
  const patterns = r.patterns("patterns");
  const mode = r.choice("mode", [FilterMode.Include, FilterMode.Exclude], FilterMode.Include);
  const listed = r.has("names") || r.has("patterns");
  if (!listed) r.add("names", "give names, patterns or both");
  else if ((names?.length ?? 0) === 0 && (patterns?.length ?? 0) === 0 && r.problems.length === 0) r.add("names", "names and patterns are both empty");
  const set = new Set(names ?? []);
  const res = patterns ?? [];
  return { matcher: { matches: (name) => set.has(name) || res.some((re) => re.test(name)) }, mode };
}

function keeps(matcher: NameMatcher, mode: FilterMode, name: string): boolean {
  return matcher.matches(name) === (mode === FilterMode.Include);
}

function eventFilter(fnName: string, field: "deviceName" | "profileName" | "sourceName"): FunctionFactory {
  return (params) => {
    const r = new ParamReader(fnName, params);
    const { matcher, mode } = readNameFilter(r);
    r.done();
    const fn: PipelineFunction = {
      name: fnName,
      process: (_ctx, data) => mapEvents(fnName, data, (event: Event) => (keeps(matcher, mode, event[field]) ? event : undefined)),
    };
    return fn;
  };
}

/** Keeps (include) or drops (exclude) events whose `deviceName` matches. Params: names, patterns, mode. */
export const filterByDeviceName: FunctionFactory = eventFilter("FilterByDeviceName", "deviceName");
/** Keeps (include) or drops (exclude) events whose `profileName` matches. Params: names, patterns, mode. */
export const filterByProfileName: FunctionFactory = eventFilter("FilterByProfileName", "profileName");
/** Keeps (include) or drops (exclude) events whose `sourceName` matches. Params: names, patterns, mode. */
export const filterBySourceName: FunctionFactory = eventFilter("FilterBySourceName", "sourceName");

/**
 * Keeps (include) or drops (exclude) the readings whose `resourceName` matches; an event left without readings is
 * dropped. Params: names, patterns, mode.
 */
export const filterByResourceName: FunctionFactory = (params) => {
  const name = "FilterByResourceName";
  const r = new ParamReader(name, params);
  const { matcher, mode } = readNameFilter(r);
  r.done();
  return {
    name,
    process: (_ctx, data) =>
      mapEvents(name, data, (event) => withReadings(event, event.readings.filter((reading) => keeps(matcher, mode, reading.resourceName)))),
  };
};
