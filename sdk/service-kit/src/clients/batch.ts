/**
 * EdgeX batch requests: an array of `{ apiVersion, requestId, <key>: item }` answered with 207 and one status per
 * item. A per-item 409 is its own outcome, since callers registering at startup treat "already exists" as fine.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { errorFromResponse, type HttpClient } from "./http-client.js";

/** Outcome of one item of a batch request. */
export const BatchStatus = { Ok: "ok", Exists: "exists", Failed: "failed" } as const;
/** One batch item outcome. */
export type BatchStatus = (typeof BatchStatus)[keyof typeof BatchStatus];

/** The answer for one item of a batch request, in request order. */
export interface BatchItemResult {
  /** `ok` for 2xx, `exists` for 409, `failed` otherwise. */
  readonly status: BatchStatus;
  readonly statusCode: number;
  /** Id of the created entity, when the peer returned one. */
  readonly id?: string;
  readonly requestId?: string;
  /** The item's error, for `exists` and `failed`. */
  readonly error?: ServiceError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Sends a batch request and returns one result per item, in request order. */
export async function batchRequest(client: HttpClient, method: "POST" | "PATCH", path: string, key: string, items: readonly unknown[]): Promise<BatchItemResult[]> {
  if (items.length === 0) return [];
  const requests = items.map((item) => ({ apiVersion: API_VERSION, requestId: randomUUID(), [key]: item }));
  const { body } = await client.request<unknown>(method, path, { body: requests });
  if (!Array.isArray(body) || body.length !== requests.length) {
    throw new ServiceError(ErrorKind.Communication, ErrorCode.RemoteError, `${method} ${path}: expected ${requests.length} item statuses in the answer`);
  }
  return body.map((raw: unknown, i): BatchItemResult => {
    const item = isRecord(raw) ? raw : {};
    const statusCode = typeof item.statusCode === "number" ? item.statusCode : 500;
    const requestId = typeof item.requestId === "string" ? item.requestId : requests[i]?.requestId;
    const id = typeof item.id === "string" ? item.id : undefined;
    const base = { statusCode, ...(requestId === undefined ? {} : { requestId }), ...(id === undefined ? {} : { id }) };
    if (statusCode >= 200 && statusCode < 300) return { status: BatchStatus.Ok, ...base };
    const error = errorFromResponse(statusCode, item, `${method} ${path} item ${i}: HTTP ${statusCode}`);
    return { status: statusCode === 409 ? BatchStatus.Exists : BatchStatus.Failed, ...base, error };
  });
}

/**
 * Throws the error of the first failed item. With `allowExisting` (the default), items that already exist (409)
 * count as success.
 */
export function throwOnBatchFailure(results: readonly BatchItemResult[], options: { allowExisting?: boolean } = {}): void {
  const allowExisting = options.allowExisting ?? true;
  for (const result of results) {
    if (result.status === BatchStatus.Ok || (allowExisting && result.status === BatchStatus.Exists)) continue;
    throw result.error ?? new ServiceError(ErrorKind.Server, ErrorCode.RemoteError, `batch item failed with HTTP ${result.statusCode}`);
  }
}
