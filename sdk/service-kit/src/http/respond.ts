/**
 * Writing JSON responses (bigint as exact JSON integers) and the one EdgeX error body shape.
 */
import type { Response } from "express";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, httpStatusOf, kindOfHttpStatus, stringifyJson } from "@brink/contracts";

/** Writes `body` as JSON with `status`; bigint values (int64 nanosecond timestamps) are written as exact integers. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader("Content-Type", "application/json; charset=utf-8");
  res.send(stringifyJson(body));
}

/** The EdgeX v3 error response Brink writes for every failed request. */
export interface ErrorResponseBody {
  apiVersion: string;
  requestId?: string;
  statusCode: number;
  message: string;
  /** Stable Brink error code (docs/errors.md). */
  code: string;
  /** Brink error kind; clients rebuild the same ServiceError from it. */
  kind: ErrorKind;
  details?: Record<string, unknown>;
}

/** Builds the error body of a ServiceError. */
export function errorBody(error: ServiceError, requestId?: string): ErrorResponseBody {
  const body: ErrorResponseBody = { apiVersion: API_VERSION, statusCode: httpStatusOf(error.kind), message: error.message, code: error.code, kind: error.kind };
  if (requestId) body.requestId = requestId;
  if (error.details !== undefined) body.details = error.details;
  return body;
}

/**
 * Turns anything thrown into a ServiceError. Errors carrying an HTTP status (as express and its parsers throw them)
 * keep that status's kind; anything else becomes a ServerError with code INTERNAL.
 */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (err !== null && typeof err === "object") {
    const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
    const httpStatus = typeof status === "number" ? status : typeof statusCode === "number" ? statusCode : undefined;
    if (httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
      const kind = httpStatus === 413 ? ErrorKind.LimitExceeded : kindOfHttpStatus(httpStatus);
      const code = httpStatus === 413 ? ErrorCode.BodyTooLarge : httpStatus === 404 ? ErrorCode.NotFound : ErrorCode.RequestInvalid;
      const message = err instanceof Error ? err.message : `HTTP ${httpStatus}`;
      return new ServiceError(kind, code, message, { cause: err });
    }
  }
  return ServiceError.from(err, ErrorCode.Internal);
}
