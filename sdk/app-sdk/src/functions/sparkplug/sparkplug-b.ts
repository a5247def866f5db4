/**
 * SparkplugB: encodes events as Sparkplug B (protobuf, Eclipse Tahu's schema) and addresses each message with its
 * Sparkplug topic (`ctx.topic`), so an MQTT export publishes a conforming edge node:
 * - the first data of the node emits NBIRTH (with `bdSeq` and `Node Control/Rebirth`), and the first data of each
 *   device emits DBIRTH with its metrics, ahead of the DDATA; a metric not in the last DBIRTH triggers a new DBIRTH;
 * - DDATA carries one metric per reading (name = resource, timestamp = origin in ms, datatype from the value type);
 * - a device silent for `deviceTimeout` gets a DDEATH (and a DBIRTH when it comes back);
 * - stop() emits NDEATH with the same `bdSeq` as the NBIRTH. `bdSeq` is kept under the data directory, so each
 *   session of the node has its own;
 * - `seq` runs 0..255 over NBIRTH, DBIRTH, DDATA and DDEATH, NBIRTH being 0. NDEATH carries no seq.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ErrorCode, ErrorKind, ServiceError, type Event } from "@brink/contracts";
import { createRequire } from "node:module";
import type sparkplugPayload from "sparkplug-payload";
import type { UMetric, UPayload } from "sparkplug-payload/lib/sparkplugbpayload.js";
import type { FunctionFactory, PipelineContext, PipelineData, PipelineFunction } from "../../types.js";
import { deriveContext, requireEvent } from "../data.js";
import { ParamReader } from "../params.js";
import { SPARKPLUG_TYPES, metricValue, toLongBits, type SparkplugType } from "./metrics.js";

/** The Sparkplug B namespace, first token of every topic. */
export const SPARKPLUG_NAMESPACE = "spBv1.0";
/** Content type set on Sparkplug payloads. */
export const SPARKPLUG_CONTENT_TYPE = "application/x-protobuf";

type Codec = NonNullable<ReturnType<typeof sparkplugPayload.get>>;
let loadedCodec: Codec | undefined;
/** The protobuf codec, loaded on first use so services without Sparkplug pipelines do not carry protobufjs. */
function codec(): Codec {
  loadedCodec ??= (createRequire(import.meta.url)("sparkplug-payload") as typeof sparkplugPayload).get(SPARKPLUG_NAMESPACE)!;
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

function readBdSeq(file: string): number {
  try {
    const n = Number(JSON.parse(readFileSync(file, "utf8")).bdSeq);
    return Number.isInteger(n) && n >= 0 ? n : -1;
  } catch {
    return -1;
  }
}

function writeBdSeq(file: string, bdSeq: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify({ bdSeq }));
  renameSync(`${file}.tmp`, file);
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

  const bdSeqFile = path.join(env.dataDir, "sparkplug", `${encodeURIComponent(groupId)}.${encodeURIComponent(nodeId)}.json`);
  const topic = (type: string, device?: string): string => `${SPARKPLUG_NAMESPACE}/${groupId}/${type}/${nodeId}${device === undefined ? "" : `/${device}`}`;
  const devices = new Map<string, DeviceState>();
  let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;
  let bdSeq = -1;
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
  const bdSeqMetric = (): UMetric => ({ name: "bdSeq", type: "UInt64", value: toLongBits(BigInt(bdSeq), true) as unknown as UMetric["value"] });
  const nodeBirth = (ctx: PipelineContext): void => {
    bdSeq = (readBdSeq(bdSeqFile) + 1) % 256;
    writeBdSeq(bdSeqFile, bdSeq);
    seq = 0;
    nodeBorn = true;
    send(ctx, topic("NBIRTH"), {
      timestamp: Date.now(),
      seq: nextSeq(),
      metrics: [bdSeqMetric(), { name: "Node Control/Rebirth", type: "Boolean", value: false }],
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

  const fn: PipelineFunction = {
    name,
    start(e) {
      emit = e;
    },
    stop() {
      for (const state of devices.values()) if (state.timer !== undefined) clearTimeout(state.timer);
      if (nodeBorn && emit !== undefined && lastCtx !== undefined) {
        send(lastCtx, topic("NDEATH"), { timestamp: Date.now(), metrics: [bdSeqMetric()] });
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
