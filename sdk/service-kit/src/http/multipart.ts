/**
 * Single-file multipart uploads (core-metadata's `uploadfile` routes), under the service's `maxBodyBytes`.
 */
import type { Readable } from "node:stream";
import type busboy from "busboy";
import type { Request } from "express";
import { ServiceError, lazyRequire } from "@brink/contracts";
import { DEFAULT_MAX_BODY_BYTES } from "../config/schema.js";
import { invalid, tooLarge } from "./body.js";

/** `app.locals` key holding the body limit, so upload handlers apply the service's limit. */
export const MAX_BODY_BYTES_KEY = "brinkMaxBodyBytes";

/** A file read from a multipart upload. */
export interface UploadedFile {
  /** The file name the client gave, or "" when none. */
  readonly filename: string;
  /** The file's content, decoded as UTF-8. */
  readonly text: string;
}

const MAX_FIELDS = 100;

/** busboy, loaded on the first upload: only core-metadata takes uploads, so other services never load it. */
const loadBusboy = lazyRequire<typeof busboy>(import.meta.url, "busboy");
const MAX_FIELD_BYTES = 65_536;

function limitOf(req: Request): number {
  const limit: unknown = (req.app.locals as Record<string, unknown>)[MAX_BODY_BYTES_KEY];
  return typeof limit === "number" && limit > 0 ? limit : DEFAULT_MAX_BODY_BYTES;
}

/**
 * Reads the file part named `fieldName` of a `multipart/form-data` request as UTF-8 text. Other parts are skipped.
 * Throws 400 REQUEST_INVALID when the request is not multipart, is malformed or lacks the part, and 413
 * BODY_TOO_LARGE when the file exceeds the service's `maxBodyBytes`.
 */
export function readMultipartFile(req: Request, fieldName = "file"): Promise<UploadedFile> {
  const type = req.headers["content-type"];
  if (type === undefined || !/^multipart\/form-data/i.test(type)) {
    return Promise.reject(invalid(`expected a multipart/form-data upload with a "${fieldName}" part`));
  }
  const limit = limitOf(req);
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = loadBusboy()({ headers: req.headers, limits: { fileSize: limit, files: 10, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES } });
    } catch (err) {
      reject(invalid(`malformed multipart request: ${(err as Error).message}`, err));
      return;
    }
    let settled = false;
    let file: Promise<UploadedFile | ServiceError> | undefined;
    const fail = (error: ServiceError): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on("file", (name: string, stream: Readable, info: busboy.FileInfo) => {
      if (name !== fieldName || file !== undefined) {
        stream.resume();
        return;
      }
      file = collect(stream, info.filename ?? "", limit);
      void file.then((result) => {
        if (result instanceof ServiceError) fail(result);
      });
    });
    parser.on("error", (err: Error) => fail(invalid(`malformed multipart request: ${err.message}`, err)));
    parser.on("close", () => {
      if (settled) return;
      if (file === undefined) {
        fail(invalid(`the upload has no "${fieldName}" part`));
        return;
      }
      void file.then((result) => {
        if (result instanceof ServiceError) return fail(result);
        settled = true;
        resolve(result);
      });
    });
    req.on("error", (err) => fail(invalid(`request body could not be read: ${err.message}`, err)));
    req.pipe(parser);
  });
}

function collect(stream: Readable, filename: string, limit: number): Promise<UploadedFile | ServiceError> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("limit", () => {
      stream.resume();
      resolve(tooLarge(limit));
    });
    stream.on("error", (err: Error) => resolve(invalid(`upload could not be read: ${err.message}`, err)));
    stream.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ filename, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
    });
  });
}
