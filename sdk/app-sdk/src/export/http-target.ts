/**
 * HttpTarget: delivers outbox messages to an HTTP(S) endpoint, one request per message, one at a time (so the
 * receiver sees them in order), over a keep-alive connection.
 *
 * 2xx acknowledges; 408, 429, 5xx, a network error or a timeout is retryable (a `Retry-After` header sets the least
 * wait); any other status (3xx, other 4xx) refuses the message for good and it is dead-lettered with the status and
 * the start of the response body as the reason.
 */
import http from "node:http";
import https from "node:https";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { PermanentExportError, RetryableExportError } from "../errors.js";
import type { ExportTarget, OutboxMessage } from "../types.js";
import { META_CONTENT_ENCODING, META_CONTENT_TYPE, META_CORRELATION_ID, META_HEADER_PREFIX } from "./meta.js";

const gzip = promisify(zlib.gzip);

/** HTTP methods an export may use. */
export const HTTP_EXPORT_METHODS = ["POST", "PUT"] as const;
/** One export method. */
export type HttpExportMethod = (typeof HTTP_EXPORT_METHODS)[number];

/** Default request timeout, ms. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Most bytes of an error answer quoted in a dead letter's reason. */
const REASON_BODY_CHARS = 200;

/** Options of {@link HttpTarget}. */
export interface HttpTargetOptions {
  /** Target (outbox queue) name. */
  name: string;
  /** `http://` or `https://` URL. */
  url: string;
  /** @default "POST" */
  method?: HttpExportMethod;
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Headers whose value is read from a secret at each request (`X-Api-Key`). */
  secretHeaders?: Readonly<Record<string, () => string>>;
  /** Reads the bearer token (a secret) at each request: `Authorization: Bearer <token>`. */
  bearerToken?: () => string;
  /** Gzip bodies that are not compressed yet (`Content-Encoding: gzip`). @default false */
  gzip?: boolean;
  /** @default {@link DEFAULT_HTTP_TIMEOUT_MS} */
  timeoutMs?: number;
  /** For https: CA file (PEM) and whether to verify the server certificate. */
  tls?: { caFile?: string; rejectUnauthorized?: boolean };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An ExportTarget over HTTP. */
export class HttpTarget implements ExportTarget {
  readonly name: string;
  private agent: http.Agent | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private calls = 0;
  private skipThrough = 0;

  constructor(private readonly options: HttpTargetOptions) {
    this.name = options.name;
  }

  /** Prepares a keep-alive agent (reading the CA file); the first request opens the connection. */
  async connect(): Promise<void> {
    await this.close();
    const isHttps = this.options.url.startsWith("https:");
    if (!isHttps) {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      return;
    }
    let ca: Buffer | undefined;
    try {
      if (this.options.tls?.caFile !== undefined) ca = await readFile(this.options.tls.caFile);
    } catch (err) {
      throw new RetryableExportError(`HTTP target "${this.name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca === undefined ? {} : { ca }), rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true });
  }

  /**
   * Sends the messages one request at a time, after the requests of earlier calls. When a request fails, calls that
   * were already waiting send nothing (they fail with `acked: 0`), so nothing is delivered past a failed message.
   */
  send(messages: readonly OutboxMessage[]): Promise<number> {
    const call = ++this.calls;
    const run = this.chain.then(() => this.sendAll(call, messages));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Closes idle keep-alive connections. */
  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async sendAll(call: number, messages: readonly OutboxMessage[]): Promise<number> {
    if (call <= this.skipThrough) throw new RetryableExportError(`HTTP target "${this.name}": not sent after an earlier failure`);
    for (let i = 0; i < messages.length; i++) {
      try {
        await this.sendOne(messages[i]!);
      } catch (err) {
        this.skipThrough = this.calls;
        if (err instanceof RetryableExportError) throw new RetryableExportError(err.message, { acked: i, retryAfterMs: err.retryAfterMs, cause: err, details: err.details });
        if (err instanceof PermanentExportError) throw new PermanentExportError(err.message, { acked: i, cause: err, details: err.details });
        throw new RetryableExportError(`HTTP target "${this.name}": ${err instanceof Error ? err.message : String(err)}`, { acked: i, cause: err });
      }
    }
    return messages.length;
  }

  private async sendOne(msg: OutboxMessage): Promise<void> {
    const agent = this.agent;
    if (agent === undefined) throw new RetryableExportError(`HTTP target "${this.name}" is not connected`);
    const headers: Record<string, string> = { ...this.options.headers };
    let body = Buffer.from(msg.payload.buffer, msg.payload.byteOffset, msg.payload.byteLength);
    headers["Content-Type"] = msg.meta[META_CONTENT_TYPE] ?? "application/octet-stream";
    const encoding = msg.meta[META_CONTENT_ENCODING];
    if (encoding !== undefined) headers["Content-Encoding"] = encoding;
    else if (this.options.gzip) {
      body = await gzip(body);
      headers["Content-Encoding"] = "gzip";
    }
    const correlation = msg.meta[META_CORRELATION_ID];
    if (correlation !== undefined) headers["X-Correlation-ID"] = correlation;
    for (const [k, v] of Object.entries(msg.meta)) if (k.startsWith(META_HEADER_PREFIX)) headers[k.slice(META_HEADER_PREFIX.length)] = v;
    try {
      for (const [k, read] of Object.entries(this.options.secretHeaders ?? {})) headers[k] = read();
      if (this.options.bearerToken !== undefined) headers.Authorization = `Bearer ${this.options.bearerToken()}`;
    } catch (err) {
      throw new RetryableExportError(`HTTP target "${this.name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    headers["Content-Length"] = String(body.byteLength);
    const answer = await this.request(agent, headers, body);
    const s = answer.status;
    if (s >= 200 && s < 300) return;
    const reason = `HTTP ${s}${answer.body === "" ? "" : `: ${answer.body.slice(0, REASON_BODY_CHARS)}`}`;
    if (s === 408 || s === 429 || s >= 500) {
      throw new RetryableExportError(`HTTP target "${this.name}": ${reason}`, { retryAfterMs: retryAfterMs(answer.headers["retry-after"]), details: { status: s } });
    }
    throw new PermanentExportError(reason, { details: { status: s } });
  }

  private request(agent: http.Agent, headers: Record<string, string>, body: Buffer): Promise<Answer> {
    const url = new URL(this.options.url);
    const lib = url.protocol === "https:" ? https : http;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    return new Promise<Answer>((resolve, reject) => {
      const req = lib.request(url, { method: this.options.method ?? "POST", headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.byteLength;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8").trim() }));
        res.on("error", (err) => reject(new RetryableExportError(`HTTP target "${this.name}": ${err.message}`, { cause: err })));
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (err) => reject(new RetryableExportError(`HTTP target "${this.name}": ${err.message}`, { cause: err })));
      req.end(body);
    });
  }
}

/** A `Retry-After` header (seconds, or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
