/**
 * What compiled expressions read and produce. Values are primitives only (numbers, strings, booleans, null): no
 * object ever reaches an expression, so there is nothing to reach a prototype or a constructor through.
 */

/** A value an expression reads or returns. */
export type Value = number | string | boolean | null;

/** Identifiers that name something other than a device resource. */
export const SpecialName = {
  /** The value of the reading being evaluated. */
  Value: "$value",
  /** The resource name of the reading being evaluated. */
  Resource: "$resource",
  /** The device of the reading (or of the firing). */
  Device: "$device",
  /** The device profile of the reading. */
  Profile: "$profile",
  /** The source (command or resource) of the reading's event. */
  Source: "$source",
  /** The rule's name. */
  Rule: "$rule",
  /** Now, as Unix milliseconds. */
  Time: "$time",
} as const;
/** One special identifier. */
export type SpecialName = (typeof SpecialName)[keyof typeof SpecialName];

/** Window aggregates (need a window) and reading-to-reading functions (need the previous reading only). */
export const AggregateFn = {
  Avg: "avg",
  Min: "min",
  Max: "max",
  Sum: "sum",
  Count: "count",
  /** Change per second between the first and the last sample of the window. */
  Rate: "rate",
  /** Latest value minus the one before it. */
  Delta: "delta",
  /** The value before the latest one. */
  Prev: "prev",
} as const;
/** One aggregate function. */
export type AggregateFn = (typeof AggregateFn)[keyof typeof AggregateFn];

/** Aggregates computed over the rule's window (the others use the device's previous reading). */
export const WINDOW_FUNCTIONS: ReadonlySet<AggregateFn> = new Set([AggregateFn.Avg, AggregateFn.Min, AggregateFn.Max, AggregateFn.Sum, AggregateFn.Count, AggregateFn.Rate]);

/** Stands for "the resource of the reading being evaluated" (`avg($value)`). */
export const TRIGGER_RESOURCE = "$value";

/** One aggregate an expression reads: its slot in the rule's aggregate table. */
export interface AggregateRef {
  readonly slot: number;
  readonly fn: AggregateFn;
  /** Resource name, or {@link TRIGGER_RESOURCE}. */
  readonly resource: string;
  /** As written for records, such as `avg(temperature)`. */
  readonly label: string;
}

/** What an evaluation reads; the engine and the scheduler implement it. */
export interface Scope {
  /** Latest value of a resource of the device; undefined when it has none yet. */
  value(resource: string): Value | undefined;
  /** Value before the latest one; undefined when there is none. */
  previous(resource: string): Value | undefined;
  /** An aggregate of the rule's window; undefined when it is not defined (empty window, fewer than two samples). */
  aggregate(ref: AggregateRef): Value | undefined;
  /** A special identifier; undefined when it has no meaning here. */
  special(name: SpecialName): Value | undefined;
}

/** Thrown (not an Error: no stack is captured) when an expression reads something that has no value yet. */
export interface Missing {
  readonly missing: string;
}

/** True for the value thrown by an evaluation that read something without a value. */
export function isMissing(thrown: unknown): thrown is Missing {
  return typeof thrown === "object" && thrown !== null && typeof (thrown as { missing?: unknown }).missing === "string" && !(thrown instanceof Error);
}
