/**
 * The rules engine's Prometheus metrics. Hot-path counts (readings, evaluations) are kept as plain numbers by the
 * engine and read when /metrics is scraped; firings and failures are counted as they happen.
 */
import { Counter, Histogram, type Registry } from "prom-client";
import type { FiringMetrics } from "./engine/dispatcher.js";
import type { EngineStats } from "./engine/engine.js";

/** Metric names. */
export const METRIC = {
  firings: "brink_rules_firings_total",
  firingFailures: "brink_rules_firing_failures_total",
  actions: "brink_rules_actions_total",
  actionFailures: "brink_rules_action_failures_total",
  actionDuration: "brink_rules_action_duration_seconds",
  suppressed: "brink_rules_suppressed_total",
  readings: "brink_rules_readings_total",
  evaluations: "brink_rules_evaluations_total",
  skipped: "brink_rules_evaluations_skipped_total",
  dropped: "brink_rules_events_dropped_total",
  deliveries: "brink_notification_deliveries_total",
} as const;

/** The metrics, registered in a service's registry. */
export class RulesMetrics implements FiringMetrics {
  private readonly firings: Counter<"rule">;
  private readonly firingFailures: Counter<"rule">;
  private readonly actions: Counter<"rule" | "type">;
  private readonly actionFailures: Counter<"rule" | "type">;
  private readonly actionDuration: Histogram<"type">;
  private readonly suppressedCounter: Counter<"rule">;
  private readonly deliveries: Counter<"outcome">;

  /** @param stats the engine's counters, read at each scrape */
  constructor(registry: Registry, stats: () => Readonly<EngineStats>) {
    const registers = [registry];
    this.firings = new Counter({ name: METRIC.firings, help: "Rule firings (reading rules and scheduled runs), by rule.", labelNames: ["rule"], registers });
    this.firingFailures = new Counter({ name: METRIC.firingFailures, help: "Firings in which at least one action failed, by rule.", labelNames: ["rule"], registers });
    this.actions = new Counter({ name: METRIC.actions, help: "Actions run, by rule and action type.", labelNames: ["rule", "type"], registers });
    this.actionFailures = new Counter({ name: METRIC.actionFailures, help: "Actions that failed, by rule and action type.", labelNames: ["rule", "type"], registers });
    this.actionDuration = new Histogram({
      name: METRIC.actionDuration,
      help: "Time an action took, seconds, by action type.",
      labelNames: ["type"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    this.suppressedCounter = new Counter({ name: METRIC.suppressed, help: "Firings suppressed by a cooldown, by rule.", labelNames: ["rule"], registers });
    this.deliveries = new Counter({ name: METRIC.deliveries, help: "Notification delivery outcomes (sent, failed, retried).", labelNames: ["outcome"], registers });
    const gaugeLike = (name: string, help: string, read: (s: Readonly<EngineStats>) => number): void => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = read(stats());
          if (now > reported) this.inc(now - reported);
          reported = now;
        },
      });
    };
    gaugeLike(METRIC.readings, "Readings taken off the bus by the engine.", (s) => s.readings);
    gaugeLike(METRIC.evaluations, "Rule conditions evaluated.", (s) => s.evaluations);
    gaugeLike(METRIC.skipped, "Evaluations skipped because a value the condition reads has not arrived yet.", (s) => s.skipped);
    gaugeLike(METRIC.dropped, "Malformed events dropped by the engine.", (s) => s.dropped);
  }

  fired(rule: string, ok: boolean): void {
    this.firings.inc({ rule });
    if (!ok) this.firingFailures.inc({ rule });
  }

  actionDone(rule: string, type: string, ok: boolean, durationMs: number): void {
    this.actions.inc({ rule, type });
    if (!ok) this.actionFailures.inc({ rule, type });
    this.actionDuration.observe({ type }, durationMs / 1000);
  }

  suppressed(rule: string): void {
    this.suppressedCounter.inc({ rule });
  }

  delivery(outcome: "sent" | "failed" | "retried"): void {
    this.deliveries.inc({ outcome });
  }
}
