/**
 * What the route families share: EdgeX batch requests answered with 207 and one status per item.
 */
import type { Request, Response } from "express";
import { ErrorCode, ErrorKind, ServiceError, ValidationError, baseResponse, type BatchItemResponse } from "@brink/contracts";
import { errorBody, sendJson, toServiceError } from "@brink/service-kit";

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A 400 REQUEST_INVALID. */
export function requestInvalid(message: string): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message);
}

/** One answered item of a batch. */
export type BatchAnswer = BatchItemResponse | ReturnType<typeof errorBody>;

/** Runs one item, turning its error into its answer. */
export async function answerItem(requestId: string | undefined, success: 200 | 201, run: () => Promise<string | undefined>): Promise<BatchAnswer> {
  try {
    const id = await run();
    const ok: BatchItemResponse = baseResponse(success, requestId);
    if (success === 201 && id !== undefined) ok.id = id;
    return ok;
  } catch (err) {
    return errorBody(toServiceError(err), requestId);
  }
}

/**
 * Runs an EdgeX batch request (`[{ apiVersion, requestId?, <key>: dto }]`), one item after the other, and answers
 * 207 with one status per item in order. A body that is not such an array is a 400 for the whole request.
 */
export async function runBatch(req: Request, res: Response, key: string, handle: (dto: unknown) => Promise<string | undefined>): Promise<void> {
  const body: unknown = req.body;
  if (!Array.isArray(body)) throw requestInvalid(`the body must be a JSON array of requests, each with "apiVersion" and "${key}"`);
  const answers: BatchAnswer[] = [];
  for (const [i, item] of body.entries()) {
    const requestId = isRecord(item) && typeof item.requestId === "string" && item.requestId !== "" ? item.requestId : undefined;
    answers.push(
      await answerItem(requestId, 201, async () => {
        if (!isRecord(item) || !isRecord(item[key])) {
          throw new ValidationError(ErrorCode.RequestInvalid, `request [${i}]`, [{ path: key, message: "is required and must be an object" }]);
        }
        return handle(item[key]);
      }),
    );
  }
  sendJson(res, 207, answers);
}
