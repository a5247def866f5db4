/**
 * A small JSON-over-HTTP client on node:http (see transport.ts): timeout, bearer token, int64-exact JSON, and remote errors rebuilt
 * into the same ServiceError (kind and code survive the wire).
 */
import { ErrorCode, ErrorKind, ServiceError, kindOfHttpStatus, parseJson, stringifyJson } from "@brink/contracts";
import { ServiceKitErrorCode } from "../errors.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../config/schema.js";
import { send, type RawResponse, type ResponseHeaders } from "./transport.js";

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /** Base URL of the peer, such as `http://127.0.0.1:59881`. */
  readonly baseUrl: string;
  /** Per-request timeout, ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly apiToken?: string | undefined;
  /** Name of the peer in error messages. @default the base URL */
  readonly peerName?: string;
}

/** Options of one request. */
export interface RequestOptions {
  /** JSON body (bigint written as exact integers). */
  readonly body?: unknown;
  /** Query parameters; undefined values are left out. */
  readonly query?: Record<string, string | number | boolean | undefined>;
  /** Sent as X-Correlation-ID. */
  readonly correlationId?: string;
  /** Per-request timeout, ms; overrides the client's. */
  readonly timeoutMs?: number;
  readonly headers?: Record<string, string>;
}

/** A successful answer. */
export interface HttpResponse<T> {
  readonly status: number;
  /** Parsed JSON body (int64 fields as bigint); undefined when empty. */
  readonly body: T;
  readonly headers: ResponseHeaders;
}

/** Transport errors meaning the peer is not there (refused, reset, no route, unknown host). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const KINDS: ReadonlySet<string> = new Set(Object.values(ErrorKind));

/**
 * Rebuilds the ServiceError of a failed answer: kind from the body's `kind` (Brink peers) or from the status (other
 * EdgeX peers), code from the body's `code` or NOT_FOUND / DUPLICATE_NAME / REMOTE_ERROR by status.
 */
export function errorFromResponse(status: number, body: unknown, fallbackMessage: string): ServiceError {
  const dto = isRecord(body) ? body : {};
  const kind = typeof dto.kind === "string" && KINDS.has(dto.kind) ? (dto.kind as ErrorKind) : kindOfHttpStatus(status);
  const code = typeof dto.code === "string" && dto.code !== "" ? dto.code : status === 404 ? ErrorCode.NotFound : status === 409 ? ErrorCode.DuplicateName : ErrorCode.RemoteError;
  const message = typeof dto.message === "string" && dto.message !== "" ? dto.message : fallbackMessage;
  return new ServiceError(kind, code, message, isRecord(dto.details) ? { details: dto.details } : undefined);
}

/** JSON HTTP client for one peer. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly apiToken: string | undefined;
  private readonly peerName: string;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.apiToken = options.apiToken;
    this.peerName = options.peerName ?? this.baseUrl;
  }

  /**
   * Sends one request. Resolves for 2xx answers; rejects with the rebuilt remote ServiceError otherwise, with
   * SERVICE_UNREACHABLE (ServiceUnavailable) when the peer cannot be reached, TIMEOUT when it does not answer in
   * time, and COMMUNICATION_FAILED for other transport failures.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.urlOf(path, options.query);
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (this.apiToken) headers.Authorization = `Bearer ${this.apiToken}`;
    if (options.correlationId) headers["X-Correlation-ID"] = options.correlationId;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = stringifyJson(options.body);
      headers["Content-Type"] = "application/json";
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let response: RawResponse;
    try {
      response = await send(method, url, headers, body, timeoutMs);
    } catch (err) {
      throw this.transportError(err, method, url, timeoutMs);
    }
    const text = response.text;
    const ok = response.status >= 200 && response.status < 300;
    let parsed: unknown;
    if (text.trim() !== "") {
      try {
        parsed = parseJson(text);
      } catch (err) {
        if (ok) {
          throw new ServiceError(ErrorKind.Communication, ErrorCode.RemoteError, `${this.peerName} answered ${method} ${path} with malformed JSON`, { cause: err });
        }
        parsed = { message: text.slice(0, 500) };
      }
    }
    if (!ok) throw errorFromResponse(response.status, parsed, `${this.peerName} answered ${method} ${path} with HTTP ${response.status}`);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** GET, resolving with the body. */
  async get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return (await this.request<T>("GET", path, options)).body;
  }

  /** POST with a JSON body. */
  async post<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>("POST", path, { ...options, body });
  }

  /** PUT with a JSON body. */
  async put<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>("PUT", path, { ...options, body });
  }

  /** PATCH with a JSON body. */
  async patch<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>("PATCH", path, { ...options, body });
  }

  /** DELETE. */
  async delete<T = unknown>(path: string, options?: RequestOptions): Promise<HttpResponse<T>> {
    return this.request<T>("DELETE", path, options);
  }

  private urlOf(path: string, query: RequestOptions["query"]): URL {
    const url = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  private transportError(err: unknown, method: string, target: URL, timeoutMs: number): ServiceError {
    const url = target.toString();
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return new ServiceError(ErrorKind.Timeout, ErrorCode.Timeout, `${this.peerName} did not answer ${method} ${url} within ${timeoutMs} ms`, {
        details: { url, timeoutMs },
        cause: err,
      });
    }
    const code = causeCode(err);
    if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      return new ServiceError(ErrorKind.ServiceUnavailable, ServiceKitErrorCode.ServiceUnreachable, `cannot reach ${this.peerName} at ${url}: ${code}`, {
        details: { url, errno: code },
        cause: err,
      });
    }
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return new ServiceError(ErrorKind.Communication, ServiceKitErrorCode.CommunicationFailed, `${method} ${url} failed: ${reason}`, {
      details: { url, ...(code === undefined ? {} : { errno: code }) },
      cause: err,
    });
  }
}
