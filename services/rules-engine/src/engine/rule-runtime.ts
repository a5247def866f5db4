/**
 * One reading rule at run time: its windows and its state per device.
 *
 * Per device a rule is INACTIVE, PENDING (the condition holds, waiting out `for`) or ACTIVE (it fired, waiting for
 * the clear condition). INACTIVE -> condition true -> PENDING, or straight to firing without `for`; PENDING ->
 * condition false -> INACTIVE, `for` elapsed with the condition still true -> firing; firing -> ACTIVE, unless within
 * `cooldown` of the last firing (then suppressed, back to INACTIVE); ACTIVE -> clear true -> INACTIVE.
 */
import { WINDOW_FUNCTIONS, TRIGGER_RESOURCE } from "../expr/types.js";
import type { ReadingRule } from "../rule/compile.js";
import { WindowType } from "../rule/types.js";
import { DEFAULT_MAX_WINDOW_SAMPLES, SlidingWindow, TumblingWindow, type SampleWindow } from "./window.js";
import type { TriggerInfo, WindowSource } from "./values.js";

/** Per-device rule states. */
export const RuleState = { Inactive: "INACTIVE", Pending: "PENDING", Active: "ACTIVE" } as const;
/** One rule state. */
export type RuleState = (typeof RuleState)[keyof typeof RuleState];

/**
 * A rule's state for one device (for a rule reading `$value`, for one resource of one device: each resource's value
 * fires and clears on its own). Windows are the device's, shared by its states.
 */
export class DeviceRuleState implements WindowSource {
  state: RuleState = RuleState.Inactive;
  /** When the state last changed, Unix ms. */
  since = 0;
  timer: ReturnType<typeof setTimeout> | undefined;
  lastFiredAt = Number.NEGATIVE_INFINITY;
  /** The reading that last made the condition true (or, for tumbling windows, closed a window). */
  trigger: TriggerInfo | undefined;
  /** `performance.now()` when that reading arrived: firing records measure from it. */
  receivedAt = 0;
  profile = "";
  source = "";
  constructor(
    readonly device: string,
    /** The resource of a `$value` rule's state; undefined for the others. */
    readonly resource: string | undefined,
    readonly windows: Map<string, SampleWindow>,
  ) {}

  set(state: RuleState, now: number): void {
    this.state = state;
    this.since = now;
  }

  cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A rule with its per-device states and windows. */
export class RuleRuntime {
  /** By device, or by device and resource (`$value` rules). */
  readonly states = new Map<string, DeviceRuleState>();
  /** Windows by device, then resource. */
  readonly windows = new Map<string, Map<string, SampleWindow>>();
  /** Event counter of the last evaluation, so a rule is evaluated once per event (unless it reads `$value`). */
  mark = 0;
  /** Timer closing tumbling time windows at each boundary. */
  boundaryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resources with a window, by name; `$value` windows are keyed by the reading's resource. */
  readonly windowed: ReadonlySet<string>;
  readonly windowsTrigger: boolean;
  readonly tumbling: boolean;
  private readonly maxSamples: number;

  constructor(
    readonly rule: ReadingRule,
    maxWindowSamples = DEFAULT_MAX_WINDOW_SAMPLES,
  ) {
    const windowed = new Set<string>();
    let trigger = false;
    for (const ref of rule.aggregates) {
      if (!WINDOW_FUNCTIONS.has(ref.fn)) continue;
      if (ref.resource === TRIGGER_RESOURCE) trigger = true;
      else windowed.add(ref.resource);
    }
    this.windowed = windowed;
    this.windowsTrigger = trigger;
    this.tumbling = rule.window?.type === WindowType.Tumbling;
    this.maxSamples = maxWindowSamples;
  }

  /** Whether readings of `resource` concern this rule at all (to trigger it or to feed a window). */
  watches(resource: string): boolean {
    const r = this.rule;
    if (r.triggers.has(resource) || this.windowed.has(resource)) return true;
    return (r.perReading || this.windowsTrigger) && r.source.resource.test(resource);
  }

  /** Whether readings of `resource` cause an evaluation. */
  triggers(resource: string): boolean {
    const r = this.rule;
    return r.perReading ? r.source.resource.test(resource) : r.triggers.has(resource);
  }

  /** Whether `resource` has a window in this rule. */
  hasWindow(resource: string): boolean {
    return this.windowed.has(resource) || (this.windowsTrigger && this.rule.source.resource.test(resource));
  }

  /** The state of a device (and, for a `$value` rule, of the reading's resource), made on first use. */
  state(device: string, resource: string): DeviceRuleState {
    const key = this.rule.perReading ? `${device}\u0000${resource}` : device;
    let st = this.states.get(key);
    if (st === undefined) {
      let windows = this.windows.get(device);
      if (windows === undefined) this.windows.set(device, (windows = new Map()));
      st = new DeviceRuleState(device, this.rule.perReading ? resource : undefined, windows);
      this.states.set(key, st);
    }
    return st;
  }

  /** Drops what is kept about a device. */
  forget(device: string): void {
    for (const [key, st] of this.states) {
      if (st.device !== device) continue;
      st.cancelTimer();
      this.states.delete(key);
    }
    this.windows.delete(device);
  }

  /** The window of a resource for a device, made on first use. */
  window(st: DeviceRuleState, resource: string): SampleWindow {
    let w = st.windows.get(resource);
    if (w === undefined) {
      const spec = this.rule.window!;
      w = spec.type === WindowType.Tumbling
        ? new TumblingWindow(spec.durationMs, spec.count)
        : new SlidingWindow(spec.durationMs, spec.count ?? this.maxSamples);
      st.windows.set(resource, w);
    }
    return w;
  }

  /** Stops every timer (the rule is removed, replaced or the engine stops). */
  dispose(): void {
    for (const st of this.states.values()) st.cancelTimer();
    if (this.boundaryTimer !== undefined) clearTimeout(this.boundaryTimer);
    this.boundaryTimer = undefined;
    this.states.clear();
    this.windows.clear();
  }
}
