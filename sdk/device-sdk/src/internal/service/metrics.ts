/**
 * Device-service metrics on the service's /metrics registry: AutoEvent scheduling (runs, skipped ticks, lateness)
 * and the pipeline's requests in flight.
 */
import { Gauge, type Registry } from "prom-client";
import type { Scheduler } from "../autoevent/scheduler.js";
import type { CommandPipeline } from "../pipeline/command-pipeline.js";

/** Registers the gauges; their values are read from the scheduler and pipeline at scrape time. */
export function registerDeviceServiceMetrics(registry: Registry, scheduler: Scheduler, pipeline: CommandPipeline): void {
  const stat = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  stat("brink_autoevent_tasks", "AutoEvents currently scheduled.", () => scheduler.stats().tasks);
  stat("brink_autoevent_runs_total", "AutoEvent reads started since start.", () => scheduler.stats().runs);
  stat("brink_autoevent_skipped_total", "AutoEvent ticks skipped (missed while the loop was blocked, or the previous read still running).", () => scheduler.stats().skipped);
  stat("brink_autoevent_lateness_max_ms", "Largest delay between an AutoEvent's due time and its start, ms.", () => scheduler.stats().maxLatenessMs);
  stat("brink_autoevent_lateness_p99_ms", "99th percentile of the delay between an AutoEvent's due time and its start over the last 4096 runs, ms.", () => scheduler.stats().p99LatenessMs);
  stat("brink_autoevent_lateness_mean_ms", "Mean delay between an AutoEvent's due time and its start, ms.", () => scheduler.stats().meanLatenessMs);
  stat("brink_device_requests_in_flight", "Reads and writes currently running through the command pipeline.", () => pipeline.pending);
}
