/**
 * Path and query parameters of the core-data routes, read as EdgeX core-data reads them: `offset` -1 skips the
 * total count, `limit` -1 means "up to maxResultCount", start/end/age are int64 nanoseconds.
 */
import type { Request } from "express";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { DEFAULT_PAGE_LIMIT, queryInt } from "@brink/service-kit";
import { CoreDataError, CoreDataErrorCode } from "../errors.js";
import type { Page } from "../store/queries.js";

/** EdgeX's default `MaxResultCount`: the most items one list answer holds. */
export const DEFAULT_MAX_RESULT_COUNT = 1024;

/** Paging of one request. */
export interface CorePaging extends Page {
  /** False when the client sent `offset=-1`: the answer carries totalCount 0 and the count query is skipped. */
  readonly count: boolean;
}

function invalid(message: string, details: Record<string, unknown>): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message, { details });
}

/** Reads `offset` (default 0, -1 skips counting) and `limit` (default 20, -1 for maxResultCount, at most maxResultCount). */
export function readPaging(req: Request, maxResultCount: number): CorePaging {
  const offset = queryInt(req, "offset", { default: 0, min: -1 });
  const limit = queryInt(req, "limit", { default: Math.min(DEFAULT_PAGE_LIMIT, maxResultCount), min: -1, max: maxResultCount });
  return { offset: Math.max(0, offset), limit: limit === -1 ? maxResultCount : limit, count: offset >= 0 };
}

const INT64 = /^-?\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A path parameter holding an int64 (Unix nanoseconds, or an age in nanoseconds); 400 REQUEST_INVALID otherwise. */
export function pathNanos(req: Request, name: string): bigint {
  const raw = (req.params as Record<string, string | undefined>)[name] ?? "";
  if (INT64.test(raw)) {
    const value = BigInt(raw);
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  }
  throw invalid(`path parameter ${name} must be an int64 integer (nanoseconds), got ${JSON.stringify(raw)}`, { parameter: name, value: raw });
}

/** The `start`/`end` path parameters; 400 when end is before start, as EdgeX answers. */
export function timeRange(req: Request): { start: bigint; end: bigint } {
  const start = pathNanos(req, "start");
  const end = pathNanos(req, "end");
  if (end < start) throw invalid(`end (${end}) must not be before start (${start})`, { start: start.toString(), end: end.toString() });
  return { start, end };
}

/**
 * Runs a paged query as EdgeX does: count first (unless `offset=-1`), an empty list when nothing matches or
 * `limit=0`, 416 RANGE_NOT_SATISFIABLE when the offset lies past the total, otherwise the page.
 */
export function pagedQuery<T>(paging: CorePaging, count: () => number, fetch: (page: Page) => T[]): { totalCount: number; items: T[] } {
  if (!paging.count) return { totalCount: 0, items: paging.limit === 0 ? [] : fetch(paging) };
  const totalCount = count();
  if (paging.limit === 0 || totalCount === 0) return { totalCount, items: [] };
  if (paging.offset > totalCount) {
    throw new CoreDataError(ErrorKind.RangeNotSatisfiable, CoreDataErrorCode.RangeNotSatisfiable, `offset ${paging.offset} is past the ${totalCount} items`, {
      details: { offset: paging.offset, totalCount },
    });
  }
  return { totalCount, items: fetch(paging) };
}
