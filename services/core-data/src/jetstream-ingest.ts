/**
 * Durable ingest for distributed mode: core-data reads device events from a JetStream stream through a durable pull
 * consumer and acknowledges each message only once its event is committed to SQLite. Events published while
 * core-data is down (stopped, crashed, `kill -9`) wait in the stream and are stored when it comes back; a message
 * redelivered after a crash between commit and ack finds its event id already stored and is acknowledged without a
 * second copy, so the stored count stays exact.
 *
 * The stream holding `edgex.events.device.>` is shared with other readers (app-service's durable input, a cloud hub
 * sourcing it over a leaf node): core-data uses whichever stream already captures the subject and creates one only
 * when none does.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ConsumerMessages, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { loadJetStream, loadNatsClient } from "@brink/bus";
import {
  ALL_EVENTS, ErrorCode, ErrorKind, ServiceError, ValidationError, isEnvelope, parseJson, validateAddEventRequest, type Event,
} from "@brink/contracts";
import type { ServiceContext } from "@brink/service-kit";
import type { Counter } from "prom-client";
import { CoreDataError, CoreDataErrorCode } from "./errors.js";
import { DropReason, checkSubject, decodePayload } from "./ingest.js";
import type { EventStore } from "./store/event-store.js";

/** Name of the events stream core-data creates when no stream captures `edgex.events.device.>`. */
export const DEFAULT_EVENTS_STREAM = "BRINK_EVENTS";
/**
 * Subjects of a stream core-data creates: every event, device and core (app-service creates the same stream when it
 * comes first; core-data's consumer reads device events only).
 */
export const EVENTS_STREAM_SUBJECTS: readonly string[] = ["edgex.events.>"];
/** Durable consumer name of core-data; instances sharing it share the work. */
export const DEFAULT_INGEST_DURABLE = "core-data";
/** Age after which a created stream discards events, ms (7 days). */
export const DEFAULT_STREAM_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Size at which a created stream discards its oldest events, bytes (1 GiB). */
export const DEFAULT_STREAM_MAX_BYTES = 1024 * 1024 * 1024;
/** How long the server waits for an ack before redelivering, ms. */
export const DEFAULT_ACK_WAIT_MS = 30_000;
/** Most messages delivered and not yet acknowledged. */
export const DEFAULT_MAX_ACK_PENDING = 20_000;
/** Messages asked for in one pull. */
export const DEFAULT_PULL_BATCH = 1000;
/** Wait before a failed write is redelivered, ms. */
export const WRITE_RETRY_DELAY_MS = 5000;

/** `ingest.jetstream` config of core-data. */
export interface JetStreamIngestConfig {
  /** Read events through a durable JetStream consumer instead of a plain subscription. @default false */
  enabled: boolean;
  /** Stream created when none captures `edgex.events.device.>`. @default "BRINK_EVENTS" */
  stream: string;
  /** Durable consumer name. @default "core-data" */
  durable: string;
  /** Max age of a created stream, ms; 0 for none. @default 604800000 */
  maxAgeMs: number;
  /** Max size of a created stream, bytes; 0 for none. @default 1073741824 */
  maxBytes: number;
  /** Redelivery wait of an unacknowledged message, ms. @default 30000 */
  ackWaitMs: number;
  /** Most unacknowledged messages in flight. @default 20000 */
  maxAckPending: number;
}

/** Where the JetStream connection goes: the same variables `brink run` uses for its bus. */
export interface NatsEndpoint {
  /** Comma-separated NATS URLs (BRINK_BUS_URL). */
  url: string;
  /** Token (BRINK_BUS_TOKEN); empty for none. */
  token: string;
}

/** Collaborators of {@link JetStreamIngest}. */
export interface JetStreamIngestOptions {
  readonly config: Readonly<JetStreamIngestConfig>;
  readonly endpoint: Readonly<NatsEndpoint>;
  readonly store: EventStore;
  readonly logger: ServiceContext["logger"];
  /** Counts and logs a message that is not stored (the plain ingest's drop). */
  readonly drop: (where: { subject?: string; eventId?: string }, reason: DropReason, err: unknown) => void;
  /** Messages whose event was already stored (redeliveries). */
  readonly redelivered: Counter;
  /** When false, events are validated and acknowledged but not stored. */
  readonly persistData: boolean;
  /** Connection name shown by the server. @default "core-data-jetstream" */
  readonly name?: string;
}

function unavailable(message: string, cause?: unknown): CoreDataError {
  return new CoreDataError(ErrorKind.ServiceUnavailable, CoreDataErrorCode.JetStreamUnavailable, message, { cause });
}

type JetStreamModule = Awaited<ReturnType<typeof loadJetStream>>;
type NatsModule = Awaited<ReturnType<typeof loadNatsClient>>;

function isApiError(js: JetStreamModule, err: unknown, code: number): boolean {
  return err instanceof js.JetStreamApiError && err.code === code;
}

/** The event a stream message carries, or throws the ValidationError the plain ingest would drop it for. */
function eventOf(msg: JsMsg): Event {
  const value = parseJson(msg.string());
  if (!isEnvelope(value)) throw new ValidationError(ErrorCode.EventInvalid, "invalid event message", [{ path: "", message: "is not an EdgeX message envelope" }]);
  const event = validateAddEventRequest(decodePayload(value.payload)).event;
  checkSubject(msg.subject, event);
  return event;
}

/** core-data's durable JetStream consumer. */
export class JetStreamIngest {
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  /** The client modules, loaded by start(): core-data without JetStream ingest does not carry them. */
  private lib: { readonly nats: NatsModule; readonly js: JetStreamModule } | undefined;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private streamName: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private ensuring: Promise<void> | undefined;

  constructor(private readonly options: JetStreamIngestOptions) {}

  /** The stream in use, once started. */
  get stream(): string | undefined {
    return this.streamName;
  }

  /**
   * Connects, finds or creates the stream and the durable consumer, and starts consuming. Rejects with
   * JETSTREAM_UNAVAILABLE when NATS cannot be reached or has no JetStream.
   */
  async start(): Promise<void> {
    const { endpoint, config } = this.options;
    const servers = endpoint.url.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const [nats, js] = await Promise.all([loadNatsClient(), loadJetStream()]);
    this.lib = { nats, js };
    try {
      this.nc = await nats.connect({
        servers,
        name: this.options.name ?? "core-data-jetstream",
        ...(endpoint.token === "" ? {} : { token: endpoint.token }),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
      });
    } catch (err) {
      throw unavailable(`cannot connect to NATS at ${servers.join(", ")} for JetStream ingest: ${(err as Error).message}`, err);
    }
    try {
      this.jsm = await js.jetstreamManager(this.nc);
      await this.ensure();
      const consumer = await js.jetstream(this.nc).consumers.get(this.streamName as string, config.durable);
      this.messages = await consumer.consume({ max_messages: DEFAULT_PULL_BATCH });
    } catch (err) {
      await this.nc.close().catch(() => undefined);
      this.nc = undefined;
      if (err instanceof ServiceError) throw err;
      throw unavailable(`JetStream is not usable on ${servers.join(", ")}: ${(err as Error).message}`, err);
    }
    const messages = this.messages;
    this.loop = this.consume(messages);
    void this.watch(messages);
    this.options.logger.info({ stream: this.streamName, durable: config.durable }, "JetStream ingest consuming");
  }

  /**
   * Stops pulling, commits what is queued in the store, sends the acks of what was committed, and closes the
   * connection. Messages not committed are redelivered to the next consumer.
   */
  async stop(): Promise<void> {
    const nc = this.nc;
    if (nc === undefined) return;
    this.nc = undefined;
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    try {
      this.options.store.flush();
    } catch (err) {
      this.options.logger.error({ err }, "commit of queued events failed while stopping; they will be redelivered");
    }
    await Promise.allSettled([...this.inFlight]);
    await nc.drain().catch(() => nc.close());
  }

  /** Finds the stream capturing device events (creating it when none does) and the durable consumer. */
  private ensure(): Promise<void> {
    this.ensuring ??= this.ensureOnce().finally(() => (this.ensuring = undefined));
    return this.ensuring;
  }

  private async ensureOnce(): Promise<void> {
    const jsm = this.jsm as JetStreamManager;
    const { nats, js } = this.lib!;
    const { config } = this.options;
    const names: string[] = [];
    for await (const name of jsm.streams.names(ALL_EVENTS)) names.push(name);
    let stream: string;
    if (names.includes(config.stream) || names.length === 1) {
      stream = names.includes(config.stream) ? config.stream : (names[0] as string);
    } else if (names.length === 0) {
      await jsm.streams.add({
        name: config.stream,
        subjects: [...EVENTS_STREAM_SUBJECTS],
        storage: js.StorageType.File,
        retention: js.RetentionPolicy.Limits,
        discard: js.DiscardPolicy.Old,
        max_age: nats.nanos(config.maxAgeMs),
        max_bytes: config.maxBytes === 0 ? -1 : config.maxBytes,
      });
      stream = config.stream;
      this.options.logger.info({ stream, subjects: EVENTS_STREAM_SUBJECTS }, "created the JetStream events stream");
    } else {
      throw unavailable(`several JetStream streams capture ${ALL_EVENTS} (${names.join(", ")}) and none is named ${config.stream}`);
    }
    try {
      await jsm.consumers.info(stream, config.durable);
    } catch (err) {
      if (!isApiError(js, err, js.JetStreamApiCodes.ConsumerNotFound)) throw err;
      await jsm.consumers.add(stream, {
        durable_name: config.durable,
        ack_policy: js.AckPolicy.Explicit,
        deliver_policy: js.DeliverPolicy.All,
        filter_subject: ALL_EVENTS,
        ack_wait: nats.nanos(config.ackWaitMs),
        max_ack_pending: config.maxAckPending,
        max_deliver: -1,
      });
      this.options.logger.info({ stream, durable: config.durable }, "created the durable JetStream consumer");
    }
    this.streamName = stream;
  }

  /** Recreates the stream or the consumer when the server lost them (a server restarted without its store). */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const s of messages.status()) {
      if (s.type !== "consumer_not_found" && s.type !== "stream_not_found" && s.type !== "consumer_deleted") continue;
      if (this.nc === undefined) return;
      this.options.logger.warn({ status: s.type, stream: this.streamName }, "JetStream consumer missing; recreating it");
      await this.ensure().catch((err: unknown) => this.options.logger.error({ err }, "could not recreate the JetStream consumer"));
    }
  }

  private async consume(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) this.handle(msg);
    } catch (err) {
      if (this.nc !== undefined) this.options.logger.error({ err }, "JetStream ingest stopped consuming");
    }
  }

  /** Queues the event for the next commit (never waiting here, so one commit holds many messages). */
  private handle(msg: JsMsg): void {
    let event: Event;
    try {
      event = eventOf(msg);
    } catch (err) {
      this.options.drop({ subject: msg.subject }, DropReason.Invalid, err);
      msg.term();
      return;
    }
    if (!this.options.persistData) {
      msg.ack();
      return;
    }
    let committed: Promise<void>;
    try {
      committed = this.options.store.insert(event);
    } catch (err) {
      // The store is closing: leave the message unacknowledged for redelivery.
      this.options.logger.debug({ err, subject: msg.subject }, "event store closed; message left for redelivery");
      return;
    }
    const settled = committed.then(
      () => msg.ack(),
      (err: unknown) => this.onWriteError(msg, event, err),
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  private onWriteError(msg: JsMsg, event: Event, err: unknown): void {
    const error = ServiceError.from(err);
    if (error.code === CoreDataErrorCode.EventDuplicate) {
      // Stored before a crash or a lost ack: acknowledge without a second copy.
      this.options.redelivered.inc();
      msg.ack();
      return;
    }
    if (error.code === CoreDataErrorCode.StoreClosed) return;
    // Not a drop: the stream keeps the message and redelivers it, so a full disk costs time, not data.
    this.options.logger.warn({ subject: msg.subject, eventId: event.id, code: error.code }, `event not stored, redelivery in ${WRITE_RETRY_DELAY_MS} ms: ${error.message}`);
    msg.nak(WRITE_RETRY_DELAY_MS);
  }
}

const int = (minimum: number, def: number, description: string): Record<string, unknown> => ({ type: "integer", minimum, default: def, description });

/** JSON schema of `ingest.jetstream` ({@link JetStreamIngestConfig}). */
export const JETSTREAM_INGEST_SCHEMA = {
  type: "object",
  additionalProperties: false,
  description: "Durable ingest through a JetStream consumer (distributed mode): events published while core-data is down are stored when it returns.",
  properties: {
    enabled: { type: "boolean", default: false, description: "Read events through a durable JetStream consumer instead of a plain bus subscription (needs NATS with JetStream)." },
    stream: { type: "string", minLength: 1, pattern: "^[^.*>\\s]+$", default: DEFAULT_EVENTS_STREAM, description: "Stream created when no stream captures edgex.events.device.>; an existing one is used whatever its name." },
    durable: { type: "string", minLength: 1, pattern: "^[^.*>\\s]+$", default: DEFAULT_INGEST_DURABLE, description: "Durable consumer name; core-data instances sharing it share the events." },
    maxAgeMs: int(0, DEFAULT_STREAM_MAX_AGE_MS, "Age after which a stream created by core-data discards events, ms; 0 keeps them whatever their age."),
    maxBytes: int(0, DEFAULT_STREAM_MAX_BYTES, "Size at which a stream created by core-data discards its oldest events, bytes; 0 for no limit."),
    ackWaitMs: int(1000, DEFAULT_ACK_WAIT_MS, "Time the server waits for an acknowledgement before redelivering a message, ms."),
    maxAckPending: int(1, DEFAULT_MAX_ACK_PENDING, "Most messages delivered and not yet acknowledged."),
  },
} as const;

/** JSON schema of core-data's `bus` section ({@link NatsEndpoint}): env BRINK_BUS_URL and BRINK_BUS_TOKEN, as `brink run` reads them. */
export const NATS_ENDPOINT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  description: "The NATS server JetStream ingest connects to (the same BRINK_BUS_URL and BRINK_BUS_TOKEN `brink run` uses for the bus).",
  properties: {
    url: { type: "string", minLength: 1, default: "nats://127.0.0.1:4222", description: "Comma-separated NATS URLs." },
    token: { type: "string", default: "", description: "NATS token; empty for none." },
  },
} as const;
