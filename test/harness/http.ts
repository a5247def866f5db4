/**
 * A small fetch wrapper for tests that talk JSON to a service over real HTTP.
 */
import { parseJson, stringifyJson } from "@brink/contracts";

/** A response as tests look at it. */
export interface HttpJsonResponse<T = unknown> {
  status: number;
  /** The JSON body read with parseJson (int64 fields as bigint); the text when not JSON; undefined when empty. */
  body: T;
  /** The raw body text. */
  text: string;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
}

/**
 * Sends `body` (a string as is, anything else written with stringifyJson as application/json) and reads the
 * answer. A body declared JSON that does not parse throws, with the text, so the test fails loudly.
 */
export async function httpJson<T = unknown>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpJsonResponse<T>> {
  const init: RequestInit = { method, headers: { accept: "application/json", ...headers } };
  if (body !== undefined) {
    if (typeof body === "string") init.body = body;
    else {
      init.body = stringifyJson(body);
      init.headers = { "content-type": "application/json", ...(init.headers as Record<string, string>) };
    }
  }
  const res = await fetch(url, init);
  const text = await res.text();
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k] = v));
  let parsed: unknown;
  if (text === "") parsed = undefined;
  else if ((out["content-type"] ?? "").includes("json")) {
    try {
      parsed = parseJson(text);
    } catch (err) {
      throw new Error(`${method} ${url}: ${res.status} body is not JSON (${err instanceof Error ? err.message : String(err)}): ${text.slice(0, 500)}`, { cause: err });
    }
  } else parsed = text;
  return { status: res.status, body: parsed as T, text, headers: out };
}
