/**
 * Request bodies: read as text under the service's `maxBodyBytes` (413 BODY_TOO_LARGE past it), JSON parsed with
 * the int64-exact `parseJson` (400 JSON_MALFORMED with the position).
 */
import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { ErrorCode, ErrorKind, ServiceError, parseJson } from "@brink/contracts";
import { jsonErrorPosition } from "./json-position.js";

/** The 413 BODY_TOO_LARGE error. */
export function tooLarge(limit: number): ServiceError {
  return new ServiceError(ErrorKind.LimitExceeded, ErrorCode.BodyTooLarge, `request body exceeds ${limit} bytes`, { details: { maxBodyBytes: limit } });
}

/** A 400 REQUEST_INVALID error. */
export function invalid(message: string, cause?: unknown): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message, cause === undefined ? undefined : { cause });
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Reads a whole request body as UTF-8 text, rejecting with 413 BODY_TOO_LARGE past `limit` bytes. */
export function readBodyText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // discard the rest so the connection can answer
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      const text = Buffer.concat(chunks, size).toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(invalid(`request body could not be read: ${err.message}`, err));
    };
    const onClose = (): void => {
      if (!req.complete) onError(new Error("client closed the connection"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** Parses JSON text with exact int64 timestamps; throws 400 JSON_MALFORMED with the position, line and column. */
export function parseJsonBody(text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    throw malformed(text, err);
  }
}

function malformed(text: string, err: unknown): ServiceError {
  const details: Record<string, unknown> = {};
  const position = jsonErrorPosition(text);
  if (position !== undefined) {
    const before = text.slice(0, position);
    details.position = position;
    details.line = before.split("\n").length;
    details.column = position - before.lastIndexOf("\n");
  }
  const where = position === undefined ? "" : ` at position ${position} (line ${String(details.line)}, column ${String(details.column)})`;
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.JsonMalformed, `malformed JSON body${where}`, { details, cause: err });
}

function isJsonType(type: string | undefined): boolean {
  if (type === undefined || type === "") return true;
  const mime = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return mime === "application/json" || mime.endsWith("+json") || mime === "text/json";
}

/**
 * Middleware that reads every non-multipart body: JSON (or no content type) into `req.body` via `parseJson`, other
 * types as text. An empty body leaves `req.body` undefined.
 */
export function jsonBody(limit: number): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const type = req.headers["content-type"];
    if (type !== undefined && /^multipart\//i.test(type)) return next();
    readBodyText(req, limit).then(
      (text) => {
        if (text.trim() === "") return next();
        if (!isJsonType(type)) {
          req.body = text;
          return next();
        }
        let body: unknown;
        try {
          body = parseJsonBody(text);
        } catch (err) {
          return next(err);
        }
        req.body = body;
        next();
      },
      (err: unknown) => {
        if (err instanceof ServiceError && err.code === ErrorCode.BodyTooLarge) res.setHeader("Connection", "close");
        next(err);
      },
    );
  };
}
