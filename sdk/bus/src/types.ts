/**
 * The MessageBus contract shared by InProcessBus (embedded) and NatsBus (distributed).
 * Subjects use NATS syntax: `.` separates tokens, `*` matches one token, `>` matches one or more trailing tokens.
 */
import type { MessageEnvelope, Subject } from "@brink/contracts";

/** A message as a subscriber receives it. */
export interface BusMessage<T> {
  /** The concrete subject it was published on (never a wildcard). */
  readonly subject: string;
  readonly envelope: MessageEnvelope<T>;
}

/** Handler of published messages. A thrown error or rejected promise is logged; it never stops the subscription. */
export type MessageHandler<T> = (msg: BusMessage<T>) => void | Promise<void>;

/**
 * Handler of requests: its resolved value is the reply payload; a thrown ServiceError becomes an error envelope that
 * the requester rebuilds into the same ServiceError (kind and code survive the wire).
 */
export type RequestHandler<Req, Res> = (msg: BusMessage<Req>) => Res | Promise<Res>;

export interface SubscribeOptions {
  /** Queue group: each message goes to exactly one member of the group. */
  queue?: string;
}

export interface PublishOptions {
  correlationID?: string;
  requestID?: string;
  queryParams?: Record<string, string>;
}

export interface RequestOptions extends PublishOptions {
  /** @default 5000 */
  timeoutMs?: number;
}

/** A live subscription; `unsubscribe()` is idempotent. */
export interface Subscription {
  unsubscribe(): void;
  readonly subject: string;
}

/** Connection state changes, for logs and /metrics. */
export type BusStatus = "connected" | "disconnected" | "reconnecting" | "closed";

/**
 * The logger a bus writes to: the subset of pino's API it uses, so a pino `Logger` fits as is.
 * Calls are `logger.warn({ subject, err }, "message")`.
 */
export interface BusLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** Counters since the bus was created, for /metrics. */
export interface BusStats {
  /** Messages published (requests included), whether or not anyone received them. */
  readonly published: number;
  /** Handler invocations with a decoded message (each subscriber counts once per message). */
  readonly delivered: number;
  /** Received messages thrown away because they could not be decoded as an envelope. */
  readonly dropped: number;
  /** Handler invocations that threw or rejected (logged; the subscription goes on). */
  readonly handlerErrors: number;
}

/**
 * The message bus. Payloads are treated as immutable once published: InProcessBus hands the same object to every
 * subscriber without copying.
 */
export interface MessageBus {
  /** `inprocess` or `nats`. */
  readonly kind: "inprocess" | "nats";
  connect(): Promise<void>;
  /** Flushes what was published and closes. */
  close(): Promise<void>;
  /**
   * Publishes a payload in an EdgeX envelope. Never fails for a missing subscriber; rejects with a ServiceError for an
   * invalid subject (BUS_SUBJECT_INVALID), a closed bus (BUS_CLOSED) or a full outage buffer (BUS_BUFFER_FULL).
   */
  publish<T>(subject: Subject<T>, payload: T, options?: PublishOptions): Promise<void>;
  subscribe<T>(pattern: Subject<T>, handler: MessageHandler<T>, options?: SubscribeOptions): Subscription;
  /**
   * Answers requests on a subject (pattern allowed) with the handler's result. As in NATS, a plain publish on the
   * subject runs the handler too, and its result is dropped.
   */
  serve<Req, Res>(pattern: Subject<Req>, handler: RequestHandler<Req, Res>, options?: SubscribeOptions): Subscription;
  /**
   * Sends a request and resolves with the reply payload. Rejects with ServiceError kind `Timeout` (code TIMEOUT)
   * when no reply comes in time, kind `ServiceUnavailable` (code NO_RESPONDERS) when nobody serves the subject, and
   * the remote ServiceError when the handler failed. As in NATS, plain subscribers of the subject see the request too;
   * when only they match, the request times out.
   */
  request<Req, Res>(subject: Subject<Req>, payload: Req, options?: RequestOptions): Promise<Res>;
  /**
   * Resolves once everything published and subscribed so far has reached the broker (NATS: a PING/PONG round trip)
   * or, in process, has been handed to the handlers. Lets a service subscribe, flush, then announce it is ready.
   */
  flush(): Promise<void>;
  /** Current connection status. */
  status(): BusStatus;
  /** Registers a listener for status changes; returns a function that removes it. */
  onStatus(listener: (status: BusStatus) => void): () => void;
  /** Message counters since creation. */
  stats(): BusStats;
}
