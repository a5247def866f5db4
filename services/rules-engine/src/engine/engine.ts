/**
 * The rule engine: takes device events off the bus, keeps each device's latest values and each rule's windows, and
 * evaluates the rules each reading concerns (found through the {@link RuleIndex}), firing their actions through the
 * {@link FiringDispatcher}. Evaluation is synchronous and allocation-light; actions run asynchronously, so a slow or
 * failing action never holds up evaluation.
 *
 * Times (windows, `for`, cooldown) are when the engine received the reading, by `Date.now()`.
 */
import { randomUUID } from "node:crypto";
import { ALL_EVENTS, type AddEventRequest, type Event, type Reading } from "@brink/contracts";
import type { MessageBus, Subscription } from "@brink/bus";
import type { Logger } from "pino";
import { renderActions } from "../actions/render.js";
import { isMissing, type Value } from "../expr/types.js";
import type { ReadingRule } from "../rule/compile.js";
import type { FiringDispatcher } from "./dispatcher.js";
import type { FiringContext } from "./firing.js";
import { RuleIndex } from "./rule-index.js";
import { RuleRuntime, RuleState, type DeviceRuleState } from "./rule-runtime.js";
import { DeviceValues, EvalScope, readingValue, sampleOf, type TriggerInfo } from "./values.js";
import { TumblingWindow, nextBoundary } from "./window.js";

/** Options of {@link RuleEngine}. */
export interface RuleEngineOptions {
  readonly bus: MessageBus;
  readonly dispatcher: FiringDispatcher;
  readonly logger: Logger;
  /** Most samples a sliding time window keeps. */
  readonly maxWindowSamples?: number;
  /** Called when a firing is suppressed by a cooldown. */
  readonly onSuppressed?: (rule: string) => void;
}

/** Counters since start. */
export interface EngineStats {
  /** Events taken. */
  events: number;
  /** Readings taken. */
  readings: number;
  /** Events dropped because they were malformed. */
  dropped: number;
  /** Condition evaluations that gave an answer. */
  evaluations: number;
  /** Evaluations skipped because something the condition reads had no value yet. */
  skipped: number;
  firings: number;
  suppressed: number;
}

/** One device's state in one rule, as `GET /api/v3/rule/name/{name}` shows it. */
export interface DeviceRuleStatus {
  readonly device: string;
  /** The resource, for a rule reading `$value` (each resource of a device has its own state). */
  readonly resource?: string;
  readonly state: RuleState;
  /** When the state was entered, Unix ns. */
  readonly since: bigint;
  /** Last firing, Unix ns; absent when it never fired. */
  readonly lastFiredAt?: bigint;
}

const msToNs = (ms: number): bigint => BigInt(Math.trunc(ms)) * 1_000_000n;

/** See the module comment. */
export class RuleEngine {
  private readonly options: RuleEngineOptions;
  private readonly runtimes = new Map<string, RuleRuntime>();
  private readonly index = new RuleIndex();
  private readonly devices = new Map<string, DeviceValues>();
  private readonly scope = new EvalScope();
  private readonly counts: EngineStats = { events: 0, readings: 0, dropped: 0, evaluations: 0, skipped: 0, firings: 0, suppressed: 0 };
  private subscription: Subscription | undefined;
  private epoch = 0;
  // Evaluations queued while one event is taken (parallel arrays, reused).
  private readonly queueRules: RuleRuntime[] = [];
  private readonly queueStates: DeviceRuleState[] = [];
  private readonly queueTriggers: TriggerInfo[] = [];

  constructor(options: RuleEngineOptions) {
    this.options = options;
  }

  /** Subscribes to every device event. */
  start(): void {
    this.subscription ??= this.options.bus.subscribe<AddEventRequest>(ALL_EVENTS, (msg) => this.handleRequest(msg.envelope.payload));
  }

  /** Unsubscribes and stops every timer. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const rt of this.runtimes.values()) rt.dispose();
  }

  /** Adds or replaces a rule (a replaced rule starts over: states and windows are dropped). */
  setRule(rule: ReadingRule): void {
    this.runtimes.get(rule.name)?.dispose();
    const rt = new RuleRuntime(rule, this.options.maxWindowSamples);
    this.runtimes.set(rule.name, rt);
    this.index.rebuild(this.runtimes.values());
    if (rt.tumbling && rule.window?.durationMs !== undefined) this.scheduleBoundary(rt, nextBoundary(Date.now(), rule.window.durationMs));
  }

  /** Removes a rule; false when there was none. */
  removeRule(name: string): boolean {
    const rt = this.runtimes.get(name);
    if (!rt) return false;
    rt.dispose();
    this.runtimes.delete(name);
    this.index.rebuild(this.runtimes.values());
    return true;
  }

  /** Names of the rules being evaluated. */
  ruleNames(): string[] {
    return [...this.runtimes.keys()];
  }

  /** Drops what is kept about a device (it was deleted from core-metadata). */
  forgetDevice(name: string): void {
    this.devices.delete(name);
    for (const rt of this.runtimes.values()) rt.forget(name);
  }

  /** Per-device states of a rule; undefined when the rule is not running. */
  status(name: string): DeviceRuleStatus[] | undefined {
    const rt = this.runtimes.get(name);
    if (!rt) return undefined;
    return [...rt.states.values()].map((st) => ({
      device: st.device,
      ...(st.resource === undefined ? {} : { resource: st.resource }),
      state: st.state,
      since: msToNs(st.since),
      ...(Number.isFinite(st.lastFiredAt) ? { lastFiredAt: msToNs(st.lastFiredAt) } : {}),
    }));
  }

  /** Counters since start. */
  stats(): Readonly<EngineStats> {
    return this.counts;
  }

  /** Takes one AddEventRequest as it comes off the bus; malformed ones are counted and dropped. */
  handleRequest(request: AddEventRequest): void {
    const event = (request as { event?: unknown } | null | undefined)?.event as Event | undefined;
    if (!event || typeof event.deviceName !== "string" || !Array.isArray(event.readings)) {
      this.counts.dropped++;
      return;
    }
    this.handleEvent(event);
  }

  /** Evaluates the rules an event's readings concern. */
  handleEvent(event: Event): void {
    const now = Date.now();
    const receivedAt = performance.now();
    const device = event.deviceName;
    const profile = typeof event.profileName === "string" ? event.profileName : "";
    const source = typeof event.sourceName === "string" ? event.sourceName : "";
    this.counts.events++;
    let values = this.devices.get(device);
    if (values === undefined) this.devices.set(device, (values = new DeviceValues()));
    const readings = event.readings;
    const parsed: (Value | undefined)[] = new Array(readings.length);
    // Every value of the event first: a rule reading two resources of the event sees both.
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i] as Reading | null | undefined;
      const v = typeof r === "object" && r !== null && typeof r.resourceName === "string" ? readingValue(r) : undefined;
      parsed[i] = v;
      if (v !== undefined) values.set(r!.resourceName, v);
    }
    this.counts.readings += readings.length;
    const epoch = ++this.epoch;
    let queued = 0;
    for (let i = 0; i < readings.length; i++) {
      const v = parsed[i];
      if (v === undefined) continue;
      const r = readings[i]!;
      const resource = r.resourceName;
      const rules = this.index.lookup(device, profile, source, resource);
      if (rules.length === 0) continue;
      const trigger: TriggerInfo = { resource, value: v, origin: typeof r.origin === "bigint" ? r.origin : BigInt(Math.trunc(Number(r.origin) || 0)) };
      for (const rt of rules) {
        const st = rt.state(device, resource);
        st.profile = profile;
        st.source = source;
        let closed = false;
        if (rt.rule.window !== undefined && rt.hasWindow(resource)) {
          const sample = sampleOf(v);
          if (sample !== undefined) closed = rt.window(st, resource).push(now, sample);
        }
        if (rt.tumbling ? !closed : !rt.triggers(resource)) continue;
        if (!rt.rule.perReading && !rt.tumbling) {
          if (rt.mark === epoch) continue;
          rt.mark = epoch;
        }
        this.queueRules[queued] = rt;
        this.queueStates[queued] = st;
        this.queueTriggers[queued] = trigger;
        queued++;
      }
    }
    for (let q = 0; q < queued; q++) this.evaluate(this.queueRules[q]!, this.queueStates[q]!, values, this.queueTriggers[q], now, receivedAt);
  }

  private prepare(rt: RuleRuntime, st: DeviceRuleState, values: DeviceValues, trigger: TriggerInfo | undefined, now: number): EvalScope {
    const s = this.scope;
    s.values = values;
    s.state = st;
    s.now = now;
    s.rule = rt.rule.name;
    s.device = st.device;
    s.profile = st.profile;
    s.source = st.source;
    s.trigger = trigger;
    return s;
  }

  /** Evaluates the condition (or, while ACTIVE, the clear condition) and moves the state machine. */
  private evaluate(rt: RuleRuntime, st: DeviceRuleState, values: DeviceValues, trigger: TriggerInfo | undefined, now: number, receivedAt: number): void {
    const scope = this.prepare(rt, st, values, trigger, now);
    const rule = rt.rule;
    let cond: boolean;
    try {
      if (st.state === RuleState.Active) {
        if (rule.clear(scope)) st.set(RuleState.Inactive, now);
        this.counts.evaluations++;
        return;
      }
      cond = Boolean(rule.when.evaluate(scope));
    } catch (err) {
      this.failed(rule.name, err);
      return;
    }
    this.counts.evaluations++;
    if (st.state === RuleState.Pending) {
      if (!cond) {
        st.cancelTimer();
        st.set(RuleState.Inactive, now);
      }
      return;
    }
    if (!cond) return;
    st.trigger = trigger;
    st.receivedAt = receivedAt;
    if (rule.forMs > 0) {
      st.set(RuleState.Pending, now);
      st.timer = setTimeout(() => this.forElapsed(rt, st), rule.forMs);
      return;
    }
    this.fire(rt, st, now);
  }

  private failed(rule: string, err: unknown): void {
    if (isMissing(err)) {
      this.counts.skipped++;
      return;
    }
    this.options.logger.error({ err, rule }, "rule evaluation failed");
  }

  /** `for` has elapsed: fire when the condition still holds (a sliding time window may have moved meanwhile). */
  private forElapsed(rt: RuleRuntime, st: DeviceRuleState): void {
    st.timer = undefined;
    if (st.state !== RuleState.Pending || this.runtimes.get(rt.rule.name) !== rt) return;
    const now = Date.now();
    const values = this.devices.get(st.device) ?? new DeviceValues();
    const scope = this.prepare(rt, st, values, st.trigger, now);
    let cond: boolean;
    try {
      cond = Boolean(rt.rule.when.evaluate(scope));
    } catch (err) {
      // Something it reads lost its value (the device was forgotten): the condition is not known to hold.
      this.failed(rt.rule.name, err);
      cond = false;
    }
    this.counts.evaluations++;
    if (!cond) {
      st.set(RuleState.Inactive, now);
      return;
    }
    st.receivedAt = performance.now();
    this.fire(rt, st, now);
  }

  /** Fires (the scope is prepared for this rule and device), unless a cooldown suppresses it. */
  private fire(rt: RuleRuntime, st: DeviceRuleState, now: number): void {
    const rule = rt.rule;
    if (now - st.lastFiredAt < rule.cooldownMs) {
      st.set(RuleState.Inactive, now);
      this.counts.suppressed++;
      this.options.onSuppressed?.(rule.name);
      return;
    }
    st.set(RuleState.Active, now);
    st.lastFiredAt = now;
    this.counts.firings++;
    const scope = this.scope;
    const inputs: Record<string, Value> = {};
    for (const input of rule.inputs) {
      let v: Value | undefined;
      try {
        v = input.read(scope);
      } catch {
        v = undefined;
      }
      inputs[input.label] = v === undefined ? null : v;
    }
    const firing: FiringContext = {
      id: randomUUID(),
      rule: rule.name,
      device: st.device,
      profile: st.profile,
      firedAt: msToNs(now),
      inputs,
      ...(st.trigger ? { trigger: { ...st.trigger } } : {}),
    };
    const rendered = renderActions(rule.actions, scope, firing);
    void this.options.dispatcher.dispatch(firing, rendered, st.receivedAt);
  }

  /** Closes tumbling time windows at each boundary, evaluating the rule for every device whose window closed. */
  private scheduleBoundary(rt: RuleRuntime, boundary: number): void {
    const durationMs = rt.rule.window!.durationMs!;
    rt.boundaryTimer = setTimeout(() => {
      rt.boundaryTimer = undefined;
      if (this.runtimes.get(rt.rule.name) !== rt) return;
      const now = Date.now();
      const receivedAt = performance.now();
      const closed = new Set<string>();
      for (const [device, windows] of rt.windows) {
        let any = false;
        for (const w of windows.values()) if (w instanceof TumblingWindow && w.closeAt(boundary)) any = true;
        if (any) closed.add(device);
      }
      for (const st of [...rt.states.values()]) {
        const values = closed.has(st.device) ? this.devices.get(st.device) : undefined;
        if (values) this.evaluate(rt, st, values, st.trigger, now, receivedAt);
      }
      const next = boundary + durationMs;
      this.scheduleBoundary(rt, next > now ? next : nextBoundary(now, durationMs));
    }, Math.max(0, boundary - Date.now()));
  }
}
