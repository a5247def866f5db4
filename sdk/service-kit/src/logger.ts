/**
 * Structured JSON logs to stdout through pino (bigint values are written as exact JSON integers).
 * Each service logs through a child bound to `{ service: <name> }`.
 */
import { pino, type DestinationStream, type Level, type Logger } from "pino";

/** A pino level name or `silent`. */
export type LogLevel = Level | "silent";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Lowest level written. @default "info" */
  level?: LogLevel;
  /** Logger name, written as `name` on every line. */
  name?: string;
  /** Where lines go. @default stdout */
  destination?: DestinationStream;
}

/** Creates a root logger that writes JSON lines with ISO timestamps. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? "info",
    ...(options.name === undefined ? {} : { name: options.name }),
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** The logger of one service: a child of `parent` bound to its name, at its configured level. */
export function serviceLogger(parent: Logger, service: string, level: LogLevel): Logger {
  return parent.child({ service }, { level });
}
