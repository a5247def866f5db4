/**
 * The kit's own middleware: correlation IDs, bearer-token auth, unknown routes and the one error handler.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { ErrorCode, ErrorKind, ServiceError, httpStatusOf } from "@brink/contracts";
import { errorBody, sendJson, toServiceError } from "./respond.js";

/** Header carrying the correlation ID, as EdgeX names it. */
export const CORRELATION_HEADER = "X-Correlation-ID";
/** The one route open without a token. */
export const PING_PATH = "/api/v3/ping";

const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/** Takes the caller's X-Correlation-ID (or makes a UUID), echoes it, and puts it in `res.locals.correlationId`. */
export function correlationId(): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-correlation-id"];
    const id = typeof given === "string" && ACCEPTABLE_ID.test(given) ? given : randomUUID();
    res.locals.correlationId = id;
    res.setHeader(CORRELATION_HEADER, id);
    next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function isPing(method: string, path: string): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  const normalized = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return normalized.toLowerCase() === PING_PATH;
}

/** Requires `Authorization: Bearer <token>` on every route but GET /api/v3/ping; 401 UNAUTHORIZED otherwise. */
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    if (isPing(req.method, req.path)) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? "");
    // comparing digests keeps the compare constant-time whatever the lengths
    if (match && timingSafeEqual(digest(match[1] as string), expected)) return next();
    next(new ServiceError(ErrorKind.Unauthorized, ErrorCode.Unauthorized, "missing or invalid bearer token"));
  };
}

/** Final route: anything not matched is 404 NOT_FOUND in the EdgeX error shape. */
export function notFound(): RequestHandler {
  return (req, _res, next) => {
    next(new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no route for ${req.method} ${req.path}`));
  };
}

function requestIdOf(body: unknown): string | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const id = (body as { requestId?: unknown }).requestId;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The one error handler: any thrown or rejected error becomes a ServiceError, answered with the status of its kind
 * and the EdgeX error body. Server errors are logged with their stack; client errors at debug.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const error = toServiceError(err);
    const status = httpStatusOf(error.kind);
    const context = { method: req.method, url: req.originalUrl, status, code: error.code, correlationId: res.locals.correlationId as unknown };
    if (status >= 500) logger.error({ ...context, err: error.cause instanceof Error ? error.cause : error }, error.message);
    else logger.debug(context, error.message);
    if (res.headersSent) {
      next(err); // express closes the connection of a half-sent response
      return;
    }
    if (error.kind === ErrorKind.Unauthorized) res.setHeader("WWW-Authenticate", 'Bearer realm="brink"');
    sendJson(res, status, errorBody(error, requestIdOf(req.body)));
  };
}
