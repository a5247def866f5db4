/**
 * Errors of core-metadata. Shared codes (NOT_FOUND, DUPLICATE_NAME, STORE_CORRUPT, ...) come from
 * `@brink/contracts`; the codes below are this service's own and are listed in docs/errors.md.
 */
import { ServiceError } from "@brink/contracts";
import type { ErrorKind } from "@brink/contracts";

/** Error codes owned by core-metadata. */
export const MetadataErrorCode = {
  /** The metadata file exists but cannot be read (permissions, I/O error); it is left as it is. */
  StoreReadFailed: "STORE_READ_FAILED",
  /** Writing the metadata file failed (disk full, permissions): the change is not durable. */
  StoreWriteFailed: "STORE_WRITE_FAILED",
  /** A delete was refused because other entities still reference the target (EdgeX 409 "associated object exists"). */
  EntityInUse: "ENTITY_IN_USE",
  /** A profile update or delete was refused because the strict profile options are on (423). */
  ProfileLocked: "PROFILE_LOCKED",
  /** A paged query asked for an offset at or beyond the number of matching entities (416). */
  RangeNotSatisfiable: "RANGE_NOT_SATISFIABLE",
  /** The store was used before `start()` or after `stop()`. */
  StoreClosed: "STORE_CLOSED",
} as const;
/** One of core-metadata's own error codes. */
export type MetadataErrorCode = (typeof MetadataErrorCode)[keyof typeof MetadataErrorCode];

/** A ServiceError raised by core-metadata. */
export class MetadataError extends ServiceError {
  override readonly name: string = "MetadataError";

  constructor(kind: ErrorKind, code: string, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}
