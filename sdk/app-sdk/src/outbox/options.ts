/**
 * Options and statistics of {@link SqliteOutbox}.
 */
import type { Registry } from "prom-client";
import type { OutboxLimits } from "../types.js";
import type { DropReason } from "./limits.js";
import type { OutboxLogger } from "./observe.js";
import type { OutboxSynchronous } from "./schema.js";

/** How often expired messages are looked for, ms. @default 60000 */
export const DEFAULT_EXPIRY_INTERVAL_MS = 60_000;
/** Most dead letters kept per target; the oldest go first beyond it (counted). @default 10000 */
export const DEFAULT_MAX_DEAD_LETTERS = 10_000;

/** Options of {@link SqliteOutbox}. */
export interface SqliteOutboxOptions {
  /** Data directory; the database is `<dataDir>/app-service/outbox.db`. */
  dataDir: string;
  /** Database file, overriding the one under `dataDir`. */
  file?: string;
  /** Limits of targets not named in `limits`. @default {@link DEFAULT_OUTBOX_LIMITS} */
  defaultLimits?: Partial<OutboxLimits>;
  /** Limits per target name. */
  limits?: Readonly<Record<string, Partial<OutboxLimits>>>;
  /** @default warnings and errors on stderr */
  logger?: OutboxLogger;
  /** Registers `brink_outbox_dropped_total{target,reason}` and depth/bytes/dead-letter gauges. */
  registry?: Registry;
  /** @default "NORMAL" (durable against process crash; "FULL" also against power loss, slower) */
  synchronous?: OutboxSynchronous;
  /** @default {@link DEFAULT_EXPIRY_INTERVAL_MS} */
  expiryIntervalMs?: number;
  /** @default {@link DEFAULT_MAX_DEAD_LETTERS} */
  maxDeadLetters?: number;
  /** Wall clock, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** What {@link SqliteOutbox.stats} reports. */
export interface OutboxStats {
  /** Messages waiting. */
  depth: number;
  /** Bytes waiting (payload and meta). */
  bytes: number;
  /** Messages dropped since start, all reasons. */
  dropped: number;
  /** Dead letters stored now. */
  deadLettered: number;
  /** Messages dropped since start, by reason. */
  droppedByReason: Partial<Record<DropReason, number>>;
}
