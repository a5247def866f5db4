/**
 * core-data's own error codes, beside the shared ones in `@brink/contracts` (docs/errors.md lists both).
 */
import { ServiceError, type ErrorKind } from "@brink/contracts";

/** Error codes raised only by core-data. */
export const CoreDataErrorCode = {
  /** An event with the same id is already stored (HTTP 409). */
  EventDuplicate: "EVENT_DUPLICATE",
  /** The event store is not open: it was closed or never opened (HTTP 503). */
  StoreClosed: "STORE_CLOSED",
  /** SQLite refused a write (disk full, I/O error, ...) (HTTP 500). */
  StoreWriteFailed: "STORE_WRITE_FAILED",
  /** The paging offset lies past the end of the result set (HTTP 416, as EdgeX). */
  RangeNotSatisfiable: "RANGE_NOT_SATISFIABLE",
  /** JetStream ingest is on but NATS cannot be reached, has no JetStream, or several streams claim the events (at start). */
  JetStreamUnavailable: "JETSTREAM_UNAVAILABLE",
} as const;
/** One of core-data's own error codes. */
export type CoreDataErrorCode = (typeof CoreDataErrorCode)[keyof typeof CoreDataErrorCode];

/** A ServiceError raised by core-data. */
export class CoreDataError extends ServiceError {
  override readonly name = "CoreDataError";

  constructor(kind: ErrorKind, code: CoreDataErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}
