/**
 * Calls to Brink through the console: `/<service>/api/v3/...` (the gateway) and `/api/console/...`, with the token
 * when one is set. Errors come back as {@link ApiError} carrying the EdgeX error body's code, kind and details.
 */
import { readSse, type SseMessage } from "../../src/sse-reader.js";

const TOKEN_KEY = "brink.token";

let token: string | undefined = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
const unauthorizedListeners = new Set<() => void>();

/** Sets (or clears) the bearer token used for every call; kept for this browser tab only. */
export function setToken(value: string | undefined): void {
  token = value || undefined;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken(): boolean {
  return token !== undefined;
}

/** Calls `listener` whenever an answer is 401, so the page can ask for the token again. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** A failed call: the HTTP status and the error body's code, kind, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly kind: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  if (token) h.set("Authorization", `Bearer ${token}`);
  if (!h.has("Accept")) h.set("Accept", "application/json");
  return h;
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  if (res.status === 401) for (const l of unauthorizedListeners) l();
  const code = typeof body.code === "string" ? body.code : `HTTP_${res.status}`;
  const kind = typeof body.kind === "string" ? body.kind : "";
  const message = typeof body.message === "string" && body.message ? body.message : text.slice(0, 300) || res.statusText || `HTTP ${res.status}`;
  const details = body.details && typeof body.details === "object" ? (body.details as Record<string, unknown>) : undefined;
  return new ApiError(res.status, code, kind, message, details);
}

/** Sends a request; resolves with the parsed JSON body (undefined when empty), rejects with {@link ApiError}. */
export async function call<T = unknown>(method: string, path: string, init: { body?: BodyInit; json?: unknown; headers?: HeadersInit; signal?: AbortSignal } = {}): Promise<T> {
  const h = headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    h.set("Content-Type", "application/json");
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers: h, body, signal: init.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "CONSOLE_UNREACHABLE", "ServiceUnavailable", "the console does not answer");
  }
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET as text (YAML views). */
export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(path, { headers: headers({ Accept: "*/*" }), signal });
  if (!res.ok) throw await errorOf(res);
  return res.text();
}

export const get = <T>(path: string, signal?: AbortSignal): Promise<T> => call<T>("GET", path, { signal });

/** `/<service>/api/v3<path>`: a call to one service through the gateway. */
export function svc(service: string, path: string): string {
  return `/${encodeURIComponent(service)}/api/v3${path}`;
}

export const enc = encodeURIComponent;

/** Handlers of a live stream. */
export interface StreamHandlers {
  onMessage(message: SseMessage): void;
  /** Connected (again). */
  onOpen?(): void;
  /** Lost; it reconnects by itself. */
  onError?(error: ApiError | Error): void;
}

/**
 * Follows a console stream (`/api/console/stream/...`) over fetch, so the token goes in a header; reconnects with
 * back-off until the returned function is called.
 */
export function follow(path: string, handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  let delayMs = 500;
  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(path, { headers: headers({ Accept: "text/event-stream" }), signal: controller.signal });
        if (!res.ok || !res.body) throw await errorOf(res);
        delayMs = 500;
        handlers.onOpen?.();
        await readSse(res.body, (m) => {
          handlers.onMessage(m);
          return !controller.signal.aborted;
        });
        if (!controller.signal.aborted) throw new Error("the stream ended");
      } catch (err) {
        if (controller.signal.aborted) return;
        handlers.onError?.(err as Error);
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(delayMs * 2, 10_000);
      }
    }
  };
  void run();
  return () => controller.abort();
}
