/**
 * Durable input over NATS JetStream: a stream on `edgex.events.>` (created when missing) and one durable pull
 * consumer per pipeline (`app-service-<pipeline>`). A message is acknowledged once its pipeline is done with it
 * (after the exports enqueued it into the outbox), so events published while app-service is down, or in flight when
 * it was killed, are processed when it returns (at least once).
 *
 * The consumer takes the whole stream and filters by the pipeline's patterns itself (acknowledging the rest): its
 * config never depends on the pipeline, so replacing a pipeline never resets its position, and it works with
 * nats-server 2.9 (one filter subject per consumer).
 */
import { loadJetStream, loadNatsClient, subjectMatches } from "@brink/bus";
import { ErrorKind, isEnvelope, parseJson } from "@brink/contracts";
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { AppServiceError, AppServiceErrorCode } from "../errors.js";
import type { Deliver, PipelineInput } from "./types.js";

/** Subjects of the stream app-service creates. */
export const EVENT_STREAM_SUBJECTS = ["edgex.events.>"];
/** How long stop() waits for messages being processed, ms. */
const STOP_WAIT_MS = 5_000;
/** Delay before a message the pipeline could not take is redelivered, ms. */
const RETRY_DELAY_MS = 1_000;

/** Settings of the JetStream input (from the `jetstream` config section). */
export interface JetStreamSettings {
  readonly servers: string[];
  readonly token?: string | undefined;
  readonly stream: string;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly deliverPolicy: "all" | "new";
}

const nanos = (ms: number): number => ms * 1_000_000;

type JetStreamModule = Awaited<ReturnType<typeof loadJetStream>>;

function unavailable(message: string, cause: unknown): AppServiceError {
  return new AppServiceError(ErrorKind.ServiceUnavailable, AppServiceErrorCode.JetStreamUnavailable, `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/** The JetStream connection shared by every pipeline's input. */
export class JetStreamSource {
  private nc: NatsConnection | undefined;
  /** The JetStream module, loaded by start() (app-service without JetStream input does not carry it). */
  private lib: JetStreamModule | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;

  constructor(
    readonly settings: JetStreamSettings,
    private readonly logger: Logger,
  ) {}

  /** Connects and makes sure the stream exists. */
  async start(): Promise<void> {
    const s = this.settings;
    try {
      const [nats, lib] = await Promise.all([loadNatsClient(), loadJetStream()]);
      this.lib = lib;
      this.nc = await nats.connect({ servers: s.servers, name: "app-service-jetstream", maxReconnectAttempts: -1, ...(s.token ? { token: s.token } : {}) });
      this.jsm = await lib.jetstreamManager(this.nc);
      this.js = lib.jetstream(this.nc);
    } catch (err) {
      await this.stop();
      throw unavailable(`cannot reach JetStream at ${s.servers.join(",")}`, err);
    }
    try {
      const info = await this.jsm.streams.info(s.stream).catch(() => undefined);
      if (info === undefined) {
        await this.jsm.streams.add({
          name: s.stream,
          subjects: EVENT_STREAM_SUBJECTS,
          retention: this.lib.RetentionPolicy.Limits,
          storage: this.lib.StorageType.File,
          max_age: nanos(s.maxAgeMs),
          max_bytes: s.maxBytes,
        });
        this.logger.info({ stream: s.stream, subjects: EVENT_STREAM_SUBJECTS }, "created JetStream stream");
      }
    } catch (err) {
      await this.stop();
      throw unavailable(`cannot create JetStream stream ${s.stream}`, err);
    }
  }

  async stop(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc !== undefined && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  /** The input of one pipeline. */
  input(pipeline: string, patterns: readonly string[], deliver: Deliver): PipelineInput {
    return new JetStreamInput(this, pipeline, patterns, deliver, this.logger);
  }

  /** @internal */
  clients(): { js: JetStreamClient; jsm: JetStreamManager; lib: JetStreamModule } {
    if (this.js === undefined || this.jsm === undefined || this.lib === undefined) throw unavailable("JetStream is not connected", "stopped");
    return { js: this.js, jsm: this.jsm, lib: this.lib };
  }
}

/** The payload of a stream message: the EdgeX envelope's payload, or the whole message when it is no envelope. */
function payloadOf(m: JsMsg): unknown {
  const text = m.string();
  try {
    const value = parseJson(text);
    return isEnvelope(value) ? value.payload : value;
  } catch {
    return text;
  }
}

function correlationOf(m: JsMsg): string | undefined {
  try {
    const value = parseJson(m.string());
    return isEnvelope(value) ? value.correlationID : undefined;
  } catch {
    return undefined;
  }
}

class JetStreamInput implements PipelineInput {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly source: JetStreamSource,
    private readonly pipeline: string,
    private readonly patterns: readonly string[],
    private readonly deliver: Deliver,
    private readonly logger: Logger,
  ) {}

  private get durable(): string {
    return `app-service-${this.pipeline}`;
  }

  async start(): Promise<void> {
    const { js, jsm, lib } = this.source.clients();
    const s = this.source.settings;
    try {
      const exists = await jsm.consumers.info(s.stream, this.durable).catch(() => undefined);
      if (exists === undefined) {
        await jsm.consumers.add(s.stream, {
          durable_name: this.durable,
          ack_policy: lib.AckPolicy.Explicit,
          deliver_policy: s.deliverPolicy === "new" ? lib.DeliverPolicy.New : lib.DeliverPolicy.All,
          ack_wait: nanos(s.ackWaitMs),
          max_ack_pending: s.maxAckPending,
        });
      }
      const consumer = await js.consumers.get(s.stream, this.durable);
      this.messages = await consumer.consume({ max_messages: Math.min(s.maxAckPending, 512) });
    } catch (err) {
      throw unavailable(`cannot set up the JetStream consumer ${this.durable}`, err);
    }
    this.stopping = false;
    this.loop = this.run(this.messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const limit = this.source.settings.maxAckPending;
    for await (const m of messages) {
      if (this.stopping) {
        m.nak();
        continue;
      }
      if (!this.patterns.some((p) => subjectMatches(p, m.subject))) {
        m.ack();
        continue;
      }
      const task = this.deliver(payloadOf(m), m.subject, correlationOf(m)).then(
        (outcome) => {
          if (outcome === "done") m.ack();
          else m.nak(RETRY_DELAY_MS);
        },
        (err: unknown) => {
          this.logger.warn({ err, pipeline: this.pipeline, subject: m.subject }, "JetStream delivery failed; it will be redelivered");
          m.nak(RETRY_DELAY_MS);
        },
      );
      this.pending.add(task);
      void task.finally(() => this.pending.delete(task));
      while (this.pending.size >= limit) await Promise.race(this.pending);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const messages = this.messages;
    this.messages = undefined;
    if (messages !== undefined) await messages.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
    this.loop = undefined;
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    }
  }

  async destroy(): Promise<void> {
    await this.stop();
    const { jsm } = this.source.clients();
    await jsm.consumers.delete(this.source.settings.stream, this.durable).catch((err: unknown) => {
      this.logger.warn({ err, consumer: this.durable }, "could not delete the JetStream consumer");
    });
  }
}
