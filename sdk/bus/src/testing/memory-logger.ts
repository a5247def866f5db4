/**
 * A BusLogger that keeps what it is told, for tests that assert a warning was logged.
 */
import type { BusLogger } from "../types.js";

/** One logged line. */
export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** Records every log call in {@link MemoryLogger.entries}. */
export class MemoryLogger implements BusLogger {
  readonly entries: LogEntry[] = [];

  debug(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: "debug", obj, msg });
  }

  info(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: "info", obj, msg });
  }

  warn(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: "warn", obj, msg });
  }

  error(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: "error", obj, msg });
  }

  /** Entries of one level. */
  at(level: LogEntry["level"]): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}
