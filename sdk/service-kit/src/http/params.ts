/**
 * Reading path and query parameters, with a 400 (REQUEST_INVALID) for bad values, and EdgeX paging and labels.
 */
import type { Request } from "express";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";

/** EdgeX default page size (`limit`). */
export const DEFAULT_PAGE_LIMIT = 20;

function invalid(message: string, details: Record<string, unknown>): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message, { details });
}

/** A path parameter, already URL-decoded by express. Throws 400 REQUEST_INVALID when absent or empty. */
export function pathParam(req: Request, name: string): string {
  const params = req.params as Record<string, string | string[] | undefined>;
  const value = params[name];
  const text = Array.isArray(value) ? value.join("/") : value;
  if (text === undefined || text === "") throw invalid(`path parameter ${name} is required`, { parameter: name });
  return text;
}

/** A single query string value; undefined when absent; 400 when given more than once. */
export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalid(`query parameter ${name} must be given once`, { parameter: name });
  return value;
}

/** Bounds and default of {@link queryInt}. */
export interface QueryIntOptions {
  /** Value when the parameter is absent or empty. */
  default?: number;
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

/** An integer query parameter. Throws 400 REQUEST_INVALID when not an integer or out of `[min, max]`. */
export function queryInt(req: Request, name: string, options: QueryIntOptions & { default: number }): number;
export function queryInt(req: Request, name: string, options?: QueryIntOptions): number | undefined;
export function queryInt(req: Request, name: string, options: QueryIntOptions = {}): number | undefined {
  const raw = queryString(req, name);
  if (raw === undefined || raw.trim() === "") return options.default;
  const text = raw.trim();
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw invalid(`query parameter ${name} must be an integer, got ${JSON.stringify(raw)}`, { parameter: name, value: raw });
  }
  if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
    const range = `[${options.min ?? "-inf"}, ${options.max ?? "inf"}]`;
    throw invalid(`query parameter ${name} must be in ${range}, got ${value}`, { parameter: name, value: raw, min: options.min, max: options.max });
  }
  return value;
}

/** A boolean query parameter (`true`/`false`, case-insensitive); `fallback` when absent. 400 on other values. */
export function queryBool(req: Request, name: string, fallback = false): boolean {
  const raw = queryString(req, name);
  if (raw === undefined || raw === "") return fallback;
  const word = raw.toLowerCase();
  if (word === "true") return true;
  if (word === "false") return false;
  throw invalid(`query parameter ${name} must be true or false, got ${JSON.stringify(raw)}`, { parameter: name, value: raw });
}

/** EdgeX paging: items to skip, and how many to return (`-1` for all that remain). */
export interface Paging {
  readonly offset: number;
  readonly limit: number;
}

/** Reads `offset` (default 0, min 0) and `limit` (default 20, min -1; -1 means all) as EdgeX does. */
export function parsePaging(req: Request, options: { defaultLimit?: number; maxLimit?: number } = {}): Paging {
  const offset = queryInt(req, "offset", { default: 0, min: 0 });
  const limit = queryInt(req, "limit", { default: options.defaultLimit ?? DEFAULT_PAGE_LIMIT, min: -1, ...(options.maxLimit === undefined ? {} : { max: options.maxLimit }) });
  return { offset, limit };
}

/** Applies paging to an in-memory list. */
export function pageOf<T>(items: readonly T[], paging: Paging): T[] {
  return paging.limit < 0 ? items.slice(paging.offset) : items.slice(paging.offset, paging.offset + paging.limit);
}

/** EdgeX `labels` query parameter: a comma-separated list; empty when absent. */
export function parseLabels(req: Request): string[] {
  const raw = queryString(req, "labels");
  if (raw === undefined) return [];
  return raw.split(",").map((l) => l.trim()).filter((l) => l !== "");
}
