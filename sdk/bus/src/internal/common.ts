/**
 * Pieces both buses share: status listeners, counters, the default logger, handler invocation.
 */
import { ServiceError, envelopeOf, errorEnvelopeOf, newUuid, type MessageEnvelope } from "@brink/contracts";
import type { BusLogger, BusMessage, BusStats, BusStatus } from "../types.js";

/** Default request timeout, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/**
 * Logger used when none is given: warnings and errors go to stderr as one JSON line each, debug and info are
 * dropped. Services pass their pino logger instead.
 */
export const stderrLogger: BusLogger = {
  debug() {},
  info() {},
  warn(obj, msg) {
    writeLine("warn", obj, msg);
  },
  error(obj, msg) {
    writeLine("error", obj, msg);
  },
};

function writeLine(level: string, obj: Record<string, unknown>, msg: string | undefined): void {
  const fields: Record<string, unknown> = { level, time: Date.now(), name: "brink-bus", msg };
  for (const [k, v] of Object.entries(obj)) fields[k] = v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v;
  let line: string;
  try {
    line = JSON.stringify(fields, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    line = JSON.stringify({ level, msg });
  }
  process.stderr.write(line + "\n");
}

/** A fresh id for `correlationID` / `requestID`. */
export function newId(): string {
  return newUuid();
}

/** Holds the current status and tells listeners when it changes. */
export class StatusEmitter {
  private current: BusStatus;
  private readonly listeners = new Set<(status: BusStatus) => void>();

  constructor(initial: BusStatus, private readonly logger: BusLogger) {
    this.current = initial;
  }

  get(): BusStatus {
    return this.current;
  }

  /** Sets the status; listeners run only on a change, and a throwing listener is logged, not propagated. */
  set(status: BusStatus): void {
    if (status === this.current) return;
    this.current = status;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch (err) {
        this.logger.error({ err, status }, "bus status listener failed");
      }
    }
  }

  on(listener: (status: BusStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/** Mutable counters behind {@link BusStats}. */
export class Counters {
  published = 0;
  delivered = 0;
  dropped = 0;
  handlerErrors = 0;

  snapshot(): BusStats {
    return { published: this.published, delivered: this.delivered, dropped: this.dropped, handlerErrors: this.handlerErrors };
  }
}

/**
 * Runs a message handler so that neither a throw nor a rejection escapes: both are counted and logged with the
 * subject, and the subscription goes on.
 */
export function runHandler<M extends { subject: string }>(
  handler: (msg: M) => void | Promise<void>,
  msg: M,
  counters: Counters,
  logger: BusLogger,
  pattern: string,
): void {
  counters.delivered++;
  try {
    const r = handler(msg);
    if (r !== undefined && typeof (r as Promise<void>).then === "function") {
      (r as Promise<void>).then(undefined, (err: unknown) => handlerFailed(err, msg.subject, pattern, counters, logger));
    }
  } catch (err) {
    handlerFailed(err, msg.subject, pattern, counters, logger);
  }
}

function handlerFailed(err: unknown, subject: string, pattern: string, counters: Counters, logger: BusLogger): void {
  counters.handlerErrors++;
  logger.error({ err, subject, pattern }, "bus message handler failed");
}

/**
 * Runs a request handler and hands its outcome to `reply` as an envelope: the value in a success envelope
 * (`undefined` becomes `null`, which JSON can carry), a thrown error in an error envelope. A ServiceError is an
 * answer and is logged at debug; anything else is a handler bug, counted and logged at error, and travels as
 * INTERNAL. Without `reply` (the message was published, not requested) the outcome is dropped.
 */
export function runServeHandler(
  handler: (msg: BusMessage<unknown>) => unknown,
  msg: BusMessage<unknown>,
  reply: ((envelope: MessageEnvelope<unknown>) => void) | undefined,
  counters: Counters,
  logger: BusLogger,
  pattern: string,
): void {
  counters.delivered++;
  const ids = { correlationID: msg.envelope.correlationID, requestID: msg.envelope.requestID };
  const ok = (value: unknown): void => reply?.(envelopeOf(value === undefined ? null : value, ids));
  const fail = (err: unknown): void => {
    const se = ServiceError.from(err);
    if (se !== err) {
      counters.handlerErrors++;
      logger.error({ err, subject: msg.subject, pattern }, "bus request handler failed");
    } else {
      logger.debug({ err, subject: msg.subject, pattern }, "bus request handler answered with an error");
    }
    reply?.(errorEnvelopeOf(se, ids));
  };
  try {
    const r = handler(msg);
    if (r !== null && typeof r === "object" && typeof (r as Promise<unknown>).then === "function") (r as Promise<unknown>).then(ok, fail);
    else ok(r);
  } catch (err) {
    fail(err);
  }
}
