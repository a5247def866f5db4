/**
 * MqttTarget: delivers outbox messages to an MQTT broker with mqtt.js (v5 package; MQTT 3.1.1 or 5).
 *
 * mqtt.js keeps its own queue of publishes while offline; here that queue is never used: the client does not
 * reconnect by itself (`reconnectPeriod: 0`), QoS 0 publishes are not queued (`queueQoSZero: false`), and when the
 * connection drops every publish not yet acknowledged fails at once, so the forwarder re-sends it from the outbox
 * after reconnecting. A message counts as acknowledged on PUBACK (QoS 1), PUBCOMP (QoS 2) or once written (QoS 0).
 *
 * A target that carries a Sparkplug B edge node (see {@link MqttTarget.useSparkplugSession}) registers the node's
 * NDEATH as the will of each connection, asks the node for its births once connected, listens for the node's NCMD
 * rebirth requests, and publishes NDEATH itself before a graceful DISCONNECT.
 */
import { readFile } from "node:fs/promises";
import type * as mqtt from "mqtt";
import type { IClientOptions, IClientPublishOptions, MqttClient } from "mqtt";
import { NextTurn } from "@brink/contracts";

let mqttModule: Promise<typeof mqtt> | undefined;
/** mqtt.js is loaded on the first connect, so services without an MQTT export do not carry it. */
const loadMqtt = (): Promise<typeof mqtt> => (mqttModule ??= import("mqtt"));
import { PermanentExportError, RetryableExportError } from "../errors.js";
import { findEdgeNodeSession, type EdgeNodeSession } from "../functions/sparkplug/session.js";
import type { ExportTarget, OutboxMessage } from "../types.js";
import { META_CONTENT_TYPE, META_TOPIC } from "./meta.js";

/** TLS files of a client connection (PEM file paths). */
export interface TlsFiles {
  /** CA certificates that sign the server's certificate (default: the system's). */
  caFile?: string;
  /** Client certificate, for brokers that require one. */
  certFile?: string;
  keyFile?: string;
  /** Verify the server certificate. @default true */
  rejectUnauthorized?: boolean;
}

/** Last will of the MQTT connection. */
export interface MqttWill {
  topic: string;
  payload: string;
  /** @default 0 */
  qos?: 0 | 1 | 2;
  /** @default false */
  retain?: boolean;
}

/** Options of {@link MqttTarget}. */
export interface MqttTargetOptions {
  /** Target (outbox queue) name. */
  name: string;
  /** `mqtt://`, `mqtts://`, `tcp://`, `ssl://`, `ws://` or `wss://` URL of the broker. */
  url: string;
  clientId: string;
  /** @default 1 */
  qos?: 0 | 1 | 2;
  /** @default false */
  retain?: boolean;
  /** Topic of messages whose meta has none. */
  topic?: string;
  username?: string;
  /** Reads the password (a secret) at each connect, so a rotated secret is used at the next connection. */
  password?: () => string;
  tls?: TlsFiles;
  will?: MqttWill;
  /** 4 (MQTT 3.1.1) or 5. @default 4 */
  protocolVersion?: 4 | 5;
  /** @default 30 */
  keepaliveSec?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /**
   * Most publishes awaiting their acknowledgement (the publish window); with MQTT 5 also at most the broker's Receive
   * Maximum. Keep it below the forwarder's `maxInFlight` (MqttExport uses half of it). For QoS 2 the default is 20:
   * over MQTT 3.1.1 mosquitto (`max_inflight_messages 20`) leaves further QoS 2 publishes unanswered.
   * @default 128 for QoS 0 and 1, 20 for QoS 2
   */
  maxInFlight?: number;
}

// MQTT 5 reason codes that say "not now" rather than "never": unspecified, implementation specific, server busy or
// unavailable, message rate too high, quota exceeded.
const TRANSIENT_REASON_CODES = new Set([0x80, 0x83, 0x88, 0x89, 0x96, 0x97]);

/** Default publishes awaiting acknowledgement at QoS 0 and 1. */
const DEFAULT_IN_FLIGHT = 128;
/** Default publishes awaiting acknowledgement at QoS 2 (mosquitto's default `max_inflight_messages`). */
const DEFAULT_QOS2_IN_FLIGHT = 20;

/** How long a graceful close may take before the connection is dropped, ms. */
const CLOSE_GRACE_MS = 1000;

/** One `send()` call: settles when each of its messages has. */
interface Batch {
  readonly size: number;
  settled: number;
  /** Index of the first message that failed (Infinity: none). */
  firstFailure: number;
  /** Failures by index. */
  errors?: Map<number, unknown>;
  readonly resolve: (n: number) => void;
  readonly reject: (err: unknown) => void;
}

interface Op {
  readonly msg: OutboxMessage;
  readonly batch: Batch;
  readonly index: number;
}

/** An ExportTarget over one MQTT connection. */
export class MqttTarget implements ExportTarget {
  readonly name: string;
  /**
   * Messages per send. The forwarder keeps more messages in flight than the publish window, so the target always
   * has the next message to publish when a PUBACK comes in: the connection never goes quiet waiting for a whole batch.
   * (Brokers that leave Nagle's algorithm on, as mosquitto does by default, hold back PUBACKs until the client's
   * delayed TCP ACK, about 40 ms, whenever the client stops sending: that cut the rate to a sixth.)
   */
  readonly batchSize = 32;
  private client: MqttClient | undefined;
  private connected = false;
  private window: number;
  private outstanding = 0;
  /** Messages handed to `send()` not published yet, from `head` on. */
  private readonly waiting: Op[] = [];
  private head = 0;
  private readonly inFlight = new Set<Op>();
  /**
   * Refills the publish window once the acknowledgements of this turn are in. mqtt.js handles each PUBACK of a socket
   * read on its own tick and flushes each publish on the next: refilling per PUBACK made one write (with TCP_NODELAY,
   * one segment through the whole TCP stack) per message; refilling after them all writes the refill in one.
   */
  private readonly refill = new NextTurn(() => this.drain());
  private readonly publishOptions: IClientPublishOptions;
  private readonly v5: boolean;
  private sparkplugKey: string | undefined;
  /** The Sparkplug session of the current connection, when the target carries an edge node. */
  private sparkplug: EdgeNodeSession | undefined;

  constructor(private readonly options: MqttTargetOptions) {
    this.name = options.name;
    this.window = this.configuredWindow();
    this.publishOptions = Object.freeze({ qos: options.qos ?? 1, retain: options.retain ?? false });
    this.v5 = (options.protocolVersion ?? 4) === 5;
  }

  /**
   * Makes this target carry the Sparkplug B edge node of that session key (from the SparkplugB function before the
   * export): from the next connection on, the node's NDEATH replaces any configured will.
   */
  useSparkplugSession(key: string): void {
    this.sparkplugKey = key;
    findEdgeNodeSession(key)?.carriedByMqtt();
  }

  /** True while the connection is up. */
  isConnected(): boolean {
    return this.connected;
  }

  /** Connects; throws RetryableExportError when the broker cannot be reached or refuses the connection. */
  async connect(): Promise<void> {
    await this.close();
    const o = this.options;
    const tls = o.tls ?? {};
    let files: { ca?: Buffer; cert?: Buffer; key?: Buffer };
    let password: string | undefined;
    try {
      files = {
        ...(tls.caFile === undefined ? {} : { ca: await readFile(tls.caFile) }),
        ...(tls.certFile === undefined ? {} : { cert: await readFile(tls.certFile) }),
        ...(tls.keyFile === undefined ? {} : { key: await readFile(tls.keyFile) }),
      };
      password = o.password?.();
    } catch (err) {
      throw new RetryableExportError(`MQTT target "${this.name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const opts: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion ?? 4,
      clean: true,
      keepalive: o.keepaliveSec ?? 30,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 0,
      queueQoSZero: false,
      resubscribe: false,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(password === undefined ? {} : { password }),
      ...files,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      ...(o.will === undefined ? {} : { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos ?? 0, retain: o.will.retain ?? false } }),
    };
    const sparkplug = this.sparkplugKey === undefined ? undefined : findEdgeNodeSession(this.sparkplugKey);
    if (sparkplug !== undefined) {
      // Sparkplug B: the will is the NDEATH of the session this connection opens (QoS 1, not retained).
      const death = sparkplug.openMqttSession();
      opts.will = { topic: death.topic, payload: Buffer.from(death.payload), qos: 1, retain: false };
    }
    const client = (await loadMqtt()).connect(o.url, opts);
    this.client = client;
    // Batches of publishes end in a short segment that Nagle's algorithm holds until the broker's delayed ACK
    // (about 40 ms): with it on, a forwarder waiting on a batch's PUBACKs ran at a tenth of the rate.
    setNoDelay(client);
    try {
      const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
        client.once("connect", resolve);
        client.once("error", reject);
        client.once("close", () => reject(new Error("connection closed before CONNACK")));
      });
      const receiveMaximum = connack.properties?.receiveMaximum;
      this.window = Math.min(this.configuredWindow(), receiveMaximum ?? Number.POSITIVE_INFINITY);
    } catch (err) {
      client.removeAllListeners();
      client.on("error", () => undefined);
      client.end(true);
      this.client = undefined;
      throw new RetryableExportError(`MQTT target "${this.name}": cannot connect to ${o.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    client.removeAllListeners("connect");
    client.removeAllListeners("error");
    client.removeAllListeners("close");
    this.connected = true;
    const lost = (why: string) => () => {
      if (this.client !== client) return;
      this.connected = false;
      this.failAll(new RetryableExportError(`MQTT target "${this.name}": ${why}`));
    };
    client.on("close", lost("connection closed"));
    client.on("disconnect", lost("the broker sent DISCONNECT"));
    client.on("error", (err) => lost(`connection error: ${err.message}`)());
    if (sparkplug !== undefined) this.startSparkplug(client, sparkplug);
  }

  /** Listens for the node's NCMD and asks the node for its NBIRTH and DBIRTHs, ahead of further data. */
  private startSparkplug(client: MqttClient, session: EdgeNodeSession): void {
    this.sparkplug = session;
    const ncmd = session.topic("NCMD");
    client.on("message", (topic, payload) => {
      if (topic === ncmd) session.command(payload);
    });
    client.subscribe(ncmd, { qos: 1 }, () => undefined);
    session.mqttSessionStarted();
  }

  /**
   * Publishes the messages in order and resolves with their count once every one is acknowledged. On the first
   * failure it throws RetryableExportError (connection lost) or PermanentExportError (an MQTT 5 reason code that
   * refuses the message), with `acked` set to the number of leading messages acknowledged.
   */
  send(messages: readonly OutboxMessage[]): Promise<number> {
    if (!this.connected) return Promise.reject(new RetryableExportError(`MQTT target "${this.name}" is not connected`));
    if (messages.length === 0) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      const batch: Batch = { size: messages.length, settled: 0, firstFailure: Number.POSITIVE_INFINITY, resolve, reject };
      for (let i = 0; i < messages.length; i++) this.waiting.push({ msg: messages[i]!, batch, index: i });
      this.drain();
    });
  }

  /**
   * Closes the connection (with a DISCONNECT when it is up, so the broker does not publish the last will);
   * publishes not yet acknowledged fail with RetryableExportError.
   */
  async close(): Promise<void> {
    const client = this.client;
    const wasConnected = this.connected;
    const sparkplug = this.sparkplug;
    this.client = undefined;
    this.connected = false;
    this.sparkplug = undefined;
    this.failAll(new RetryableExportError(`MQTT target "${this.name}" was closed`));
    if (client === undefined) return;
    client.removeAllListeners();
    client.on("error", () => undefined);
    if (wasConnected && client.connected) {
      // Sparkplug B: a node that disconnects on purpose publishes its own NDEATH (the broker sends no will then).
      if (sparkplug !== undefined) {
        const death = sparkplug.death();
        client.publish(death.topic, Buffer.from(death.payload), { qos: 0, retain: false });
        sparkplug.closeMqttSession();
      }
      // mqtt.js would wait for its own unacknowledged publishes; the outbox re-sends them, so don't wait long.
      const graceful = new Promise<boolean>((resolve) => client.end(false, {}, () => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS)));
      const done = await Promise.race([graceful, late]);
      clearTimeout(timer);
      if (done) return;
    }
    await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
  }

  private configuredWindow(): number {
    return Math.max(1, this.options.maxInFlight ?? ((this.options.qos ?? 1) === 2 ? DEFAULT_QOS2_IN_FLIGHT : DEFAULT_IN_FLIGHT));
  }

  private drain(): void {
    const client = this.client;
    while (this.head < this.waiting.length && this.outstanding < this.window) {
      const op = this.waiting[this.head++]!;
      if (client === undefined || !this.connected) {
        this.settle(op, new RetryableExportError(`MQTT target "${this.name}" is not connected`));
        continue;
      }
      const topic = op.msg.meta[META_TOPIC] ?? this.options.topic;
      if (topic === undefined || topic === "") {
        this.settle(op, new PermanentExportError(`MQTT target "${this.name}": message ${op.msg.seq} has no topic`));
        continue;
      }
      const contentType = this.v5 ? op.msg.meta[META_CONTENT_TYPE] : undefined;
      const publishOptions = contentType === undefined ? this.publishOptions : { ...this.publishOptions, properties: { contentType } };
      const p = op.msg.payload;
      this.outstanding += 1;
      this.inFlight.add(op);
      client.publish(topic, Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength), publishOptions, (err) => {
        if (!this.inFlight.delete(op)) return;
        this.outstanding -= 1;
        this.settle(op, err ?? undefined);
        this.refill.request();
      });
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head > 4096) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Records one message's outcome; the batch settles with its last message. */
  private settle(op: Op, err?: unknown): void {
    const b = op.batch;
    b.settled += 1;
    if (err !== undefined) {
      (b.errors ??= new Map()).set(op.index, err);
      if (op.index < b.firstFailure) b.firstFailure = op.index;
    }
    if (b.settled < b.size) return;
    if (b.errors === undefined) b.resolve(b.size);
    else b.reject(this.batchError(b.errors, b.firstFailure));
  }

  /**
   * The error of a batch with failures: when every failure is a refusal for good (the others were acknowledged), a
   * PermanentExportError listing them all, so the forwarder dead-letters them and sends nothing again; otherwise the
   * first failure, with the leading acknowledged count.
   */
  private batchError(errors: ReadonlyMap<number, unknown>, first: number): Error {
    const mapped = [...errors].map(([i, e]) => [i, this.exportError(e, i)] as const).sort((a, b) => a[0] - b[0]);
    if (mapped.every(([, e]) => e instanceof PermanentExportError)) {
      const reasons = Object.fromEntries(mapped.map(([i, e]) => [i, e.message]));
      return new PermanentExportError(mapped[0]![1].message, { refused: mapped.map(([i]) => i), restAcked: true, details: { reasons } });
    }
    return mapped.find(([i]) => i === first)![1];
  }

  private exportError(reason: unknown, acked: number): Error {
    if (reason instanceof RetryableExportError) return new RetryableExportError(reason.message, { acked, cause: reason });
    if (reason instanceof PermanentExportError) return new PermanentExportError(reason.message, { acked, cause: reason });
    const code = (reason as { code?: unknown }).code;
    const message = `MQTT target "${this.name}": ${reason instanceof Error ? reason.message : String(reason)}`;
    if (typeof code === "number" && !TRANSIENT_REASON_CODES.has(code)) {
      return new PermanentExportError(`${message} (reason code ${code})`, { acked, cause: reason, details: { reasonCode: code } });
    }
    return new RetryableExportError(message, { acked, cause: reason });
  }

  private failAll(err: RetryableExportError): void {
    const ops = [...this.inFlight, ...this.waiting.slice(this.head)];
    this.inFlight.clear();
    this.outstanding = 0;
    this.waiting.length = 0;
    this.head = 0;
    for (const op of ops) this.settle(op, err);
  }
}

function setNoDelay(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (on: boolean) => unknown } | undefined;
  if (typeof stream?.setNoDelay === "function") stream.setNoDelay(true);
}
