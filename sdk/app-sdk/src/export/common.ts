/**
 * What the export functions share: the parameters every export takes (target name, outbox limits, forwarder
 * settings), TLS file parameters, secrets, and the pipeline function that serialises data and enqueues it.
 */
import fs from "node:fs";
import { ErrorKind, type ServiceError } from "@brink/contracts";
import { AppSdkErrorCode } from "../errors.js";
import { toBytes } from "../functions/data.js";
import { ParamReader } from "../functions/params.js";
import { DROP_POLICIES } from "../outbox/limits.js";
import type { ForwarderOptions } from "../outbox/forwarder-options.js";
import type { DropPolicy, ExportTarget, FunctionEnvironment, OutboxLimits, PipelineContext, PipelineData, PipelineFunction } from "../types.js";
import { META_CONTENT_ENCODING, META_CONTENT_TYPE, META_CORRELATION_ID } from "./meta.js";
import type { TlsFiles } from "./mqtt-target.js";

/** Forwarder settings an export's params may set. */
export type ForwarderSettings = Pick<ForwarderOptions, "maxInFlight" | "batchSize" | "replayRatePerSec" | "backoff" | "sendTimeoutMs" | "maxAttempts">;

/**
 * What {@link createExport} builds from one export function's params: the pipeline function, and the target its
 * messages are queued for, to be drained by one {@link Forwarder} per target name (see {@link ForwarderPool}).
 */
export interface ExportBinding {
  /** The pipeline step: serialises the data, enqueues it for `targetName`, returns the data unchanged. */
  readonly fn: PipelineFunction;
  /** The outbox queue name. Stored messages belong to it, not to the pipeline: editing a pipeline keeps them. */
  readonly targetName: string;
  /** The delivery target (not connected yet: the forwarder connects it). */
  readonly target: ExportTarget;
  /** Forwarder settings from the params. */
  readonly forwarder: ForwarderSettings;
  /** Outbox limits of the target from the params (only those given). */
  readonly limits: Partial<OutboxLimits>;
  /**
   * Everything about the target but the per-message topic or subject, as text: exports naming the same target must
   * have the same key (same broker, credentials, QoS, forwarder settings...).
   */
  readonly settingsKey: string;
}

/** The params every export reads: `target`, `maxBytes`, `maxAge`, `dropPolicy`, forwarder settings. */
export function readCommon(r: ParamReader, defaultTarget: string): { targetName: string; forwarder: ForwarderSettings; limits: Partial<OutboxLimits> } {
  const targetName = r.string("target", { nonEmpty: true }) ?? defaultTarget;
  if (targetName.length > 200) r.add("target", "must be at most 200 characters");
  const forwarder: ForwarderSettings = {};
  const maxInFlight = r.number("maxInFlight", { integer: true, min: 1, max: 65_535 });
  if (maxInFlight !== undefined) forwarder.maxInFlight = maxInFlight;
  const batchSize = r.number("batchSize", { integer: true, min: 1, max: 65_535 });
  if (batchSize !== undefined) forwarder.batchSize = batchSize;
  const replay = r.number("replayRatePerSec", { min: 0 });
  if (replay !== undefined) forwarder.replayRatePerSec = replay;
  const initialMs = r.duration("backoffInitial");
  const maxMs = r.duration("backoffMax");
  if (initialMs !== undefined || maxMs !== undefined) forwarder.backoff = { ...(initialMs === undefined ? {} : { initialMs }), ...(maxMs === undefined ? {} : { maxMs }) };
  if (initialMs !== undefined && maxMs !== undefined && initialMs > maxMs) r.add("backoffMax", "must not be shorter than backoffInitial");
  const sendTimeoutMs = r.duration("sendTimeout");
  if (sendTimeoutMs !== undefined) forwarder.sendTimeoutMs = sendTimeoutMs;
  const maxAttempts = r.number("maxAttempts", { integer: true, min: 0 });
  if (maxAttempts !== undefined) forwarder.maxAttempts = maxAttempts;

  const limits: Partial<OutboxLimits> = {};
  const maxBytes = r.number("maxBytes", { integer: true, min: 1 });
  if (maxBytes !== undefined) limits.maxBytes = maxBytes;
  const maxAgeMs = r.duration("maxAge");
  if (maxAgeMs !== undefined) limits.maxAgeMs = maxAgeMs;
  if (r.has("dropPolicy")) limits.dropPolicy = r.choice<DropPolicy>("dropPolicy", DROP_POLICIES, "drop-oldest");
  return { targetName, forwarder, limits };
}

/** A readable file path, or a problem. */
export function readFilePath(r: ParamReader, key: string): string | undefined {
  const file = r.string(key, { nonEmpty: true });
  if (file === undefined) return undefined;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    r.add(key, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return file;
}

/** Reads a nested mapping `key` with its own reader; its problems are reported under `key.`. */
export function readNested<T>(fn: string, r: ParamReader, key: string, read: (sub: ParamReader) => T): T | undefined {
  const v = r.value(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    r.add(key, "must be a mapping");
    return undefined;
  }
  const sub = new ParamReader(fn, v as Record<string, unknown>);
  const out = read(sub);
  sub.checkUnknown();
  for (const p of sub.problems) r.add(p.path === "" ? key : `${key}.${p.path}`, p.message);
  return out;
}

/** `tls: { caFile, certFile, keyFile, rejectUnauthorized }`; the files must be readable; cert and key go together. */
export function readTls(fn: string, r: ParamReader, withClientCert: boolean): TlsFiles | undefined {
  return readNested(fn, r, "tls", (t) => {
    const tls: TlsFiles = { rejectUnauthorized: t.boolean("rejectUnauthorized", true) };
    const ca = readFilePath(t, "caFile");
    if (ca !== undefined) tls.caFile = ca;
    if (withClientCert) {
      const cert = readFilePath(t, "certFile");
      const key = readFilePath(t, "keyFile");
      if ((cert === undefined) !== (key === undefined)) t.add(cert === undefined ? "certFile" : "keyFile", "certFile and keyFile go together");
      if (cert !== undefined) tls.certFile = cert;
      if (key !== undefined) tls.keyFile = key;
    }
    return tls;
  });
}

/**
 * A getter of a secret, after checking now that it exists: throws SECRET_NOT_FOUND (kind NotFound) when it does not,
 * so a pipeline naming a missing secret fails when it is loaded, not at the first connection.
 */
export function secretGetter(env: FunctionEnvironment, name: string | undefined): (() => string) | undefined {
  if (name === undefined) return undefined;
  env.secret(name);
  return () => env.secret(name);
}

/** Serialises data, builds its meta with `addMeta`, enqueues it for the target, returns the data unchanged. */
export function exportFunction(name: string, targetName: string, env: FunctionEnvironment, addMeta: (ctx: PipelineContext, data: PipelineData, meta: Record<string, string>) => void): PipelineFunction {
  return {
    name,
    async process(ctx, data) {
      const payload = toBytes(ctx, data);
      const meta: Record<string, string> = { [META_CORRELATION_ID]: ctx.correlationId };
      if (ctx.contentType !== undefined) meta[META_CONTENT_TYPE] = ctx.contentType;
      if (ctx.contentEncoding !== undefined) meta[META_CONTENT_ENCODING] = ctx.contentEncoding;
      addMeta(ctx, data, meta);
      try {
        await env.outbox.enqueue(targetName, payload, meta);
      } catch (err) {
        // A full outbox (reject-new) or an oversized message: the outbox counted and logged the drop; the next
        // exports of the pipeline still get the data.
        const e = err as Partial<ServiceError>;
        if (e.kind !== ErrorKind.LimitExceeded || (e.code !== AppSdkErrorCode.OutboxFull && e.code !== AppSdkErrorCode.OutboxMessageTooLarge)) throw err;
        ctx.logger.debug({ target: targetName, code: e.code }, `${name}: message not queued`);
      }
      return data;
    },
  };
}

/** Stable text of a settings object (keys sorted), for {@link ExportBinding.settingsKey}. */
export function settingsKeyOf(kind: string, settings: Record<string, unknown>): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify({ kind, ...(sort(settings) as Record<string, unknown>) });
}
