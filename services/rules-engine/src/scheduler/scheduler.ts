/**
 * The scheduler (EdgeX's support-scheduler): runs scheduled rules' actions on their interval or cron schedule.
 *
 * Each run's scheduled time is stored; at start, a rule whose next run after its last stored run is already past
 * missed runs while the service was stopped, and its `missed` policy decides: `skip` (the default) waits for the
 * next scheduled time; `once` runs once at start, then keeps the schedule. Runs missed because the process stalled
 * while running are skipped the same way. A new rule first runs at its first scheduled time after it was saved.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { renderActions } from "../actions/render.js";
import type { FiringDispatcher } from "../engine/dispatcher.js";
import type { FiringContext } from "../engine/firing.js";
import { EvalScope } from "../engine/values.js";
import type { ScheduledRule } from "../rule/compile.js";
import { MissedRunPolicy } from "../rule/types.js";
import { firstRunAfter } from "./schedule.js";

/** Longest delay a Node timer takes (about 24.8 days); longer waits re-arm on the way. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where last runs are kept. */
export interface ScheduleRuns {
  lastRun(rule: string): number | undefined;
  setLastRun(rule: string, ms: number): void;
  forget(rule: string): void;
}

/** Options of {@link RuleScheduler}. */
export interface RuleSchedulerOptions {
  readonly dispatcher: FiringDispatcher;
  readonly runs: ScheduleRuns;
  readonly logger: Logger;
}

interface Job {
  readonly rule: ScheduledRule;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Next run, Unix ms; undefined when the schedule has none left. */
  next: number | undefined;
}

const msToNs = (ms: number): bigint => BigInt(Math.trunc(ms)) * 1_000_000n;

/** See the module comment. */
export class RuleScheduler {
  private readonly options: RuleSchedulerOptions;
  private readonly jobs = new Map<string, Job>();
  private started = false;

  constructor(options: RuleSchedulerOptions) {
    this.options = options;
  }

  /** Arms every rule given so far, applying the missed-run policy. */
  start(): void {
    this.started = true;
    for (const job of this.jobs.values()) this.arm(job, true);
  }

  /** Disarms every rule. */
  stop(): void {
    this.started = false;
    for (const job of this.jobs.values()) this.disarm(job);
  }

  /**
   * Adds or replaces a scheduled rule. A replaced rule keeps its last run (so changing a schedule does not count as
   * missed runs); `isNew` makes it start from now.
   */
  setRule(rule: ScheduledRule, isNew: boolean): void {
    const old = this.jobs.get(rule.name);
    if (old) this.disarm(old);
    if (isNew) this.options.runs.forget(rule.name);
    const job: Job = { rule, timer: undefined, next: undefined };
    this.jobs.set(rule.name, job);
    if (this.started) this.arm(job, false);
  }

  /** Removes a rule; `forget` also drops its last run (it was deleted, not disabled). */
  removeRule(name: string, forget: boolean): boolean {
    const job = this.jobs.get(name);
    if (forget) this.options.runs.forget(name);
    if (!job) return false;
    this.disarm(job);
    this.jobs.delete(name);
    return true;
  }

  /** The next run of a rule, Unix ms; undefined when not scheduled. */
  nextRun(name: string): number | undefined {
    return this.jobs.get(name)?.next;
  }

  private disarm(job: Job): void {
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.timer = undefined;
    job.next = undefined;
  }

  private arm(job: Job, atStart: boolean): void {
    const { rule } = job;
    const now = Date.now();
    const last = this.options.runs.lastRun(rule.name);
    if (last === undefined) {
      this.options.runs.setLastRun(rule.name, now);
      this.plan(job, firstRunAfter(rule.schedule, now, now));
      return;
    }
    const due = rule.schedule.next(last);
    if (due !== undefined && due <= now) {
      const runNow = atStart && rule.schedule.missed === MissedRunPolicy.Once;
      this.options.logger.info({ rule: rule.name, missedSince: new Date(due).toISOString(), policy: rule.schedule.missed }, runNow ? "running a missed scheduled run once" : "skipping missed scheduled runs");
      if (runNow) this.run(rule, due);
      this.plan(job, firstRunAfter(rule.schedule, due, now));
      return;
    }
    this.plan(job, due);
  }

  private plan(job: Job, next: number | undefined): void {
    job.next = next;
    if (next === undefined) {
      this.options.logger.info({ rule: job.rule.name }, "schedule has no further runs");
      return;
    }
    const wait = Math.max(0, next - Date.now());
    job.timer = setTimeout(() => {
      job.timer = undefined;
      if (this.jobs.get(job.rule.name) !== job || !this.started) return;
      if (Date.now() < next) {
        this.plan(job, next); // a wait longer than one timer allows
        return;
      }
      this.run(job.rule, next);
      this.plan(job, firstRunAfter(job.rule.schedule, next, Math.max(Date.now(), next)));
    }, Math.min(wait, MAX_TIMER_MS));
  }

  /** Runs a rule's actions for the run scheduled at `scheduledMs`. */
  private run(rule: ScheduledRule, scheduledMs: number): void {
    const startedAt = performance.now();
    const now = Date.now();
    this.options.runs.setLastRun(rule.name, scheduledMs);
    const scope = new EvalScope();
    scope.rule = rule.name;
    scope.now = now;
    const firing: FiringContext = { id: randomUUID(), rule: rule.name, device: "", profile: "", firedAt: msToNs(now), inputs: {} };
    const rendered = renderActions(rule.actions, scope, firing);
    void this.options.dispatcher.dispatch(firing, rendered, startedAt, msToNs(scheduledMs));
  }
}
