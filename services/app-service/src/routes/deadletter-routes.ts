/**
 * `/api/v3/deadletter`: messages an export target refused for good (HTTP 4xx, MQTT v5 error reason codes), kept with
 * the reason until an operator retries them (back at the end of their target's queue) or deletes them.
 */
import type { Router } from "express";
import type { DeadLetter, SqliteOutbox } from "@brink/app-sdk";
import { ErrorCode, ErrorKind, ServiceError, baseResponse } from "@brink/contracts";
import { parsePaging, pathParam, queryString, sendJson } from "@brink/service-kit";

const PREFIX = "/api/v3/deadletter";
/** Most dead letters in one list answer. */
export const MAX_DEAD_LETTER_PAGE = 1000;

/** A dead letter as the API shows it: the payload in base64. */
function view(d: DeadLetter): Record<string, unknown> {
  return { ...d, payload: Buffer.from(d.payload).toString("base64") };
}

function idOf(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, `dead letter id must be a whole number, got "${raw}"`);
  return id;
}

/** Mounts the dead-letter routes. */
export function deadLetterRoutes(router: Router, outbox: SqliteOutbox): void {
  router.get(`${PREFIX}/all`, (req, res) => {
    const paging = parsePaging(req, { defaultLimit: 100, maxLimit: MAX_DEAD_LETTER_PAGE });
    const page = outbox.listDeadLetters(queryString(req, "target"), { offset: paging.offset, limit: paging.limit < 0 ? MAX_DEAD_LETTER_PAGE : paging.limit });
    sendJson(res, 200, { ...baseResponse(200), totalCount: page.totalCount, deadLetters: page.deadLetters.map(view) });
  });

  router.get(`${PREFIX}/id/:id`, (req, res) => {
    const id = idOf(pathParam(req, "id"));
    const d = outbox.getDeadLetter(id);
    if (d === undefined) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no dead letter with id ${id}`, { details: { id } });
    sendJson(res, 200, { ...baseResponse(200), deadLetter: view(d) });
  });

  router.post(`${PREFIX}/id/:id/retry`, (req, res) => {
    const seq = outbox.retryDeadLetter(idOf(pathParam(req, "id")));
    sendJson(res, 200, { ...baseResponse(200), seq });
  });

  router.delete(`${PREFIX}/id/:id`, (req, res) => {
    outbox.deleteDeadLetter(idOf(pathParam(req, "id")));
    sendJson(res, 200, baseResponse(200));
  });
}
