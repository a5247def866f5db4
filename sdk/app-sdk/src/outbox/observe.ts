/**
 * Logging and Prometheus helpers shared by the outbox, the forwarders and the targets.
 */
import { Counter, Gauge, type Registry } from "prom-client";

/** The logger methods the outbox and forwarders use (a pino Logger fits). */
export interface OutboxLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function line(level: string) {
  return (obj: object, msg?: string): void => {
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg, ...obj })}\n`);
  };
}

/** Warnings and errors as JSON lines on stderr; debug and info are dropped. The default when no logger is given. */
export const stderrLogger: OutboxLogger = { debug: () => undefined, info: () => undefined, warn: line("warn"), error: line("error") };

/** The registry's counter of that name, created on first use (several outboxes or forwarders may share a registry). */
export function counterOf<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * A gauge whose value is read at scrape time from `read` (label values to value). One reader per registry and name:
 * a later call replaces the reader, so the newest outbox or forwarder set is what is scraped.
 */
export function gaugeOf<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Iterable<[Partial<Record<L, string>>, number]>): Gauge<L> {
  registry.removeSingleMetric(name);
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}
