/**
 * NatsExport: the pipeline function that queues data for a NATS server of its own (a cloud NATS), and its params.
 *
 * Params: `servers` (required: a URL or a list), `subject` (template, default `edgex.events.{profile}.{device}.{source}`;
 * names are escaped so each stays one token), `jetstream` (publish with JetStream, PubAck as the acknowledgement),
 * `user`, `passwordSecret`, `tokenSecret`, `tls` (`caFile`, `certFile`, `keyFile`, `rejectUnauthorized`),
 * `connectTimeout`, `publishTimeout`, and the common export params. A `ctx.topic` set by a transform is used as the
 * subject with `/` as `.`.
 */
import { escapeToken } from "@brink/contracts";
import { ParamReader } from "../functions/params.js";
import type { FunctionEnvironment } from "../types.js";
import { exportFunction, readCommon, readTls, secretGetter, settingsKeyOf, type ExportBinding } from "./common.js";
import { META_SUBJECT, parseTemplate, renderTemplate, templateValues } from "./meta.js";
import { NatsTarget, type NatsTargetOptions } from "./nats-target.js";

/** Name of the function in pipeline YAML. */
export const NATS_EXPORT = "NatsExport";
/** Default subject template. */
export const DEFAULT_NATS_SUBJECT = "edgex.events.{profile}.{device}.{source}";

const SERVER = /^(nats|tls):\/\/[^\s/]+(:\d+)?\/?$|^[^\s/:]+:\d+$/;

function readServers(r: ParamReader): string[] | undefined {
  const v = r.value("servers");
  if (v === undefined || v === null) {
    r.add("servers", "is required");
    return undefined;
  }
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : undefined;
  if (list === undefined || list.length === 0) {
    r.add("servers", "must be a server URL or a non-empty list of them");
    return undefined;
  }
  const out: string[] = [];
  list.forEach((s: unknown, i) => {
    const path = typeof v === "string" ? "servers" : `servers[${i}]`;
    if (typeof s !== "string" || !SERVER.test(s)) r.add(path, `must be nats://host:port, tls://host:port or host:port, got ${JSON.stringify(s)}`);
    else out.push(s);
  });
  return out;
}

/** Validates NatsExport params (throwing one ValidationError listing every problem) and builds its binding. */
export function natsExport(params: Readonly<Record<string, unknown>>, env: FunctionEnvironment): ExportBinding {
  const r = new ParamReader(NATS_EXPORT, params);
  const servers = readServers(r);
  const subjectText = r.string("subject", { def: DEFAULT_NATS_SUBJECT })!;
  const parsed = parseTemplate(subjectText);
  if (Array.isArray(parsed)) for (const p of parsed) r.add("subject", p);
  else if (subjectText === "" || !subjectText.split(".").every((t) => t !== "" && !/[\s*>]/.test(t))) {
    r.add("subject", "must be dot-separated non-empty tokens without spaces or the wildcards * and >");
  }
  const common = readCommon(r, `nats:${servers?.[0] ?? ""}`);
  const useJetStream = r.boolean("jetstream", false);
  const user = r.string("user", { nonEmpty: true });
  const passwordSecret = r.string("passwordSecret", { nonEmpty: true });
  if (passwordSecret !== undefined && user === undefined) r.add("passwordSecret", "needs user");
  const tokenSecret = r.string("tokenSecret", { nonEmpty: true });
  if (tokenSecret !== undefined && user !== undefined) r.add("tokenSecret", "give either user and passwordSecret or tokenSecret");
  const tls = readTls(NATS_EXPORT, r, true);
  const connectTimeoutMs = r.duration("connectTimeout", { def: "10s" })!;
  const publishTimeoutMs = r.duration("publishTimeout", { def: "10s" })!;
  r.done();

  const options: NatsTargetOptions = {
    name: common.targetName,
    servers: servers!,
    jetstream: useJetStream,
    connectTimeoutMs,
    publishTimeoutMs,
    ...(user === undefined ? {} : { user }),
    ...(tls === undefined ? {} : { tls }),
  };
  const password = secretGetter(env, passwordSecret);
  if (password !== undefined) options.password = password;
  const token = secretGetter(env, tokenSecret);
  if (token !== undefined) options.token = token;
  const settingsKey = settingsKeyOf("nats", { ...options, passwordSecret, tokenSecret, forwarder: common.forwarder, limits: common.limits });
  const template = parsed as Exclude<typeof parsed, string[]>;
  const fn = exportFunction(NATS_EXPORT, common.targetName, env, (ctx, data, meta) => {
    meta[META_SUBJECT] = ctx.topic !== undefined ? ctx.topic.split("/").map(escapeToken).join(".") : renderTemplate(template, templateValues(ctx, data), escapeToken);
  });
  return { fn, targetName: common.targetName, target: new NatsTarget(options), forwarder: common.forwarder, limits: common.limits, settingsKey };
}
