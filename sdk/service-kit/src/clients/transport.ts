/**
 * The HTTP transport of HttpClient, on node:http with a keep-alive agent. Global fetch would load undici on first
 * use (about 7 MB of RSS in every service that calls a peer); node:http is already loaded by the server side and is
 * faster on loopback.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type RequestOptions as NodeRequestOptions } from "node:http";
import type * as Https from "node:https";

/** Header lookup of an answer (case-insensitive, like WHATWG Headers.get). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

/** An answer with its whole body read. */
export interface RawResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly text: string;
}

/** Raised when the peer does not answer in time; HttpClient maps it by `name`. */
export class TransportTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** Sockets kept open per peer. */
const MAX_SOCKETS_PER_PEER = 64;
const httpAgent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_PEER });
let httpsModule: Promise<typeof Https> | undefined;
let httpsAgent: Https.Agent | undefined;

function headersOf(raw: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name: string): string | null {
      const v = raw[name.toLowerCase()];
      if (v === undefined) return null;
      return Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

/** Sends one request and reads the whole answer; rejects on transport failure or after `timeoutMs`. */
export async function send(method: string, url: URL, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<RawResponse> {
  let request = httpRequest;
  let agent: NodeRequestOptions["agent"] = httpAgent;
  if (url.protocol === "https:") {
    // TLS is loaded only by services that talk to an https peer.
    const https = await (httpsModule ??= import("node:https"));
    httpsAgent ??= new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_PEER });
    request = https.request as unknown as typeof httpRequest;
    agent = httpsAgent;
  }
  const finalHeaders = body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) };
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(url, { method, headers: finalHeaders, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res.headers), text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new TransportTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
