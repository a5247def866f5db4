/**
 * How client verbs reach a running Brink: through the console's gateway at `--url` (default http://127.0.0.1:4000),
 * `/<service>/api/v3/...` for the services and `/api/console/...` for device lists and live streams, with `--token`
 * as the bearer token. JSON calls go through service-kit's HttpClient; streams and uploads use node:http directly.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { randomUUID } from "node:crypto";
import { ErrorCode, ErrorKind, ServiceError, parseJson } from "@brink/contracts";
import { HttpClient, ServiceKitErrorCode, errorFromResponse } from "@brink/service-kit";
import { readSse, type SseMessage } from "@brink/console";
import { ClientErrorCode } from "./errors.js";

/** Where `--url` points when neither it nor BRINK_URL is given: the console on this machine. */
export const DEFAULT_BRINK_URL = "http://127.0.0.1:4000";
/** Timeout of one REST call, ms (commands may wait for a slow device). */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** Options every client verb takes. */
export interface ClientOptions {
  /** The console's base URL. */
  readonly url: string;
  /** Bearer token (BRINK_API_TOKEN), when the Brink has one. */
  readonly token?: string | undefined;
  /** Timeout of one REST call, ms. @default 30000 */
  readonly timeoutMs?: number;
}

/** A file to upload as multipart/form-data. */
export interface Upload {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** See the module comment. */
export class BrinkClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  }

  /** A JSON client of one service through the gateway (`core-metadata`, `core-command`, a device service, ...). */
  service(name: string): HttpClient {
    return new HttpClient({ baseUrl: `${this.url}/${encodeURIComponent(name)}`, timeoutMs: this.timeoutMs, apiToken: this.token, peerName: `Brink (${name})` });
  }

  /** A JSON client of the console itself (`/api/console/...`). */
  console(): HttpClient {
    return new HttpClient({ baseUrl: this.url, timeoutMs: this.timeoutMs, apiToken: this.token, peerName: "Brink" });
  }

  /** Sends one multipart/form-data request and answers its JSON body; errors as HttpClient raises them. */
  async upload<T>(method: string, path: string, file: Upload): Promise<T> {
    const boundary = `----brink${randomUUID().replace(/-/g, "")}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename.replace(/["\r\n]/g, "_")}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    );
    const body = Buffer.concat([head, file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const res = await this.send(method, path, { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": String(body.length) }, body);
    const text = await readAll(res);
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? undefined : parseJson(text);
    } catch {
      parsed = { message: text.slice(0, 500) };
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw errorFromResponse(status, parsed, `${method} ${path} answered HTTP ${status}`);
    return parsed as T;
  }

  /**
   * Follows a console stream (`/api/console/stream/...`): calls `onMessage` for each event until it returns false,
   * `signal` aborts, or the console closes the stream (STREAM_ENDED).
   */
  async follow(path: string, onMessage: (message: SseMessage) => boolean | void, signal?: AbortSignal): Promise<void> {
    const res = await this.send("GET", path, { Accept: "text/event-stream" }, undefined, signal, false);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const text = await readAll(res);
      let parsed: unknown;
      try {
        parsed = parseJson(text);
      } catch {
        parsed = { message: text.slice(0, 500) };
      }
      throw errorFromResponse(status, parsed, `GET ${path} answered HTTP ${status}`);
    }
    let stopped = false;
    const onAbort = (): void => {
      stopped = true;
      res.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await readSse(Readable.toWeb(res) as ReadableStream<Uint8Array>, (m) => {
        const more = onMessage(m) !== false;
        if (!more) stopped = true;
        return more;
      });
    } catch (err) {
      if (stopped) return;
      throw new ServiceError(ErrorKind.Communication, ClientErrorCode.StreamEnded, `the live stream from ${this.url} broke: ${(err as Error).message}`, { cause: err });
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (!stopped) throw new ServiceError(ErrorKind.Communication, ClientErrorCode.StreamEnded, `${this.url} closed the live stream`);
  }

  private send(method: string, path: string, headers: Record<string, string>, body?: Buffer, signal?: AbortSignal, timeout = true): Promise<IncomingMessage> {
    const target = new URL(this.url + path);
    const all: Record<string, string> = { Accept: "application/json", ...headers };
    if (this.token) all.Authorization = `Bearer ${this.token}`;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(target, { method, headers: all, ...(timeout ? { timeout: this.timeoutMs } : {}), ...(signal ? { signal } : {}) }, resolve);
      req.on("timeout", () => {
        req.destroy();
        reject(new ServiceError(ErrorKind.Timeout, ErrorCode.Timeout, `${this.url} did not answer ${method} ${path} within ${this.timeoutMs} ms`));
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (err.name === "AbortError") return reject(err);
        reject(
          new ServiceError(ErrorKind.ServiceUnavailable, ServiceKitErrorCode.ServiceUnreachable, `cannot reach Brink at ${this.url}: ${err.code ?? err.message}`, {
            details: { url: this.url, ...(err.code ? { errno: err.code } : {}) },
            cause: err,
          }),
        );
      });
      req.end(body);
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}
