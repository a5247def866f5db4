/**
 * MqttExport: the pipeline function that queues data for an MQTT broker, and its params.
 *
 * Params: `url` (required), `topic` (template, default `edgex/events/{profile}/{device}/{source}`; a transform that
 * sets `ctx.topic`, such as SparkplugB, overrides it), `clientId`, `qos` (0, 1, 2; default 1), `retain`, `username`,
 * `passwordSecret`, `tls` (`caFile`, `certFile`, `keyFile`, `rejectUnauthorized`), `will` (`topic`, `payload`,
 * `qos`, `retain`), `protocolVersion` (4 or 5), `keepAlive`, `connectTimeout`, and the common export params.
 */
import { createHash } from "node:crypto";
import os from "node:os";
import { ParamReader } from "../functions/params.js";
import type { FunctionEnvironment } from "../types.js";
import { exportFunction, readCommon, readNested, readTls, secretGetter, settingsKeyOf, type ExportBinding } from "./common.js";
import { META_TOPIC, mqttLevel, parseTemplate, renderTemplate, templateValues, type Template } from "./meta.js";
import { MqttTarget, type MqttTargetOptions, type MqttWill } from "./mqtt-target.js";

/** Name of the function in pipeline YAML. */
export const MQTT_EXPORT = "MqttExport";
/** Default topic template. */
export const DEFAULT_MQTT_TOPIC = "edgex/events/{profile}/{device}/{source}";

const SCHEMES = ["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"];

function readQos(r: ParamReader, key: string, def: 0 | 1 | 2): 0 | 1 | 2 {
  const q = r.number(key, { integer: true, min: 0, max: 2 });
  return (q ?? def) as 0 | 1 | 2;
}

function readTopic(r: ParamReader, key: string, text: string | undefined, templated: boolean): Template | undefined {
  if (text === undefined) return undefined;
  if (text === "") {
    r.add(key, "must not be empty");
    return undefined;
  }
  if (/[+#]/.test(text)) r.add(key, "must not hold the wildcards + or # (it is a topic to publish to)");
  if (text.includes("\u0000")) r.add(key, "must not hold NUL");
  if (!templated) return undefined;
  const t = parseTemplate(text);
  if (Array.isArray(t)) {
    for (const p of t) r.add(key, p);
    return undefined;
  }
  return t;
}

/** The default client id: stable for a target on a host, so reloading a pipeline does not change the connection. */
export function defaultMqttClientId(targetName: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9-]/g, "").slice(0, 12);
  return `brink-${host}-${createHash("sha1").update(targetName).digest("hex").slice(0, 8)}`;
}

/** Validates MqttExport params (throwing one ValidationError listing every problem) and builds its binding. */
export function mqttExport(params: Readonly<Record<string, unknown>>, env: FunctionEnvironment): ExportBinding {
  const r = new ParamReader(MQTT_EXPORT, params);
  const url = r.string("url", { required: true });
  if (url !== undefined && url !== "") {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      r.add("url", `must be a URL such as mqtt://broker:1883, got "${url}"`);
    }
    if (parsed !== undefined && !SCHEMES.includes(parsed.protocol)) r.add("url", `scheme must be one of ${SCHEMES.map((s) => s.slice(0, -1)).join(", ")}, got ${parsed.protocol.slice(0, -1)}`);
  }
  const topicText = r.string("topic", { def: DEFAULT_MQTT_TOPIC });
  const topic = readTopic(r, "topic", topicText, true);
  const common = readCommon(r, `mqtt:${url ?? ""}`);
  const clientId = r.string("clientId", { nonEmpty: true }) ?? defaultMqttClientId(common.targetName);
  const qos = readQos(r, "qos", 1);
  const retain = r.boolean("retain", false);
  const username = r.string("username", { nonEmpty: true });
  const passwordSecret = r.string("passwordSecret", { nonEmpty: true });
  if (passwordSecret !== undefined && username === undefined) r.add("passwordSecret", "needs username");
  const tls = readTls(MQTT_EXPORT, r, true);
  const will = readNested<MqttWill | undefined>(MQTT_EXPORT, r, "will", (w) => {
    const wt = w.string("topic", { required: true });
    readTopic(w, "topic", wt, false);
    const payload = w.string("payload", { def: "" })!;
    const wq = readQos(w, "qos", 0);
    const wr = w.boolean("retain", false);
    return wt === undefined ? undefined : { topic: wt, payload, qos: wq, retain: wr };
  });
  const protocolVersion = r.number("protocolVersion", { integer: true, min: 4, max: 5 }) as 4 | 5 | undefined;
  const keepAliveMs = r.duration("keepAlive", { def: "30s" })!;
  const connectTimeoutMs = r.duration("connectTimeout", { def: "10s" })!;
  r.done();

  const options: MqttTargetOptions = {
    name: common.targetName,
    url: url!,
    clientId,
    qos,
    retain,
    protocolVersion: protocolVersion ?? 4,
    keepaliveSec: Math.max(1, Math.round(keepAliveMs / 1000)),
    connectTimeoutMs,
    ...(username === undefined ? {} : { username }),
    ...(tls === undefined ? {} : { tls }),
    ...(will === undefined ? {} : { will }),
    // The publish window is half the forwarder's, so the target always holds the next messages (see MqttTarget).
    ...(common.forwarder.maxInFlight === undefined ? {} : { maxInFlight: Math.max(1, Math.floor(common.forwarder.maxInFlight / 2)) }),
  };
  const password = secretGetter(env, passwordSecret);
  if (password !== undefined) options.password = password;
  const settingsKey = settingsKeyOf("mqtt", { ...options, passwordSecret, forwarder: common.forwarder, limits: common.limits });
  const template = topic!;
  const fn = exportFunction(MQTT_EXPORT, common.targetName, env, (ctx, data, meta) => {
    meta[META_TOPIC] = ctx.topic ?? renderTemplate(template, templateValues(ctx, data), mqttLevel);
  });
  return { fn, targetName: common.targetName, target: new MqttTarget(options), forwarder: common.forwarder, limits: common.limits, settingsKey };
}
