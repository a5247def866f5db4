/**
 * Device values as the engine keeps them (latest and previous value of each resource of each device) and the scope
 * expressions are evaluated in.
 */
import { isFloatType, isIntegerType, type Reading } from "@brink/contracts";
import { AggregateFn, SpecialName, TRIGGER_RESOURCE, type AggregateRef, type Scope, type Value } from "../expr/types.js";
import type { SampleWindow, WindowFn } from "./window.js";

/**
 * The value of a reading for expressions: integers and floats as numbers (Int64 beyond 2^53 loses precision), Bool
 * as a boolean, String as text. Arrays, Binary and Object readings have none (undefined): rules cannot read them.
 */
export function readingValue(r: Reading): Value | undefined {
  if (!("value" in r) || typeof r.value !== "string") return undefined;
  const type = r.valueType;
  if (type === "Bool") return r.value === "true" || r.value === "TRUE" || r.value === "True";
  if (type === "String") return r.value;
  if (isIntegerType(type) || isFloatType(type)) {
    const n = Number(r.value);
    return Number.isNaN(n) && r.value.trim().toLowerCase() !== "nan" ? undefined : n;
  }
  return undefined;
}

/** A value as a window sample: numbers as they are, booleans as 1 and 0, text not at all. */
export function sampleOf(v: Value): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/** The latest and previous value of each resource of one device. */
export class DeviceValues {
  readonly latest = new Map<string, Value>();
  readonly previous = new Map<string, Value>();

  set(resource: string, v: Value): void {
    const old = this.latest.get(resource);
    if (old !== undefined) this.previous.set(resource, old);
    this.latest.set(resource, v);
  }
}

/** What the scope needs of a rule's per-device state. */
export interface WindowSource {
  readonly windows: ReadonlyMap<string, SampleWindow>;
}

/** The reading an evaluation is about. */
export interface TriggerInfo {
  resource: string;
  value: Value;
  origin: bigint;
}

const EMPTY_VALUES = new DeviceValues();
const NO_WINDOWS: WindowSource = { windows: new Map() };

/** The one mutable scope the engine evaluates every expression in (set before each evaluation; never kept). */
export class EvalScope implements Scope {
  values: DeviceValues = EMPTY_VALUES;
  state: WindowSource = NO_WINDOWS;
  now = 0;
  rule = "";
  device = "";
  profile = "";
  source = "";
  trigger: TriggerInfo | undefined;

  value(resource: string): Value | undefined {
    return this.values.latest.get(resource);
  }

  previous(resource: string): Value | undefined {
    return this.values.previous.get(resource);
  }

  aggregate(ref: AggregateRef): Value | undefined {
    const resource = ref.resource === TRIGGER_RESOURCE ? this.trigger?.resource : ref.resource;
    if (resource === undefined) return undefined;
    switch (ref.fn) {
      case AggregateFn.Prev:
        return this.values.previous.get(resource);
      case AggregateFn.Delta: {
        const v = this.values.latest.get(resource);
        const p = this.values.previous.get(resource);
        if (v === undefined || p === undefined) return undefined;
        const a = sampleOf(v);
        const b = sampleOf(p);
        return a === undefined || b === undefined ? undefined : a - b;
      }
      default:
        return this.state.windows.get(resource)?.aggregate(ref.fn as WindowFn, this.now);
    }
  }

  special(name: SpecialName): Value | undefined {
    switch (name) {
      case SpecialName.Value:
        return this.trigger?.value;
      case SpecialName.Resource:
        return this.trigger?.resource;
      case SpecialName.Device:
        return this.device;
      case SpecialName.Profile:
        return this.profile;
      case SpecialName.Source:
        return this.source;
      case SpecialName.Rule:
        return this.rule;
      case SpecialName.Time:
        return this.now;
    }
  }
}
