/**
 * Schedules of scheduled rules: a fixed interval or a cron expression (parsed by croner, a maintained cron library
 * with time zones; it is used only to compute run times, the timers are the scheduler's own).
 */
import { Cron } from "croner";
import { at, checkKeys, isRecord, optDurationMs, optEnum, optString, type Problems } from "../rule/checks.js";
import { MissedRunPolicy } from "../rule/types.js";

/** A compiled schedule. */
export interface CompiledSchedule {
  /** `every 1m` or `cron 0 3 * * * (UTC)`. */
  readonly description: string;
  readonly missed: MissedRunPolicy;
  /** The interval of an interval schedule, ms (runs keep the phase of the previous run). */
  readonly intervalMs: number | undefined;
  /**
   * The first run time after `afterMs` (Unix ms), for a schedule whose previous run was at `afterMs`; undefined when
   * there is none (a cron date in the past).
   */
  next(afterMs: number): number | undefined;
}

/** Default time zone of cron expressions. */
export const DEFAULT_TIMEZONE = "UTC";

const POLICIES = Object.values(MissedRunPolicy);

/** Validates and compiles a `schedule` block; problems go to `problems`. */
export function compileSchedule(raw: unknown, path: string, problems: Problems): CompiledSchedule | undefined {
  if (!isRecord(raw)) {
    problems.add(path, "must be an object with interval or cron");
    return undefined;
  }
  const before = problems.list.length;
  checkKeys(raw, ["interval", "cron", "timezone", "missed"], path, problems);
  const intervalMs = optDurationMs(raw, "interval", path, problems, true);
  const cron = optString(raw, "cron", path, problems);
  const timezone = optString(raw, "timezone", path, problems) ?? DEFAULT_TIMEZONE;
  const missed = optEnum(raw, "missed", POLICIES, path, problems) ?? MissedRunPolicy.Skip;
  if ((raw.interval === undefined) === (raw.cron === undefined)) problems.add(path, "needs exactly one of interval and cron");
  if (raw.timezone !== undefined && raw.cron === undefined) problems.add(at(path, "timezone"), "goes with cron");
  if (intervalMs !== undefined && intervalMs < 1) problems.add(at(path, "interval"), "must be at least 1ms");
  let job: Cron | undefined;
  if (cron !== undefined) {
    try {
      job = new Cron(cron, { timezone, paused: true });
      job.nextRun(new Date(0));
    } catch (err) {
      const message = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
      problems.add(at(path, err instanceof RangeError && /time ?zone/i.test(message) ? "timezone" : "cron"), message);
      job = undefined;
    }
  }
  if (problems.list.length !== before) return undefined;
  if (job !== undefined) {
    const cronJob = job;
    return {
      description: `cron ${cron} (${timezone})`,
      missed,
      intervalMs: undefined,
      next: (afterMs) => cronJob.nextRun(new Date(afterMs))?.getTime(),
    };
  }
  const every = intervalMs!;
  return { description: `every ${String(raw.interval)}`, missed, intervalMs: every, next: (afterMs) => afterMs + every };
}

/**
 * The first run strictly after `nowMs` of a schedule whose previous run was at `anchorMs`: interval schedules keep
 * the anchor's phase, cron schedules follow the calendar.
 */
export function firstRunAfter(schedule: CompiledSchedule, anchorMs: number, nowMs: number): number | undefined {
  if (schedule.intervalMs !== undefined) {
    const i = schedule.intervalMs;
    return nowMs < anchorMs ? anchorMs + i : anchorMs + (Math.floor((nowMs - anchorMs) / i) + 1) * i;
  }
  return schedule.next(nowMs);
}
