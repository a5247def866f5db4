/**
 * SparkplugB: encodes events as Sparkplug B (protobuf, Eclipse Tahu's schema) and addresses each message with its
 * Sparkplug topic (`ctx.topic`), so an MQTT export publishes a conforming edge node:
 * - the first data of the node emits NBIRTH (with `bdSeq` and `Node Control/Rebirth`), and the first data of each
 *   device emits DBIRTH with its metrics, ahead of the DDATA; a metric not in the last DBIRTH triggers a new DBIRTH;
 * - DDATA carries one metric per reading (name = resource, timestamp = origin in ms, datatype from the value type);
 * - a device silent for `deviceTimeout` gets a DDEATH (and a DBIRTH when it comes back);
 * - followed by an MqttExport, the node's NDEATH is the MQTT connection's last will, each connection starts a new
 *   `bdSeq` session with NBIRTH and DBIRTHs, and an NCMD `Node Control/Rebirth` makes it publish them again (see
 *   session.ts). Otherwise stop() queues NDEATH with the NBIRTH's `bdSeq`. `bdSeq` is kept under the data directory;
 * - `seq` runs 0..255 over NBIRTH, DBIRTH, DDATA and DDEATH, NBIRTH being 0. NDEATH carries no seq.
 */
import { ErrorCode, ErrorKind, ServiceError, lazyRequire, type Event } from "@brink/contracts";
import type sparkplugPayload from "sparkplug-payload";
import type { UMetric, UPayload } from "sparkplug-payload/lib/sparkplugbpayload.js";
import type { FunctionFactory, PipelineContext, PipelineData, PipelineFunction } from "../../types.js";
import { deriveContext, requireEvent } from "../data.js";
import { ParamReader } from "../params.js";
import { SPARKPLUG_TYPES, metricValue, type SparkplugType } from "./metrics.js";
import { REBIRTH_METRIC, SPARKPLUG_NAMESPACE, edgeNodeSession, type EdgeNodeSession } from "./session.js";

export { SPARKPLUG_NAMESPACE };

/** Content type set on Sparkplug payloads. */
export const SPARKPLUG_CONTENT_TYPE = "application/x-protobuf";

type Codec = NonNullable<ReturnType<typeof sparkplugPayload.get>>;
const loadSparkplugPayload = lazyRequire<typeof sparkplugPayload>(import.meta.url, "sparkplug-payload");
let loadedCodec: Codec | undefined;
/** The protobuf codec, loaded on first use so services without Sparkplug pipelines do not carry protobufjs. */
function codec(): Codec {
  loadedCodec ??= loadSparkplugPayload().get(SPARKPLUG_NAMESPACE)!;
  return loadedCodec;
}

/** Encodes a Sparkplug B payload. */
export function encodeSparkplug(payload: UPayload): Uint8Array {
  return codec().encodePayload(payload);
}

/** Decodes a Sparkplug B payload (64-bit values come back as Long-like objects; see fromLong). */
export function decodeSparkplug(bytes: Uint8Array): UPayload {
  return codec().decodePayload(bytes);
}

const ID = /^[^/+#\s]+$/;

interface DeviceState {
  metrics: Map<string, { type: SparkplugType; value: UMetric["value"] }>;
  born: boolean;
  timer: NodeJS.Timeout | undefined;
  ctx: PipelineContext;
}

/**
 * Params: `groupId` and `edgeNodeId` (required; no `/`, `+`, `#` or spaces), `deviceTimeout` (Go duration,
 * optional: DDEATH after this much silence). Takes events; sets `ctx.topic` and content type
 * `application/x-protobuf`.
 */
export const sparkplugB: FunctionFactory = (params, env) => {
  const name = "SparkplugB";
  const r = new ParamReader(name, params);
  const groupId = r.string("groupId", { required: true }) ?? "";
  const nodeId = r.string("edgeNodeId", { required: true }) ?? "";
  for (const [key, id] of [["groupId", groupId], ["edgeNodeId", nodeId]] as const) {
    if (id !== "" && !ID.test(id)) r.add(key, `must not contain /, +, # or spaces, got "${id}"`);
  }
  const deviceTimeoutMs = r.duration("deviceTimeout");
  r.done();

  const session: EdgeNodeSession = edgeNodeSession(groupId, nodeId, env.dataDir, { encode: encodeSparkplug, decode: decodeSparkplug });
  const topic = (type: string, device?: string): string => session.topic(type, device);
  const devices = new Map<string, DeviceState>();
  let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;
  let detach: (() => void) | undefined;
  let nodeBorn = false;
  let seq = 0;
  let lastCtx: PipelineContext | undefined;

  const nextSeq = (): number => {
    const s = seq;
    seq = (seq + 1) % 256;
    return s;
  };
  const send = (ctx: PipelineContext, t: string, payload: UPayload): void => {
    const out = deriveContext(ctx, name);
    out.topic = t;
    out.contentType = SPARKPLUG_CONTENT_TYPE;
    void emit!(out, encodeSparkplug(payload));
  };
  let bornWith = -1;
  const nodeBirth = (ctx: PipelineContext): void => {
    bornWith = session.birthBdSeq();
    seq = 0;
    nodeBorn = true;
    send(ctx, topic("NBIRTH"), {
      timestamp: Date.now(),
      seq: nextSeq(),
      metrics: [session.bdSeqMetric(), { name: REBIRTH_METRIC, type: "Boolean", value: false }],
    });
  };
  const deviceBirth = (ctx: PipelineContext, device: string, state: DeviceState): void => {
    const now = Date.now();
    const metrics: UMetric[] = [...state.metrics].map(([metric, m]) => ({ name: metric, type: m.type, value: m.value, timestamp: now }));
    send(ctx, topic("DBIRTH", device), { timestamp: now, seq: nextSeq(), metrics });
    state.born = true;
  };
  const deviceDeath = (device: string): void => {
    const state = devices.get(device);
    if (state === undefined || !state.born || emit === undefined) return;
    state.born = false;
    send(state.ctx, topic("DDEATH", device), { timestamp: Date.now(), seq: nextSeq() });
  };
  const watch = (device: string, state: DeviceState): void => {
    if (deviceTimeoutMs === undefined) return;
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = setTimeout(() => deviceDeath(device), deviceTimeoutMs);
    state.timer.unref();
  };

  /** NBIRTH and a DBIRTH per known device now, with their last values (a new MQTT session, or a host's request). */
  const rebirth = (): void => {
    nodeBorn = false;
    for (const state of devices.values()) state.born = false;
    if (emit === undefined || lastCtx === undefined) return;
    nodeBirth(lastCtx);
    for (const [device, state] of devices) if (state.metrics.size > 0) deviceBirth(state.ctx, device, state);
  };

  const fn: PipelineFunction & { readonly sparkplugSession: string } = {
    name,
    sparkplugSession: session.key,
    start(e) {
      emit = e;
      detach = session.attach({
        rebirth,
        sessionStarted: (bdSeq) => {
          if (!nodeBorn || bornWith !== bdSeq) rebirth();
        },
      });
    },
    stop() {
      detach?.();
      detach = undefined;
      for (const state of devices.values()) if (state.timer !== undefined) clearTimeout(state.timer);
      // Over MQTT the target publishes NDEATH when its connection closes, and a new function instance may carry on
      // the session (a pipeline edit).
      if (nodeBorn && emit !== undefined && lastCtx !== undefined && !session.mqttCarried) {
        send(lastCtx, topic("NDEATH"), { timestamp: Date.now(), metrics: [session.bdSeqMetric()] });
      }
      nodeBorn = false;
      devices.clear();
    },
    process(ctx, data) {
      if (emit === undefined) throw new ServiceError(ErrorKind.Server, ErrorCode.Internal, "SparkplugB used before start()");
      const event: Event = requireEvent(name, data);
      lastCtx = ctx;
      if (!nodeBorn) nodeBirth(ctx);
      let state = devices.get(event.deviceName);
      if (state === undefined) {
        state = { metrics: new Map(), born: false, timer: undefined, ctx };
        devices.set(event.deviceName, state);
      }
      state.ctx = ctx;
      const metrics: UMetric[] = [];
      let rebirth = !state.born;
      for (const reading of event.readings) {
        const type = SPARKPLUG_TYPES[reading.valueType];
        const value = metricValue(reading);
        const known = state.metrics.get(reading.resourceName);
        if (known === undefined || known.type !== type) rebirth = true;
        state.metrics.set(reading.resourceName, { type, value });
        const metric: UMetric = { name: reading.resourceName, type, value, timestamp: Number(reading.origin / 1_000_000n) };
        metrics.push(metric);
      }
      if (rebirth) deviceBirth(ctx, event.deviceName, state);
      watch(event.deviceName, state);
      ctx.topic = topic("DDATA", event.deviceName);
      ctx.contentType = SPARKPLUG_CONTENT_TYPE;
      return encodeSparkplug({ timestamp: Number(event.origin / 1_000_000n), seq: nextSeq(), metrics });
    },
  };
  return fn;
};

/** The Sparkplug session key of a SparkplugB function (undefined for any other function). */
export function sparkplugSessionOf(fn: PipelineFunction): string | undefined {
  const key = (fn as { sparkplugSession?: unknown }).sparkplugSession;
  return typeof key === "string" ? key : undefined;
}
