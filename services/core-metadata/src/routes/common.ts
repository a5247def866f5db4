/**
 * What every core-metadata route family shares: EdgeX batch requests answered with 207, paged list answers, and the
 * lookup rules of PATCH requests.
 */
import type { Request, Response } from "express";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, ValidationError, baseResponse } from "@brink/contracts";
import type { BatchItemResponse, Problem } from "@brink/contracts";
import { errorBody, pageOf, parseLabels, parsePaging, sendJson, toServiceError } from "@brink/service-kit";
import type { Paging } from "@brink/service-kit";
import { MetadataError, MetadataErrorCode } from "../errors.js";
import type { EntityInputs, EntityKind, MetadataStore, StoredEntities } from "../store/metadata-store.js";
import type { CoreMetadataConfig } from "../config.js";

/** What the route families are given. */
export interface RouteContext {
  readonly store: MetadataStore;
  readonly config: Readonly<CoreMetadataConfig>;
}

/** The status of one successful batch item: 201 for adds, 200 for updates. */
export type BatchSuccessStatus = 200 | 201;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A 400 REQUEST_INVALID naming the problem. */
export function requestInvalid(message: string, problems?: Problem[]): ServiceError {
  return problems
    ? new ValidationError(ErrorCode.RequestInvalid, message, problems)
    : new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message);
}

/**
 * Runs an EdgeX batch request (`[{ apiVersion, requestId?, <key>: dto }]`) and answers 207 with one status per item,
 * in order. `handle` gets each item's DTO and must make its store change before its first await, so items are
 * checked and applied in order and share one file write. It resolves to the new entity's id (answered for 201) or
 * undefined. A body that is not an array of requests is a 400 for the whole request.
 */
/**
 * The DTO of one batch item under `key`, matched case-insensitively as EdgeX's Go JSON decoding does
 * (`provisionwatcher` in EdgeX's OpenAPI, `provisionWatcher` in its Go DTO tags: both work).
 */
function dtoOf(item: Record<string, unknown>, key: string): unknown {
  if (key in item) return item[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(item)) if (k.toLowerCase() === lower) return item[k];
  return undefined;
}

export async function runBatch(
  req: Request,
  res: Response,
  key: string,
  success: BatchSuccessStatus,
  handle: (dto: unknown) => Promise<string | undefined>,
): Promise<void> {
  const body: unknown = req.body;
  if (!Array.isArray(body)) throw requestInvalid(`the body must be a JSON array of requests, each with "apiVersion" and "${key}"`);
  const outcomes = body.map((item: unknown, i): { requestId: string | undefined; result: Promise<string | undefined> } => {
    const requestId = isRecord(item) && typeof item.requestId === "string" && item.requestId !== "" ? item.requestId : undefined;
    try {
      if (!isRecord(item)) throw requestInvalid(`request [${i}] must be an object`, [{ path: `[${i}]`, message: "must be an object" }]);
      const problems: Problem[] = [];
      if (typeof item.apiVersion !== "string" || item.apiVersion === "") problems.push({ path: "apiVersion", message: "is required" });
      const dto = dtoOf(item, key);
      if (!isRecord(dto)) problems.push({ path: key, message: "is required and must be an object" });
      if (problems.length > 0) throw requestInvalid(`request [${i}] is invalid`, problems);
      return { requestId, result: handle(dto) };
    } catch (err) {
      return { requestId, result: Promise.reject(err) };
    }
  });
  const settled = await Promise.allSettled(outcomes.map((o) => o.result));
  const answer = settled.map((s, i) => {
    const requestId = outcomes[i]!.requestId;
    if (s.status === "fulfilled") {
      const ok: BatchItemResponse = { ...baseResponse(success, requestId) };
      if (success === 201 && s.value !== undefined) ok.id = s.value;
      return ok;
    }
    return errorBody(toServiceError(s.reason), requestId);
  });
  sendJson(res, 207, answer);
}

/** The 416 answered when `offset` is at or past the number of matching entities. */
function rangeNotSatisfiable(total: number, offset: number): MetadataError {
  return new MetadataError(ErrorKind.RangeNotSatisfiable, MetadataErrorCode.RangeNotSatisfiable, `offset ${offset} is out of range: ${total} item(s) match`, {
    details: { totalCount: total, offset },
  });
}

/** Reads `offset` and `limit`; `limit=-1` and limits above `maxResultCount` mean `maxResultCount`, as EdgeX does. */
export function pagingOf(req: Request, maxResultCount: number): Paging {
  const { offset, limit } = parsePaging(req);
  return { offset, limit: limit < 0 || limit > maxResultCount ? maxResultCount : limit };
}

/** The `labels` filter of a list request. */
export function labelsOf(req: Request): string[] {
  return parseLabels(req);
}

/**
 * Answers an EdgeX multi response `{ apiVersion, statusCode: 200, totalCount, <key>: [...] }` with one page of
 * `items`; 416 RANGE_NOT_SATISFIABLE when the offset is past the end of a non-empty list.
 */
export function sendPage<T>(res: Response, key: string, items: readonly T[], paging: Paging, map: (item: T) => unknown = (x) => x): void {
  if (items.length > 0 && paging.offset >= items.length) throw rangeNotSatisfiable(items.length, paging.offset);
  sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, totalCount: items.length, [key]: pageOf(items, paging).map(map) });
}

/** Answers one entity: `{ apiVersion, statusCode: 200, <key>: entity }`. */
export function sendOne(res: Response, key: string, entity: unknown): void {
  sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, [key]: entity });
}

/** Answers a plain 200 BaseResponse (deletes, checks, single updates). */
export function sendOk(res: Response, status = 200): void {
  sendJson(res, status, baseResponse(status));
}

/** The entity or a 404 NOT_FOUND. */
export function mustGet<K extends EntityKind>(store: MetadataStore, kind: K, name: string, noun: string): StoredEntities[K] {
  const entity = store.get(kind, name);
  if (!entity) throw new MetadataError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `${noun} "${name}" does not exist`, { details: { kind, name } });
  return entity;
}

/**
 * The stored entity a PATCH item names, as EdgeX finds it: by `id` when given (a `name` given too must match), else
 * by `name`. 404 when there is none, 400 when the item names neither or both disagree.
 */
export function patchTarget<K extends EntityKind>(store: MetadataStore, kind: K, dto: Record<string, unknown>, noun: string): StoredEntities[K] {
  const { id, name } = dto;
  if (id !== undefined && id !== null && id !== "") {
    if (typeof id !== "string") throw requestInvalid(`${noun} id must be a string`, [{ path: "id", message: "must be a string" }]);
    const found = store.getById(kind, id);
    if (!found) throw new MetadataError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `${noun} id "${id}" does not exist`, { details: { kind, id } });
    if (name !== undefined && name !== null && name !== found.name) {
      throw requestInvalid(`${noun} name does not match id "${id}"`, [{ path: "name", message: `must be "${found.name}", the name of id "${id}"` }]);
    }
    return found;
  }
  if (typeof name !== "string" || name === "") throw requestInvalid(`a ${noun} update needs "id" or "name"`, [{ path: "name", message: "is required when id is absent" }]);
  return mustGet(store, kind, name, noun);
}

/** The DTO of an update: the stored entity's identity with the validated fields. */
export function withIdentity<K extends EntityKind>(validated: EntityInputs[K], target: StoredEntities[K]): EntityInputs[K] {
  return { ...validated, id: target.id, name: target.name } as EntityInputs[K];
}

/** `dto` as a record, for batch handlers (runBatch already checked it is an object). */
export function asRecord(dto: unknown): Record<string, unknown> {
  return isRecord(dto) ? dto : {};
}
