/**
 * The gateway: `/<service>/api/v3/...` on the console is proxied to that service's `/api/v3/...`, as EdgeX's API
 * gateway routes `/core-metadata/api/v3/...`. The browser and the `brink` CLI reach every service through one
 * origin and one token. Bodies the kit already read (JSON, text) are sent on as read; multipart uploads stream
 * through untouched. Answers, errors included, come back as the peer wrote them.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { NextFunction, Request, Response, Router } from "express";
import { ErrorCode, ErrorKind, ServiceError, stringifyJson } from "@brink/contracts";
import { CORRELATION_HEADER, ServiceKitErrorCode, errorBody, sendJson } from "@brink/service-kit";
import type { Logger } from "pino";
import type { PeerDirectory } from "./peers.js";

/** Service names: an EdgeX service key (lower-case letters, digits, `-`, `_`, `.`). */
const GATEWAY_PATH = /^\/([a-z0-9][a-z0-9._-]*)(\/api\/v3(?:\/.*)?)$/i;

/** Headers that belong to one connection, not to the message (RFC 9110 7.6.1), plus ones the proxy rewrites. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
]);

/** Options of {@link mountGateway}. */
export interface GatewayOptions {
  readonly peers: PeerDirectory;
  /** How long a proxied request may take, ms. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(key.toLowerCase())) out[key] = value;
  }
  return out;
}

/** The body to send on: what the kit's body parser read, or undefined to pipe the request stream itself. */
function bufferedBody(req: Request): Buffer | undefined {
  const body: unknown = req.body;
  if (body !== undefined) return Buffer.from(typeof body === "string" ? body : stringifyJson(body), "utf8");
  // The kit read a blank body and left req.body unset: there is nothing left to pipe.
  return req.readableEnded ? Buffer.alloc(0) : undefined;
}

function unreachable(peer: string, url: string, err: NodeJS.ErrnoException): ServiceError {
  return new ServiceError(ErrorKind.ServiceUnavailable, ServiceKitErrorCode.ServiceUnreachable, `cannot reach ${peer} at ${url}: ${err.code ?? err.message}`, {
    details: { service: peer, url, ...(err.code ? { errno: err.code } : {}) },
    cause: err,
  });
}

/** Mounts the gateway on every path of the form `/<service>/api/v3/...`. */
export function mountGateway(router: Router, options: GatewayOptions): void {
  router.use((req: Request, res: Response, next: NextFunction) => {
    const match = GATEWAY_PATH.exec(req.path);
    if (!match) return next();
    const name = (match[1] as string).toLowerCase();
    options.peers.resolve(name).then(
      (peer) => {
        const query = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
        const target = new URL(peer.url + (match[2] as string) + query);
        proxy(req, res, { name, target, timeoutMs: options.timeoutMs, logger: options.logger });
      },
      (err: unknown) => next(err),
    );
  });
}

/**
 * A peer that is down or slow is an answer the console expects (its panels ask services that may not run): it is
 * written here as a 503 in the EdgeX error shape and logged at debug, not handed to the kit's error handler, which
 * logs every 5xx as a server fault.
 */
function proxy(req: Request, res: Response, o: { name: string; target: URL; timeoutMs: number; logger: Logger }): void {
  const body = bufferedBody(req);
  const headers = forwardHeaders(req.headers);
  const correlationId = res.locals.correlationId as string | undefined;
  if (correlationId) headers[CORRELATION_HEADER] = correlationId;
  if (body !== undefined) {
    if (body.length > 0 || req.headers["content-length"] !== undefined) headers["content-length"] = body.length;
  }
  else if (req.headers["content-length"] !== undefined) headers["content-length"] = req.headers["content-length"];
  else if (req.headers["transfer-encoding"] !== undefined) headers["transfer-encoding"] = "chunked";
  const send = o.target.protocol === "https:" ? httpsRequest : httpRequest;
  let settled = false;
  const fail = (err: ServiceError): void => {
    if (settled) return;
    settled = true;
    o.logger.debug({ service: o.name, code: err.code, url: o.target.href }, err.message);
    if (res.headersSent) res.destroy(err);
    else sendJson(res, err.status, errorBody(err));
  };
  const outgoing = send(o.target, { method: req.method, headers, timeout: o.timeoutMs }, (answer: IncomingMessage) => {
    settled = true;
    const out = forwardHeaders(answer.headers);
    if (answer.headers["content-length"] !== undefined) out["content-length"] = answer.headers["content-length"];
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
    answer.on("error", (err) => res.destroy(err));
  });
  outgoing.on("timeout", () => {
    outgoing.destroy();
    fail(new ServiceError(ErrorKind.Timeout, ErrorCode.Timeout, `${o.name} did not answer ${req.method} ${o.target.pathname} within ${o.timeoutMs} ms`, {
      details: { service: o.name, timeoutMs: o.timeoutMs },
    }));
  });
  outgoing.on("error", (err: NodeJS.ErrnoException) => fail(unreachable(o.name, o.target.origin, err)));
  // A browser that goes away takes the proxied request with it.
  res.on("close", () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  if (body !== undefined) outgoing.end(body);
  else req.pipe(outgoing);
}
