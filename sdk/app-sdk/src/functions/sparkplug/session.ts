/**
 * Sparkplug B edge-node sessions: what ties a SparkplugB function to the MQTT connection that carries its messages.
 *
 * Sparkplug asks the edge node to register its NDEATH as the MQTT last will, with the `bdSeq` of the NBIRTH that
 * follows the connect, so the broker announces the node's death when the gateway dies or the link drops. The session
 * of a node (`group/node`) lives in this process-wide registry, not in a function instance, so a pipeline edit that
 * rebuilds the function keeps the session and its `bdSeq`:
 * - the MQTT target calls {@link EdgeNodeSession.openMqttSession} before each connect: a new `bdSeq` (persisted under
 *   the data directory; or the one an NBIRTH queued while offline already took) and the NDEATH carrying it, for the
 *   will;
 * - once connected it calls {@link EdgeNodeSession.mqttSessionStarted}: unless the births already queued carry that
 *   `bdSeq`, the function queues NBIRTH and a DBIRTH per known device, ahead of further data. Births travel through
 *   the outbox like data, so what was stored during an outage is delivered before the new session's births (a host
 *   that sees data out of session asks for a rebirth, which is answered);
 * - an NCMD `Node Control/Rebirth` from a host application (see {@link EdgeNodeSession.command}) asks for the births again
 *   (same `bdSeq`, as the spec asks);
 * - a graceful close publishes the NDEATH itself before DISCONNECT (the broker sends no will after DISCONNECT).
 *
 * A SparkplugB function whose output goes elsewhere (HTTP, NATS) has no MQTT session: it allocates a `bdSeq` per
 * NBIRTH and queues NDEATH itself when it stops.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { UPayload } from "sparkplug-payload/lib/sparkplugbpayload.js";
import { toLongBits } from "./metrics.js";

/** The Sparkplug B namespace, first token of every topic. */
export const SPARKPLUG_NAMESPACE = "spBv1.0";

/** What the SparkplugB function instance currently serving a node does when a session asks. */
export interface EdgeNodeHooks {
  /** Publish NBIRTH and every device's DBIRTH now (or with the next data, when none has come yet). */
  rebirth(): void;
  /** A connection opened session `bdSeq`: rebirth unless the births already queued carry that `bdSeq`. */
  sessionStarted(bdSeq: number): void;
}

/** Sparkplug B payload encoding (protobuf). */
export interface SparkplugCodec {
  encode(payload: UPayload): Uint8Array;
  decode(bytes: Uint8Array): UPayload;
}

/** The metric of NBIRTH a host application sets to true in an NCMD to ask for a rebirth. */
export const REBIRTH_METRIC = "Node Control/Rebirth";

/** A will to register for an MQTT session. */
export interface SessionWill {
  readonly topic: string;
  /** Encoded NDEATH. */
  readonly payload: Uint8Array;
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

/** One edge node's session state (see the module comment). */
export class EdgeNodeSession {
  /** `bdSeq` of the current session; -1 before the first. */
  private current = -1;
  /**
   * Where the MQTT session stands: `none` (no connection yet, or the last one closed), `pending` (an NBIRTH took
   * the next `bdSeq` before the connection that will carry it is up), `open` (a connection's will holds `current`).
   */
  private state: "none" | "pending" | "open" = "none";
  /** True once an MQTT target carries this node: the connection, not each NBIRTH, starts a session. */
  private carried = false;
  private hooks: EdgeNodeHooks | undefined;

  constructor(
    readonly groupId: string,
    readonly edgeNodeId: string,
    private readonly bdSeqFile: string,
    private readonly codec: SparkplugCodec,
  ) {}

  /** Names the session in the registry (see {@link findEdgeNodeSession}). */
  get key(): string {
    return this.bdSeqFile;
  }

  /** The node's topic for a message type, with the device when given. */
  topic(type: string, device?: string): string {
    return `${SPARKPLUG_NAMESPACE}/${this.groupId}/${type}/${this.edgeNodeId}${device === undefined ? "" : `/${device}`}`;
  }

  /** True when an MQTT target carries the node: its connection owns the `bdSeq` and the NDEATH. */
  get mqttCarried(): boolean {
    return this.carried;
  }

  /** The current `bdSeq` (-1 before any session). */
  get bdSeq(): number {
    return this.current;
  }

  private allocate(): number {
    this.current = (readBdSeq(this.bdSeqFile) + 1) % 256;
    writeBdSeq(this.bdSeqFile, this.current);
    return this.current;
  }

  /**
   * The `bdSeq` for an NBIRTH about to be queued. Without MQTT each NBIRTH starts a session; over MQTT it is the open
   * connection's, or, before that connection is up, the one the next connection will register.
   */
  birthBdSeq(): number {
    if (!this.carried) return this.allocate();
    if (this.state === "none") {
      this.allocate();
      this.state = "pending";
    }
    return this.current;
  }

  /** Called when an MQTT target is set to carry this node (see MqttTarget.useSparkplugSession). */
  carriedByMqtt(): void {
    this.carried = true;
  }

  /** Called by the MQTT target before it connects: the session's `bdSeq` and the NDEATH to register as the will. */
  openMqttSession(): SessionWill {
    if (this.state !== "pending") this.allocate();
    this.state = "open";
    return this.death();
  }

  /** Called by the MQTT target once connected: births for the new session unless those queued already carry its `bdSeq`. */
  mqttSessionStarted(): void {
    this.hooks?.sessionStarted(this.current);
  }

  /** Called by the MQTT target after it published NDEATH and disconnected on purpose. */
  closeMqttSession(): void {
    this.state = "none";
  }

  /** The NDEATH of the current session. */
  death(): SessionWill {
    return { topic: this.topic("NDEATH"), payload: this.codec.encode({ timestamp: Date.now(), metrics: [this.bdSeqMetric()] }) };
  }

  /** The `bdSeq` metric of NBIRTH and NDEATH. */
  bdSeqMetric(): NonNullable<UPayload["metrics"]>[number] {
    return { name: "bdSeq", type: "UInt64", value: toLongBits(BigInt(Math.max(0, this.current)), true) as never };
  }


  /**
   * An NCMD for this node arrived: a `Node Control/Rebirth` metric set to true asks for a rebirth. Returns what was
   * done, for the caller's log; a payload that does not decode is ignored ("ignored").
   */
  command(payload: Uint8Array): "rebirth" | "ignored" {
    let decoded: UPayload;
    try {
      decoded = this.codec.decode(payload);
    } catch {
      return "ignored";
    }
    const asked = (decoded.metrics ?? []).some((m) => m.name === REBIRTH_METRIC && m.value === true);
    if (!asked) return "ignored";
    this.hooks?.rebirth();
    return "rebirth";
  }

  /** Makes `hooks` the function instance serving this node; returns the release function. */
  attach(hooks: EdgeNodeHooks): () => void {
    this.hooks = hooks;
    return () => {
      if (this.hooks === hooks) this.hooks = undefined;
    };
  }
}

const sessions = new Map<string, EdgeNodeSession>();

/**
 * The session of a node, made on first use; `dataDir` holds its `bdSeq` file, whose path is the session's key
 * ({@link EdgeNodeSession.key}: one node of one data directory).
 */
export function edgeNodeSession(groupId: string, edgeNodeId: string, dataDir: string, codec: SparkplugCodec): EdgeNodeSession {
  const file = path.resolve(dataDir, "sparkplug", `${encodeURIComponent(groupId)}.${encodeURIComponent(edgeNodeId)}.json`);
  let s = sessions.get(file);
  if (s === undefined) {
    s = new EdgeNodeSession(groupId, edgeNodeId, file, codec);
    sessions.set(file, s);
  }
  return s;
}

/** The session of that key, if a SparkplugB function made one. */
export function findEdgeNodeSession(key: string): EdgeNodeSession | undefined {
  return sessions.get(key);
}
