/**
 * Options, states and status of {@link Forwarder}.
 */
import type { Registry } from "prom-client";
import type { ExportTarget, Outbox } from "../types.js";
import type { OutboxLogger } from "./observe.js";
import type { BackoffOptions, ForwarderClock } from "./pacing.js";

/** Default most messages in flight per target. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Default messages per `send()` call. */
export const DEFAULT_BATCH_SIZE = 16;
/** Default replay pace, messages/s (must exceed the live rate, or the backlog never drains). */
export const DEFAULT_REPLAY_RATE_PER_SEC = 10_000;
/** Default time a send may take before it counts as failed, ms. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** Default failed deliveries after which the oldest unacknowledged message is dead-lettered as a poison message. */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** Options of {@link Forwarder}. */
export interface ForwarderOptions {
  outbox: Outbox;
  target: ExportTarget;
  /** @default warnings and errors on stderr */
  logger?: OutboxLogger;
  /** Registers `brink_export_{sent,acked,retries,dead_lettered}_total{target}`. */
  registry?: Registry;
  /** Most messages sent and not yet acknowledged. @default {@link DEFAULT_MAX_IN_FLIGHT} */
  maxInFlight?: number;
  /** Most messages per `send()` call. @default the target's `batchSize`, else {@link DEFAULT_BATCH_SIZE} */
  batchSize?: number;
  /** Replay pace after a (re)connect, messages/s; 0 for no pacing. @default {@link DEFAULT_REPLAY_RATE_PER_SEC} */
  replayRatePerSec?: number;
  backoff?: BackoffOptions;
  /** @default {@link DEFAULT_SEND_TIMEOUT_MS} */
  sendTimeoutMs?: number;
  /**
   * Poison messages: a message that failed this many deliveries in a row, each time sent alone as the oldest
   * unacknowledged message (after a failure the forwarder sends one message, then doubles the window with each
   * acknowledged batch), is dead-lettered, so one message a broker cannot take and answers by dropping the
   * connection does not hold back every message after it. Failed connects do not count: an outage dead-letters
   * nothing. 0: never.
   * @default {@link DEFAULT_MAX_ATTEMPTS}
   */
  maxAttempts?: number;
  /** Look for messages this often even without a notice from the outbox, ms. @default 1000 */
  idlePollMs?: number;
  /** How long `stop()` waits for messages in flight, ms. @default 5000 */
  stopTimeoutMs?: number;
  /** @default the process's timers */
  clock?: ForwarderClock;
  /** Random numbers in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
}

/** Forwarder states. */
export type ForwarderState = "idle" | "connecting" | "connected" | "recovering" | "backoff" | "stopped";

/** What {@link Forwarder.status} reports. */
export interface ForwarderStatus {
  readonly target: string;
  readonly state: ForwarderState;
  readonly connected: boolean;
  /** Messages waiting in the outbox (in flight included). */
  readonly depth: number;
  readonly inFlight: number;
  /** Messages handed to the target (re-sends included). */
  readonly sent: number;
  /** Messages the target acknowledged. */
  readonly acked: number;
  /** Failed attempts (connects and sends) that led to a back-off. */
  readonly retries: number;
  readonly deadLettered: number;
  /** True while a backlog is replayed at the paced rate. */
  readonly replaying: boolean;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number };
  /** When the target last acknowledged something, ms since the epoch. */
  readonly lastAckAt?: number;
  /** When the next connect attempt is due, during back-off. */
  readonly nextAttemptAt?: number;
}
