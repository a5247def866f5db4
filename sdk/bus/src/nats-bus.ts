/**
 * The distributed bus: a MessageBus over a NATS connection (@nats-io/transport-node, v3 API). Envelopes travel as
 * JSON written by stringifyJson and read by parseJson, so int64 timestamps stay exact.
 */
import type { Msg, NatsConnection, NodeConnectionOptions, Status } from "@nats-io/transport-node";
import { ErrorKind, envelopeOf, errorEnvelopeOf, isEnvelope, parseJson, stringifyJson, unwrapReply, type MessageEnvelope, type Subject } from "@brink/contracts";
import { BusError, BusErrorCode, closedError, payloadInvalidError } from "./errors.js";
import { Counters, DEFAULT_REQUEST_TIMEOUT_MS, StatusEmitter, newId, runHandler, runServeHandler, stderrLogger } from "./internal/common.js";
import { loadNatsClient } from "./internal/nats-client.js";
import { disconnectedError, mapClientError, mapRequestError } from "./internal/nats-errors.js";
import { NatsOutbox } from "./internal/outbox.js";
import { assertPattern, assertSubject } from "./subject-match.js";
import type {
  BusLogger, BusMessage, BusStats, BusStatus, MessageBus, MessageHandler, PublishOptions, RequestHandler, RequestOptions,
  SubscribeOptions, Subscription,
} from "./types.js";

/** TLS settings for the NATS connection (file paths or PEM text). */
export interface NatsTlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  /** @default true */
  rejectUnauthorized?: boolean;
  /** Requires the server to be configured with `handshake_first`. @default false */
  handshakeFirst?: boolean;
}

/** Options of {@link NatsBus}. */
export interface NatsBusOptions {
  /** `nats://host:port` or `host:port`, one or several. */
  servers: string | string[];
  /** Client name shown by the server's monitoring (use the service name). */
  name: string;
  token?: string;
  user?: string;
  pass?: string;
  tls?: NatsTlsOptions;
  /** @default warnings and errors as JSON lines on stderr */
  logger?: BusLogger;
  /** Wait between reconnect attempts to one server, ms. @default 2000 */
  reconnectTimeWaitMs?: number;
  /** Upper bound of the random delay added to each reconnect wait, ms. @default 500 */
  reconnectJitterMs?: number;
  /** Client ping interval, ms; a dead peer that keeps the socket open is noticed after about twice this. @default 20000 */
  pingIntervalMs?: number;
  /** Most bytes of publishes held while disconnected; beyond it publish rejects with BUS_BUFFER_FULL. @default 8 MiB */
  outageBufferBytes?: number;
  /** How long `close()` waits for the drain before closing hard, ms. @default 5000 */
  closeTimeoutMs?: number;
}

const DEFAULT_OUTAGE_BUFFER_BYTES = 8 * 1024 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

type AnyMessage = BusMessage<unknown>;

/**
 * MessageBus over NATS. It reconnects forever with jittered waits; while the connection is down, publishes are held
 * (up to `outageBufferBytes`) and sent in order once it is back, and subscriptions are restored by the client.
 * Publishes made in one event-loop turn go out in one socket write; requests, replies, subscribes and flushes send
 * the pending publishes first, so order on the connection is kept.
 * A received message that is not a JSON envelope is logged at warn, counted in `stats().dropped` and skipped; the
 * subscription goes on.
 */
export class NatsBus implements MessageBus {
  readonly kind = "nats" as const;
  private readonly logger: BusLogger;
  private readonly status_: StatusEmitter;
  private readonly counters = new Counters();
  private nc: NatsConnection | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private readonly outbox: NatsOutbox;

  constructor(private readonly options: NatsBusOptions) {
    this.logger = options.logger ?? stderrLogger;
    this.status_ = new StatusEmitter("disconnected", this.logger);
    this.outbox = new NatsOutbox(options.outageBufferBytes ?? DEFAULT_OUTAGE_BUFFER_BYTES, this.logger);
  }

  /** Connects, waiting (and retrying) until a server answers. Rejects with BUS_CONNECT_FAILED on a fatal error. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    this.connecting ??= this.open();
    return this.connecting;
  }

  /** Drains subscriptions, flushes what was published and closes. Publishes still held for an outage are lost. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const nc = this.nc;
    this.outbox.sendQueued();
    const lost = this.outbox.discard();
    if (lost > 0) this.logger.warn({ count: lost }, "bus closed while disconnected: held publishes are lost");
    if (nc !== undefined && !nc.isClosed()) {
      const timeoutMs = this.options.closeTimeoutMs ?? 5000;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
      try {
        const drained = this.status_.get() === "connected" ? await Promise.race([nc.drain(), deadline]) : "late";
        if (drained === "late") await nc.close();
      } catch (err) {
        this.logger.warn({ err }, "bus drain failed; closing");
        await nc.close().catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    }
    this.status_.set("closed");
  }

  publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<void> {
    try {
      this.usable();
      assertSubject(subject);
      this.outbox.push(subject, encode(subject, envelopeOf((payload === undefined ? null : payload) as T, idsOf(options, undefined))));
      this.counters.published++;
      return RESOLVED;
    } catch (err) {
      return Promise.reject(mapClientError(err));
    }
  }

  subscribe<T>(pattern: Subject<T>, handler: MessageHandler<T>, options?: SubscribeOptions): Subscription {
    const h = handler as unknown as (msg: AnyMessage) => void | Promise<void>;
    return this.add(pattern, options, (msg) => {
      const envelope = this.decode(msg);
      if (envelope !== undefined) runHandler(h, { subject: msg.subject, envelope }, this.counters, this.logger, pattern);
    });
  }

  serve<Req, Res>(pattern: Subject<Req>, handler: RequestHandler<Req, Res>, options?: SubscribeOptions): Subscription {
    const h = handler as unknown as (msg: AnyMessage) => unknown;
    return this.add(pattern, options, (msg) => {
      const respond = msg.reply ? (envelope: MessageEnvelope<unknown>) => this.respond(msg, envelope) : undefined;
      const envelope = this.decode(msg);
      if (envelope === undefined) {
        const err = new BusError(ErrorKind.ContractInvalid, BusErrorCode.MessageInvalid, `request on ${msg.subject} is not a JSON message envelope`);
        respond?.(errorEnvelopeOf(err, { correlationID: "" }));
        return;
      }
      runServeHandler(h, { subject: msg.subject, envelope }, respond, this.counters, this.logger, pattern);
    });
  }

  async request<Req, Res>(subject: Subject<Req>, payload: Req, options?: RequestOptions): Promise<Res> {
    let nc: NatsConnection;
    let data: string;
    try {
      nc = this.usable();
      assertSubject(subject);
      data = encode(subject, envelopeOf((payload === undefined ? null : payload) as Req, idsOf(options, newId())));
    } catch (err) {
      throw mapClientError(err);
    }
    if (this.status_.get() !== "connected") throw disconnectedError(`request ${subject}`);
    const timeoutMs = options?.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.outbox.sendQueued();
    this.counters.published++;
    let reply: Msg;
    try {
      reply = await nc.request(subject, data, { timeout: timeoutMs });
    } catch (err) {
      throw mapRequestError(err, subject, timeoutMs);
    }
    let value: unknown;
    try {
      value = parseJson(reply.string());
    } catch (err) {
      throw new BusError(ErrorKind.Communication, BusErrorCode.ReplyInvalid, `reply on ${subject} is not JSON`, { details: { subject }, cause: err });
    }
    if (!isEnvelope(value)) throw new BusError(ErrorKind.Communication, BusErrorCode.ReplyInvalid, `reply on ${subject} is not a message envelope`, { details: { subject } });
    return unwrapReply<Res>(value);
  }

  /** Round trip to the server: everything sent before it has been processed. Rejects with BUS_DISCONNECTED in an outage. */
  async flush(): Promise<void> {
    let nc: NatsConnection;
    try {
      nc = this.usable();
    } catch (err) {
      throw mapClientError(err);
    }
    if (this.status_.get() !== "connected") throw disconnectedError("flush");
    this.outbox.sendQueued();
    try {
      await nc.flush();
    } catch (err) {
      throw mapClientError(err);
    }
  }

  status(): BusStatus {
    return this.status_.get();
  }

  onStatus(listener: (status: BusStatus) => void): () => void {
    return this.status_.on(listener);
  }

  stats(): BusStats {
    return this.counters.snapshot();
  }

  private async open(): Promise<void> {
    const o = this.options;
    const jitter = o.reconnectJitterMs ?? 500;
    const opts: NodeConnectionOptions = {
      servers: o.servers,
      name: o.name,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: o.reconnectTimeWaitMs ?? 2000,
      reconnectJitter: jitter,
      reconnectJitterTLS: jitter,
      pingInterval: o.pingIntervalMs ?? 20_000,
    };
    if (o.token !== undefined) opts.token = o.token;
    if (o.user !== undefined) opts.user = o.user;
    if (o.pass !== undefined) opts.pass = o.pass;
    if (o.tls !== undefined) opts.tls = { ...o.tls };
    let nc: NatsConnection;
    const client = await loadNatsClient();
    const failed = (err: unknown): BusError => {
      this.connecting = undefined;
      return new BusError(ErrorKind.Communication, BusErrorCode.ConnectFailed, `cannot connect to NATS at ${String(o.servers)}: ${describeChain(err)}`, { details: { servers: o.servers }, cause: err });
    };
    try {
      // One attempt first: a certificate or credentials the server refuses fail the start with the reason, instead
      // of being retried in silence; a server that is not up yet (a gateway booting) is waited for.
      nc = await client.connect({ ...opts, waitOnFirstConnect: false });
    } catch (err) {
      if (isPermanentConnectError(err)) throw failed(err);
      this.logger.warn({ servers: o.servers, err: describeChain(err) }, "NATS not reachable yet; waiting for it");
      try {
        nc = await client.connect(opts);
      } catch (again) {
        throw failed(again);
      }
    }
    if (this.closed) {
      await nc.close();
      throw closedError();
    }
    this.nc = nc;
    this.outbox.connectedTo((subject, data) => nc.publish(subject, data));
    this.status_.set("connected");
    this.logger.info({ server: nc.getServer(), name: o.name }, "bus connected to NATS");
    void this.watch(nc);
    void nc.closed().then((err) => {
      if (err) this.logger.error({ err }, "NATS connection closed with an error");
      this.status_.set("closed");
    });
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) this.onClientStatus(nc, s);
  }

  private onClientStatus(nc: NatsConnection, s: Status): void {
    switch (s.type) {
      case "disconnect":
        this.outbox.disconnected();
        this.logger.warn({ server: s.server }, "bus disconnected from NATS");
        this.status_.set("disconnected");
        break;
      case "reconnecting":
        this.status_.set("reconnecting");
        break;
      case "reconnect": {
        const sent = this.outbox.connectedTo((subject, data) => nc.publish(subject, data));
        this.logger.info({ server: s.server, heldPublishesSent: sent }, "bus reconnected to NATS");
        this.status_.set("connected");
        break;
      }
      case "error":
        this.logger.error({ err: s.error }, "NATS server reported an error");
        break;
      case "staleConnection":
        this.logger.warn({}, "NATS connection is stale; reconnecting");
        break;
      case "slowConsumer":
        this.logger.warn({ subject: s.sub.getSubject(), pending: s.pending }, "NATS slow consumer: the server may drop messages");
        break;
      case "ldm":
        this.logger.info({ server: s.server }, "NATS server entering lame duck mode");
        break;
      case "close":
        this.status_.set("closed");
        break;
      default:
        break;
    }
  }

  private add(pattern: string, options: SubscribeOptions | undefined, onMessage: (msg: Msg) => void): Subscription {
    const nc = this.usable();
    assertPattern(pattern);
    const queue = options?.queue;
    if (queue !== undefined && !/^[^\s]+$/.test(queue)) {
      throw new BusError(ErrorKind.ContractInvalid, BusErrorCode.SubjectInvalid, `queue group ${JSON.stringify(queue)} is empty or holds whitespace`, { details: { queue } });
    }
    this.outbox.sendQueued();
    let active = true;
    let sub;
    try {
      sub = nc.subscribe(pattern, {
        ...(queue === undefined ? {} : { queue }),
        callback: (err, msg) => {
          if (err) this.logger.error({ err, pattern }, "NATS subscription error");
          else if (active) onMessage(msg);
        },
      });
    } catch (err) {
      throw mapClientError(err);
    }
    return {
      subject: pattern,
      unsubscribe: () => {
        if (!active) return;
        active = false;
        if (!sub.isClosed() && !nc.isClosed()) sub.unsubscribe();
      },
    };
  }

  private decode(msg: Msg): MessageEnvelope<unknown> | undefined {
    let text = "";
    let value: unknown;
    try {
      text = msg.string();
      value = parseJson(text);
    } catch (err) {
      this.drop(msg.subject, text, `not JSON: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (!isEnvelope(value)) {
      this.drop(msg.subject, text, "not a message envelope");
      return undefined;
    }
    value.receivedTopic = msg.subject;
    return value;
  }

  private drop(subject: string, text: string, reason: string): void {
    this.counters.dropped++;
    this.logger.warn({ subject, reason, bytes: text.length, sample: text.slice(0, 120) }, "bus dropped a message that is not a valid envelope");
  }

  private respond(msg: Msg, envelope: MessageEnvelope<unknown>): void {
    let data: string;
    try {
      data = stringifyJson(envelope);
    } catch (err) {
      data = stringifyJson(errorEnvelopeOf(payloadInvalidError(msg.subject, err), envelope));
    }
    this.outbox.sendQueued();
    try {
      msg.respond(data);
    } catch (err) {
      this.logger.warn({ err, subject: msg.subject }, "bus could not send a reply");
    }
  }

  private usable(): NatsConnection {
    if (this.closed) throw closedError();
    if (this.nc === undefined) throw new BusError(ErrorKind.ServiceUnavailable, BusErrorCode.NotConnected, "the bus is not connected: call connect() first");
    return this.nc;
  }
}

function idsOf(options: PublishOptions | undefined, requestID: string | undefined): { correlationID: string; requestID?: string; queryParams?: Record<string, string> } {
  const ids: { correlationID: string; requestID?: string; queryParams?: Record<string, string> } = { correlationID: options?.correlationID ?? newId() };
  const rid = options?.requestID ?? requestID;
  if (rid !== undefined) ids.requestID = rid;
  if (options?.queryParams !== undefined) ids.queryParams = options.queryParams;
  return ids;
}

function encode(subject: string, envelope: MessageEnvelope<unknown>): string {
  try {
    return stringifyJson(envelope);
  } catch (err) {
    throw payloadInvalidError(subject, err);
  }
}

/** An error and its causes, outermost first (at most five deep). */
function* causes(err: unknown): Iterable<unknown> {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/** The messages of an error and its causes, joined. */
function describeChain(err: unknown): string {
  const parts: string[] = [];
  for (const e of causes(err)) {
    const message = e instanceof Error ? e.message : String(e);
    if (!parts.includes(message)) parts.push(message);
  }
  return parts.join(": ");
}

/** True for a connect failure that retrying cannot fix: an untrusted or mismatched certificate, refused credentials. */
function isPermanentConnectError(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = String((e as { code?: unknown }).code ?? "");
    const message = e instanceof Error ? e.message : String(e);
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME/.test(code)) return true;
    if (/certificate|authorization violation|authentication|tls required|server does not support tls/i.test(message)) return true;
  }
  return false;
}
