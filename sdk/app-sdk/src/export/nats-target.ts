/**
 * NatsTarget: delivers outbox messages to a NATS server of its own (a cloud NATS, not the gateway's bus) with
 * @nats-io/transport-node.
 *
 * The client's own reconnect buffer is off (`reconnect: false`): when the connection drops, the target reports it
 * and the forwarder reconnects and re-sends from the outbox. Core NATS: a batch is acknowledged once a flush (a
 * PING/PONG round trip) after its publishes returns, so the server has read them. JetStream: each message is
 * acknowledged by its PubAck; its `Nats-Msg-Id` is `<target>:<enqueuedAt>:<seq>`, so the stream drops the duplicates
 * a re-send after a reconnect would make (within the stream's duplicate window).
 */
import type { MsgHdrs, NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import type { JetStreamApiError, JetStreamClient } from "@nats-io/jetstream";
import { loadJetStream, loadNatsClient } from "@brink/bus";
import { PermanentExportError, RetryableExportError } from "../errors.js";
import type { ExportTarget, OutboxMessage } from "../types.js";
import { META_CONTENT_TYPE, META_CORRELATION_ID, META_HEADER_PREFIX, META_SUBJECT } from "./meta.js";
import type { TlsFiles } from "./mqtt-target.js";

/** Options of {@link NatsTarget}. */
export interface NatsTargetOptions {
  /** Target (outbox queue) name. */
  name: string;
  /** `nats://host:port` or `host:port`, one or several. */
  servers: readonly string[];
  /** Subject of messages whose meta has none. */
  subject?: string;
  /** Publish with JetStream and take the PubAck as the acknowledgement. @default false */
  jetstream?: boolean;
  user?: string;
  /** Reads the password (a secret) at each connect. */
  password?: () => string;
  /** Reads the token (a secret) at each connect. */
  token?: () => string;
  tls?: TlsFiles;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** JetStream PubAck timeout, ms. @default 10000 */
  publishTimeoutMs?: number;
}

// JetStream answers that mean "not now" (stream full under discard-new, storage or resource limits, cluster busy).
const TRANSIENT_JS = /maximum|exceeded|insufficient|resources|storage|temporarily|unavailable|no suitable peers/i;
// A publishable subject: dot-separated non-empty tokens without whitespace or wildcards.
const VALID_SUBJECT = /^[^.\s*>]+(\.[^.\s*>]+)*$/;

/** An ExportTarget over its own NATS connection. */
export class NatsTarget implements ExportTarget {
  readonly name: string;
  /** Core NATS: one flush round trip acknowledges a whole batch. */
  readonly batchSize = 64;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  /** Rejects when the connection closes: a flush or publish pending at that moment would otherwise never settle. */
  private closed: Promise<never> = new Promise<never>(() => undefined);

  /** What send() needs of the NATS and JetStream modules, loaded by connect(). */
  private lib: { headers: () => MsgHdrs; JetStreamApiError: typeof JetStreamApiError } | undefined;

  constructor(private readonly options: NatsTargetOptions) {
    this.name = options.name;
  }

  /** Connects; throws RetryableExportError when no server can be reached or the connection is refused. */
  async connect(): Promise<void> {
    await this.close();
    const o = this.options;
    const opts: NodeConnectionOptions = {
      servers: [...o.servers],
      name: `brink-export-${o.name}`,
      reconnect: false,
      timeout: o.connectTimeoutMs ?? 10_000,
    };
    try {
      if (o.user !== undefined) opts.user = o.user;
      if (o.password !== undefined) opts.pass = o.password();
      if (o.token !== undefined) opts.token = o.token();
      if (o.tls !== undefined) {
        opts.tls = {
          ...(o.tls.caFile === undefined ? {} : { caFile: o.tls.caFile }),
          ...(o.tls.certFile === undefined ? {} : { certFile: o.tls.certFile }),
          ...(o.tls.keyFile === undefined ? {} : { keyFile: o.tls.keyFile }),
          rejectUnauthorized: o.tls.rejectUnauthorized ?? true,
        };
      }
      // Loaded on the first connect: app-service without a NATS export does not carry the client.
      const [nats, lib] = await Promise.all([loadNatsClient(), loadJetStream()]);
      this.lib = { headers: nats.headers, JetStreamApiError: lib.JetStreamApiError };
      const nc = await nats.connect(opts);
      this.nc = nc;
      this.closed = nc.closed().then((err) => {
        throw new RetryableExportError(`NATS target "${this.name}": connection closed${err ? `: ${err.message}` : ""}`, { cause: err });
      });
      this.closed.catch(() => undefined);
      this.js = o.jetstream ? lib.jetstream(nc, { timeout: o.publishTimeoutMs ?? 10_000 }) : undefined;
    } catch (err) {
      throw new RetryableExportError(`NATS target "${this.name}": cannot connect to ${o.servers.join(", ")}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /**
   * Publishes the messages in order. Core NATS: resolves with their count after a flush. JetStream: resolves once
   * every PubAck is in; on the first failure throws RetryableExportError (connection, timeout, no stream answering,
   * stream full) or PermanentExportError (another JetStream API error), with `acked` the leading messages acknowledged.
   */
  async send(messages: readonly OutboxMessage[]): Promise<number> {
    const nc = this.nc;
    if (nc === undefined || nc.isClosed()) throw new RetryableExportError(`NATS target "${this.name}" is not connected`);
    // A message without a usable subject is refused for good once the ones before it are delivered.
    let usable = messages.findIndex((m) => this.subjectOf(m) === undefined);
    if (usable < 0) usable = messages.length;
    const sending = messages.slice(0, usable);
    const delivered = this.js === undefined ? await this.publishCore(nc, sending) : await this.publishJetStream(this.js, sending);
    if (usable < messages.length) throw new PermanentExportError(`NATS target "${this.name}": message ${messages[usable]!.seq} has no valid subject`, { acked: delivered });
    return delivered;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.js = undefined;
    if (nc === undefined || nc.isClosed()) return;
    try {
      await nc.close();
    } catch {
      // closing a broken connection
    }
  }

  private subjectOf(m: OutboxMessage): string | undefined {
    const subject = m.meta[META_SUBJECT] ?? this.options.subject;
    return subject === undefined || !VALID_SUBJECT.test(subject) ? undefined : subject;
  }

  private async publishCore(nc: NatsConnection, messages: readonly OutboxMessage[]): Promise<number> {
    try {
      for (const m of messages) nc.publish(this.subjectOf(m)!, m.payload, { headers: this.headersOf(m) });
      await Promise.race([nc.flush(), this.closed]);
      return messages.length;
    } catch (err) {
      if (err instanceof RetryableExportError) throw err;
      throw new RetryableExportError(`NATS target "${this.name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async publishJetStream(js: JetStreamClient, messages: readonly OutboxMessage[]): Promise<number> {
    const results = await Promise.allSettled(
      messages.map((m) => Promise.race([js.publish(this.subjectOf(m)!, m.payload, { msgID: `${this.name}:${m.enqueuedAt}:${m.seq}`, headers: this.headersOf(m) }), this.closed])),
    );
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed < 0) return messages.length;
    const refusals = new Map<number, string>();
    let retryable: unknown;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") return;
      const err: unknown = r.reason;
      if (this.lib !== undefined && err instanceof this.lib.JetStreamApiError && !TRANSIENT_JS.test(err.message)) refusals.set(i, `NATS target "${this.name}": ${err.message}`);
      else retryable ??= err;
    });
    const first = (results[failed] as PromiseRejectedResult).reason as unknown;
    if (retryable === undefined) {
      // Every failure is a refusal and the rest were stored: dead-letter those, send nothing again.
      throw new PermanentExportError(refusals.get(failed)!, { refused: [...refusals.keys()], restAcked: true, cause: first, details: { reasons: Object.fromEntries(refusals) } });
    }
    const message = `NATS target "${this.name}": ${first instanceof Error ? first.message : String(first)}`;
    if (refusals.has(failed)) throw new PermanentExportError(message, { acked: failed, cause: first });
    throw new RetryableExportError(message, { acked: failed, cause: first });
  }

  private headersOf(m: OutboxMessage): MsgHdrs | undefined {
    let h: MsgHdrs | undefined;
    const set = (k: string, v: string): void => {
      h ??= this.lib!.headers();
      h.set(k, v);
    };
    const contentType = m.meta[META_CONTENT_TYPE];
    if (contentType !== undefined) set("Content-Type", contentType);
    const correlation = m.meta[META_CORRELATION_ID];
    if (correlation !== undefined) set("X-Correlation-ID", correlation);
    for (const [k, v] of Object.entries(m.meta)) if (k.startsWith(META_HEADER_PREFIX)) set(k.slice(META_HEADER_PREFIX.length), v);
    return h;
  }
}
