/**
 * HttpExport: the pipeline function that queues data for an HTTP(S) endpoint, and its params.
 *
 * Params: `url` (required, http or https), `method` (POST or PUT, default POST), `headers` (names to values),
 * `headerSecrets` (header names to secret names, such as an API key), `bearerTokenSecret`, `gzip` (compress bodies
 * not compressed yet), `timeout` (default 10s), `tls` (`caFile`, `rejectUnauthorized`), and the common export params.
 * Data compressed by the pipeline (`ctx.contentEncoding`) is sent as it is, with that Content-Encoding.
 */
import { ParamReader } from "../functions/params.js";
import type { FunctionEnvironment } from "../types.js";
import { exportFunction, readCommon, readTls, secretGetter, settingsKeyOf, type ExportBinding } from "./common.js";
import { DEFAULT_HTTP_TIMEOUT_MS, HTTP_EXPORT_METHODS, HttpTarget, type HttpExportMethod, type HttpTargetOptions } from "./http-target.js";

/** Name of the function in pipeline YAML. */
export const HTTP_EXPORT = "HttpExport";

// Headers the target sets itself.
const RESERVED_HEADERS = new Set(["content-length", "content-type", "content-encoding", "authorization", "host", "transfer-encoding", "connection"]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderNames(r: ParamReader, key: string, headers: Record<string, string> | undefined): void {
  for (const name of Object.keys(headers ?? {})) {
    if (!TOKEN.test(name)) r.add(`${key}.${name}`, "is not a valid header name");
    else if (RESERVED_HEADERS.has(name.toLowerCase())) r.add(`${key}.${name}`, "is set by the export itself");
  }
}

/** Validates HttpExport params (throwing one ValidationError listing every problem) and builds its binding. */
export function httpExport(params: Readonly<Record<string, unknown>>, env: FunctionEnvironment): ExportBinding {
  const r = new ParamReader(HTTP_EXPORT, params);
  const url = r.string("url", { required: true });
  if (url !== undefined && url !== "") {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      r.add("url", `must be a URL such as https://cloud.example.com/ingest, got "${url}"`);
    }
    if (parsed !== undefined && parsed.protocol !== "http:" && parsed.protocol !== "https:") r.add("url", `scheme must be http or https, got ${parsed.protocol.slice(0, -1)}`);
  }
  const common = readCommon(r, `http:${url ?? ""}`);
  const method = r.choice<HttpExportMethod>("method", HTTP_EXPORT_METHODS, "POST");
  const headers = r.stringMap("headers");
  checkHeaderNames(r, "headers", headers);
  const headerSecrets = r.stringMap("headerSecrets");
  checkHeaderNames(r, "headerSecrets", headerSecrets);
  const bearerTokenSecret = r.string("bearerTokenSecret", { nonEmpty: true });
  const gzip = r.boolean("gzip", false);
  const timeoutMs = r.duration("timeout") ?? DEFAULT_HTTP_TIMEOUT_MS;
  const tls = readTls(HTTP_EXPORT, r, false);
  r.done();

  const options: HttpTargetOptions = {
    name: common.targetName,
    url: url!,
    method,
    gzip,
    timeoutMs,
    ...(headers === undefined ? {} : { headers }),
    ...(tls === undefined ? {} : { tls }),
  };
  const bearer = secretGetter(env, bearerTokenSecret);
  if (bearer !== undefined) options.bearerToken = bearer;
  if (headerSecrets !== undefined) options.secretHeaders = Object.fromEntries(Object.entries(headerSecrets).map(([h, s]) => [h, secretGetter(env, s)!]));
  const settingsKey = settingsKeyOf("http", { ...options, headerSecrets, bearerTokenSecret, forwarder: common.forwarder, limits: common.limits });
  const fn = exportFunction(HTTP_EXPORT, common.targetName, env, () => undefined);
  return { fn, targetName: common.targetName, target: new HttpTarget(options), forwarder: common.forwarder, limits: common.limits, settingsKey };
}
