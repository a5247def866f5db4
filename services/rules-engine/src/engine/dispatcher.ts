/**
 * Runs a firing's actions and records the firing: its time, inputs and each action's result, in the history and in
 * /metrics. Shared by reading rules and scheduled rules.
 */
import type { Logger } from "pino";
import type { ActionRunner } from "../actions/runner.js";
import type { Rendered } from "../actions/render.js";
import { roundMs, type FiringContext, type FiringRecord } from "./firing.js";

/** Where firing records go (the history store). */
export interface FiringSink {
  record(record: FiringRecord): void;
}

/** Counters the dispatcher moves (see metrics.ts). */
export interface FiringMetrics {
  fired(rule: string, ok: boolean): void;
  actionDone(rule: string, type: string, ok: boolean, durationMs: number): void;
}

/** Options of {@link FiringDispatcher}. */
export interface FiringDispatcherOptions {
  readonly runner: ActionRunner;
  readonly sink: FiringSink;
  readonly metrics?: FiringMetrics;
  readonly logger: Logger;
}

/** Runs and records firings. */
export class FiringDispatcher {
  private readonly options: FiringDispatcherOptions;
  private readonly listeners = new Set<(record: FiringRecord) => void>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: FiringDispatcherOptions) {
    this.options = options;
  }

  /** Calls `listener` with each firing record once its actions are done; returns the function that removes it. */
  onRecord(listener: (record: FiringRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs the actions and records the firing. Never rejects: failures are in the record.
   * @param startedAt `performance.now()` when the triggering reading arrived (or the timer went off)
   */
  dispatch(firing: FiringContext, rendered: readonly Rendered[], startedAt: number, scheduledAt?: bigint): Promise<FiringRecord> {
    const work = this.run(firing, rendered, startedAt, scheduledAt);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Resolves once every firing dispatched so far is recorded. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async run(firing: FiringContext, rendered: readonly Rendered[], startedAt: number, scheduledAt: bigint | undefined): Promise<FiringRecord> {
    const { logger, metrics, sink } = this.options;
    const actions = await this.options.runner.run(rendered);
    const ok = actions.every((a) => a.ok);
    const record: FiringRecord = {
      id: firing.id,
      rule: firing.rule,
      device: firing.device,
      firedAt: firing.firedAt,
      ...(firing.trigger ? { trigger: firing.trigger } : {}),
      ...(scheduledAt !== undefined ? { scheduledAt } : {}),
      inputs: firing.inputs,
      actions,
      ok,
      durationMs: roundMs(performance.now() - startedAt),
    };
    for (const a of actions) metrics?.actionDone(firing.rule, a.type, a.ok, a.durationMs);
    metrics?.fired(firing.rule, ok);
    if (!ok) {
      const failed = actions.filter((a) => !a.ok).map((a) => ({ type: a.type, code: a.error?.code, message: a.error?.message }));
      logger.warn({ rule: firing.rule, device: firing.device, firingId: firing.id, failed }, "rule fired; some actions failed");
    } else {
      logger.debug({ rule: firing.rule, device: firing.device, firingId: firing.id }, "rule fired");
    }
    try {
      sink.record(record);
    } catch (err) {
      logger.error({ err, rule: firing.rule }, "could not record a firing");
    }
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (err) {
        logger.error({ err }, "a firing listener threw");
      }
    }
    return record;
  }
}
