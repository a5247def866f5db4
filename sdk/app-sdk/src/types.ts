/**
 * The app-sdk contract: pipeline functions that clean, transform and export data, and the durable outbox that
 * exports write to. A pipeline is an ordered list of functions; each takes the data the previous one returned.
 */
import type { Event } from "@brink/contracts";
import type { Logger } from "pino";

/**
 * What flows between functions. It starts as an EdgeX Event (bus trigger or HTTP trigger); transforms may turn it
 * into records, text or bytes; batch turns items into arrays.
 */
export type PipelineData = Event | readonly Event[] | Record<string, unknown> | readonly unknown[] | string | Uint8Array;

/** Per-execution context handed to every function. */
export interface PipelineContext {
  /** The pipeline's name. */
  readonly pipeline: string;
  /** Correlation id of the triggering message or request. */
  readonly correlationId: string;
  /** Subject the trigger received on, or `http` for the HTTP trigger. */
  readonly trigger: string;
  readonly logger: Logger;
  /** Tags to add to what is exported (set by AddTags, read by exports and transforms). */
  readonly tags: Record<string, string>;
  /** Content type of string/bytes data, set by transforms (`application/json`, `application/x-protobuf`, ...). */
  contentType?: string;
  /** Content encoding set by compress (`gzip`). */
  contentEncoding?: string;
  /**
   * Per-message destination topic (MQTT, `/` separated) set by transforms that address each message themselves, such
   * as SparkplugB (`spBv1.0/<group>/DDATA/<node>/<device>`). When set, exports use it instead of their configured
   * topic.
   */
  topic?: string;
}

/**
 * One pipeline step. `process` returns the data for the next step, or `undefined` to stop this execution (a filter
 * that drops everything, a window that has not closed yet). Stateful functions (deadband, windows, batch) keep
 * their state per pipeline instance and may emit later through `emit` given to `start`.
 */
export interface PipelineFunction {
  /** Function name as written in pipeline YAML (`FilterByDeviceName`, `MqttExport`, ...). */
  readonly name: string;
  /**
   * True for functions that hold data and emit it later (windows, batches): their `undefined` results are counted
   * as held rather than filtered.
   */
  readonly holds?: boolean;
  process(ctx: PipelineContext, data: PipelineData): PipelineData | undefined | Promise<PipelineData | undefined>;
  /** For functions that emit on timers (time windows, time-based batch): called once when the pipeline starts. */
  start?(emit: (ctx: PipelineContext, data: PipelineData) => Promise<void>): void | Promise<void>;
  /** Flushes timers and releases resources. */
  stop?(): void | Promise<void>;
}

/**
 * Builds a function from its YAML parameters. Must validate parameters fully and throw a ValidationError listing
 * every problem (path relative to the function's params) — never fail later at run time for a bad parameter.
 */
export type FunctionFactory = (params: Readonly<Record<string, unknown>>, env: FunctionEnvironment) => PipelineFunction;

/** What factories get besides their parameters. */
export interface FunctionEnvironment {
  readonly logger: Logger;
  /** Root for persistent files (outbox database). */
  readonly dataDir: string;
  /** Secrets by name (from files or env, never from pipeline YAML). Throws ServiceError SECRET_NOT_FOUND if absent. */
  secret(name: string): string;
  /** The shared outbox that export functions enqueue into. */
  readonly outbox: Outbox;
  /** Looks up a device profile (for range checks against min/max); undefined when unknown. */
  profileResource?(profileName: string, resourceName: string): { minimum?: number; maximum?: number } | undefined;
}

/** One stored message waiting for delivery to a target. */
export interface OutboxMessage {
  readonly seq: number;
  readonly target: string;
  readonly payload: Uint8Array;
  /** Per-message delivery metadata (topic, headers, content type...). */
  readonly meta: Readonly<Record<string, string>>;
  readonly enqueuedAt: number;
  readonly attempts: number;
}

/** Drop policy when the outbox is full. */
export type DropPolicy = "drop-oldest" | "reject-new";

/** Limits of one target's queue. */
export interface OutboxLimits {
  /** @default 256 MiB */
  maxBytes: number;
  /** Messages older than this are dropped (counted). @default 7 days */
  maxAgeMs: number;
  /** @default "drop-oldest" */
  dropPolicy: DropPolicy;
}

/**
 * Durable store-and-forward queue in embedded SQLite. Messages are deleted only after the target acknowledged them;
 * delivery is at-least-once and in order per target.
 */
export interface Outbox {
  /** Durably appends; resolves once committed. Rejects with OUTBOX_FULL under "reject-new" when full. */
  enqueue(target: string, payload: Uint8Array, meta: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Oldest undelivered messages of a target, in order; with `afterSeq`, only those after that seq (the forwarder
   * reads past the messages it has in flight).
   */
  peek(target: string, max: number, afterSeq?: number): OutboxMessage[];
  /** Deletes delivered messages up to and including `seq` for the target. */
  ack(target: string, seq: number): void;
  /** Moves a message that the target refused for good to the dead-letter table with the reason. */
  deadLetter(target: string, seq: number, reason: string): void;
  /** Depth and bytes per target, drops so far. */
  stats(target?: string): { depth: number; bytes: number; dropped: number; deadLettered: number };
  /** Calls `listener` after each commit that added messages for `target`; returns the unsubscribe function. */
  watch?(target: string, listener: () => void): () => void;
  /** Sets a target's limits (the rest keep their current values). */
  setLimits?(target: string, limits: Partial<OutboxLimits>): void;
  /** Adds one to `attempts` of the target's queued messages with seq in `[fromSeq, toSeq]` (a failed delivery). */
  countAttempt?(target: string, fromSeq: number, toSeq: number): void;
}

/** A delivery target (MQTT broker, HTTP endpoint, NATS server) drained from the outbox by a Forwarder. */
export interface ExportTarget {
  readonly name: string;
  /** Messages per `send()` this target works best with; a forwarder uses it unless told otherwise. */
  readonly batchSize?: number;
  connect(): Promise<void>;
  /**
   * Sends messages in order; resolves with how many leading messages were acknowledged by the target. Throws
   * RetryableExportError (network, 5xx, broker down) or PermanentExportError (4xx and the like: dead-letter).
   */
  send(messages: readonly OutboxMessage[]): Promise<number>;
  close(): Promise<void>;
}
