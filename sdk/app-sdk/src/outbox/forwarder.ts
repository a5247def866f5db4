/**
 * Forwarder: drains one target's queue from the outbox to its ExportTarget, in order, at least once.
 *
 * It keeps up to `maxInFlight` messages sent and not yet acknowledged, in batches of `batchSize` (refilling as each
 * batch is acknowledged; the outbox is read a window at a time), and acknowledges in the outbox the longest fully
 * acknowledged prefix. When a batch fails, it waits for the other batches in flight
 * to settle, then starts again after the last acknowledged message: so after a failure at most `maxInFlight`
 * messages are sent twice (the target may have taken them before the failure), and none is skipped.
 * - RetryableExportError (or a send that does not settle in `sendTimeoutMs`): close the target, back off
 *   exponentially with jitter, reconnect.
 * - PermanentExportError: dead-letter the refused message with the error's message as the reason, and go on.
 * After each (re)connect the backlog is replayed at most at `replayRatePerSec` until the forwarder has caught up.
 */
import type { Counter } from "prom-client";
import { ServiceError } from "@brink/contracts";
import { PermanentExportError, RetryableExportError } from "../errors.js";
import type { OutboxMessage } from "../types.js";
import { counterOf, stderrLogger, type OutboxLogger } from "./observe.js";
import {
  DEFAULT_BATCH_SIZE, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_REPLAY_RATE_PER_SEC, DEFAULT_SEND_TIMEOUT_MS, type ForwarderOptions, type ForwarderState,
  type ForwarderStatus,
} from "./forwarder-options.js";
import { DEFAULT_BACKOFF_MAX_MS, TokenBucket, backoffDelayMs, systemClock, type ForwarderClock } from "./pacing.js";

interface InFlight {
  readonly batch: readonly OutboxMessage[];
  result?: { n: number } | { err: unknown };
}

type Labels = "target";

/** Drains one target; see the module comment. */
export class Forwarder {
  private readonly name: string;
  private readonly logger: OutboxLogger;
  private readonly clock: ForwarderClock;
  private readonly random: () => number;
  private readonly maxInFlight: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  /** Messages that may be in flight now: maxInFlight, or fewer while it grows back after a failure (see blame). */
  private window: number;
  /** The oldest unacknowledged message after a failure, and how many times in a row it failed alone. */
  private suspect: { readonly seq: number; failures: number } | undefined;
  private readonly bucket: TokenBucket | undefined;
  private state_: ForwarderState = "idle";
  private readonly inFlight: InFlight[] = [];
  private inFlightCount = 0;
  private lastSentSeq = 0;
  /** Messages read from the outbox ahead of sending (one query per window, sends in small batches). */
  private prefetched: OutboxMessage[] = [];
  private prefetchedUpTo = 0;
  private ackedSeq = 0;
  private failures = 0;
  private replaying = false;
  private failure: unknown;
  private counts = { sent: 0, acked: 0, retries: 0, deadLettered: 0 };
  private lastError: ForwarderStatus["lastError"];
  private lastAckAt: number | undefined;
  private nextAttemptAt: number | undefined;
  private timer: unknown;
  private paceTimer: unknown;
  private pollTimer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private kickQueued = false;
  private closing: Promise<void> = Promise.resolve();
  private settledWaiters: Array<() => void> = [];
  private readonly metrics: { sent: Counter<Labels>; acked: Counter<Labels>; retries: Counter<Labels>; deadLettered: Counter<Labels> } | undefined;

  constructor(private readonly options: ForwarderOptions) {
    this.name = options.target.name;
    this.logger = options.logger ?? stderrLogger;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.batchSize = Math.max(1, Math.min(this.maxInFlight, options.batchSize ?? options.target.batchSize ?? DEFAULT_BATCH_SIZE));
    this.maxAttempts = Math.max(0, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.window = this.maxInFlight;
    const rate = options.replayRatePerSec ?? DEFAULT_REPLAY_RATE_PER_SEC;
    this.bucket = rate > 0 ? new TokenBucket(rate, Math.max(this.batchSize, Math.ceil(rate / 10)), this.clock.now()) : undefined;
    const r = options.registry;
    this.metrics = r === undefined ? undefined : {
      sent: counterOf(r, "brink_export_sent_total", "Messages handed to an export target, re-sends included.", ["target"]),
      acked: counterOf(r, "brink_export_acked_total", "Messages an export target acknowledged.", ["target"]),
      retries: counterOf(r, "brink_export_retries_total", "Failed connects and sends of an export target that led to a back-off.", ["target"]),
      deadLettered: counterOf(r, "brink_export_dead_lettered_total", "Messages an export target refused for good.", ["target"]),
    };
  }

  /** The target's name. */
  get target(): string {
    return this.name;
  }

  /** Starts connecting and draining; resolves at once (an unreachable target is retried in the background). */
  start(): void {
    if (this.state_ !== "idle") return;
    this.unwatch = this.options.outbox.watch?.(this.name, () => this.kick());
    this.pollTimer = setInterval(() => this.kick(), this.options.idlePollMs ?? 1000);
    this.pollTimer.unref();
    void this.connect();
  }

  /**
   * Stops sending, waits up to `stopTimeoutMs` for the messages in flight (acknowledging those the target confirms),
   * and closes the target. Unacknowledged messages stay in the outbox.
   */
  async stop(): Promise<void> {
    if (this.state_ === "stopped") return;
    this.state_ = "stopped";
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.paceTimer);
    clearInterval(this.pollTimer);
    this.unwatch?.();
    if (this.inFlight.length > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.options.stopTimeoutMs ?? 5000);
        this.settledWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await this.closeTarget();
  }

  /** Counters and state of this forwarder. */
  status(): ForwarderStatus {
    return {
      target: this.name,
      state: this.state_,
      connected: this.state_ === "connected",
      depth: this.options.outbox.stats(this.name).depth,
      inFlight: this.inFlightCount,
      ...this.counts,
      replaying: this.replaying,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.lastAckAt === undefined ? {} : { lastAckAt: this.lastAckAt }),
      ...(this.state_ === "backoff" && this.nextAttemptAt !== undefined ? { nextAttemptAt: this.nextAttemptAt } : {}),
    };
  }

  /** Looks for new messages now (the outbox calls this after commits for this target). */
  kick(): void {
    if (this.kickQueued || this.state_ !== "connected") return;
    this.kickQueued = true;
    queueMicrotask(() => {
      this.kickQueued = false;
      this.pump();
    });
  }

  private async connect(): Promise<void> {
    if (this.state_ === "stopped") return;
    this.state_ = "connecting";
    await this.closing;
    try {
      await this.options.target.connect();
    } catch (err) {
      if ((this.state_ as ForwarderState) === "stopped") return;
      this.backoff(err);
      return;
    }
    if ((this.state_ as ForwarderState) === "stopped") {
      await this.closeTarget();
      return;
    }
    this.state_ = "connected";
    this.restartFrom(this.ackedSeq);
    this.replaying = true;
    this.bucket?.reset(this.clock.now());
    this.logger.info({ target: this.name }, "export: connected");
    this.pump();
  }

  private pump(): void {
    while (this.state_ === "connected" && this.inFlightCount < this.window) {
      let want = Math.min(this.batchSize, this.window - this.inFlightCount);
      if (this.replaying && this.bucket !== undefined) {
        const now = this.clock.now();
        const allowed = this.bucket.take(want, now);
        if (allowed === 0) {
          this.schedulePace(this.bucket.waitFor(Math.min(want, this.batchSize), now));
          return;
        }
        want = allowed;
      }
      const batch = this.take(want);
      if (batch.length === 0) return;
      this.lastSentSeq = batch[batch.length - 1]!.seq;
      this.dispatch(batch);
    }
  }

  /** Up to `want` messages after the last one sent, reading the outbox a window at a time. */
  private take(want: number): OutboxMessage[] {
    if (this.prefetched.length === 0) {
      const read = Math.max(want, this.maxInFlight);
      this.prefetched = this.options.outbox.peek(this.name, read, this.prefetchedUpTo);
      if (this.prefetched.length < read) this.replaying = false;
      if (this.prefetched.length > 0) this.prefetchedUpTo = this.prefetched[this.prefetched.length - 1]!.seq;
    }
    return this.prefetched.length <= want ? this.prefetched.splice(0) : this.prefetched.splice(0, want);
  }

  /** Forgets what was read ahead: the next send starts after `seq`. */
  private restartFrom(seq: number): void {
    this.lastSentSeq = seq;
    this.prefetched = [];
    this.prefetchedUpTo = seq;
  }

  private schedulePace(ms: number): void {
    this.clock.clearTimeout(this.paceTimer);
    this.paceTimer = this.clock.setTimeout(() => this.pump(), Math.max(1, ms));
  }

  private dispatch(batch: readonly OutboxMessage[]): void {
    const entry: InFlight = { batch };
    this.inFlight.push(entry);
    this.inFlightCount += batch.length;
    this.counts.sent += batch.length;
    this.metrics?.sent.inc({ target: this.name }, batch.length);
    let timer: unknown;
    const timeoutMs = this.options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(new RetryableExportError(`no acknowledgement from target "${this.name}" within ${timeoutMs} ms`)), timeoutMs);
    });
    let sending: Promise<number>;
    try {
      sending = this.options.target.send(batch);
    } catch (err) {
      sending = Promise.reject(err);
    }
    Promise.race([sending, timeout]).then(
      (n) => (entry.result = { n: Math.max(0, Math.min(batch.length, Math.floor(n))) }),
      (err: unknown) => (entry.result = { err }),
    ).finally(() => {
      this.clock.clearTimeout(timer);
      this.settle();
    });
  }

  /** Takes settled batches from the head, in order. */
  private settle(): void {
    let ackTo = this.ackedSeq;
    while (this.inFlight.length > 0 && this.inFlight[0]!.result !== undefined) {
      const head = this.inFlight[0]!;
      const result = head.result!;
      if (this.failure !== undefined) {
        // After a failure, later batches are re-sent from the last acknowledged message: their results don't count.
        this.drop(head);
        continue;
      }
      const n = "n" in result ? result.n : result.err instanceof RetryableExportError || result.err instanceof PermanentExportError ? Math.min(result.err.acked, head.batch.length) : 0;
      if (n > 0) {
        ackTo = head.batch[n - 1]!.seq;
        this.counts.acked += n;
        this.metrics?.acked.inc({ target: this.name }, n);
      }
      this.drop(head);
      if ("n" in result && n === head.batch.length) {
        this.window = Math.min(this.maxInFlight, this.window * 2);
        continue;
      }
      if ("err" in result && result.err instanceof PermanentExportError && result.err.restAcked) {
        // Every outcome is known: dead-letter the refused ones, the batch is done, nothing is sent again.
        const refused = new Set(result.err.refused);
        const reason = result.err.message;
        for (const i of refused) if (head.batch[i] !== undefined) this.options.outbox.deadLetter(this.name, head.batch[i]!.seq, reasonOf(result.err, i, reason));
        const ok = head.batch.length - refused.size - n;
        this.counts.acked += ok;
        this.counts.deadLettered += refused.size;
        this.metrics?.acked.inc({ target: this.name }, ok);
        this.metrics?.deadLettered.inc({ target: this.name }, refused.size);
        this.recordError(result.err);
        ackTo = head.batch[head.batch.length - 1]!.seq;
        continue;
      }
      if ("err" in result && result.err instanceof PermanentExportError) {
        const refused = head.batch[n]!;
        this.deadLetterOne(refused.seq, result.err.message);
        this.recordError(result.err);
        ackTo = Math.max(ackTo, refused.seq);
        this.failure = "permanent";
      } else if ("err" in result) {
        this.failure = result.err;
        const oldest = head.batch[n]!;
        this.options.outbox.countAttempt?.(this.name, oldest.seq, this.lastSentSeq);
        if (this.blame(oldest.seq)) {
          this.deadLetterOne(oldest.seq, `not acknowledged in ${this.maxAttempts} deliveries, the last one ended by: ${ServiceError.from(result.err).message}`);
          this.logger.warn({ target: this.name, seq: oldest.seq, attempts: this.maxAttempts }, "export: message dead-lettered after repeated failed deliveries");
          ackTo = Math.max(ackTo, oldest.seq);
        }
        if (this.state_ === "connected") {
          // Closing the target fails the other sends in flight at once instead of after their timeouts.
          this.state_ = "recovering";
          void this.closeTarget();
        }
      } else if (n > 0) {
        this.failure = "partial";
      } else {
        // Nothing acknowledged and no error: treat as a failure, or a target that keeps answering 0 would spin.
        this.failure = new RetryableExportError(`target "${this.name}" acknowledged none of ${head.batch.length} messages`);
        if (this.state_ === "connected") this.state_ = "recovering";
      }
    }
    if (ackTo > this.ackedSeq) {
      this.ackedSeq = ackTo;
      this.options.outbox.ack(this.name, ackTo);
      this.lastAckAt = this.clock.now();
      if (this.failure === undefined || this.failure === "permanent" || this.failure === "partial") this.failures = 0;
    }
    if (this.inFlight.length > 0) {
      // Keep the window full as acknowledgements come in (waiting for every batch would stall the connection for a
      // delayed TCP ACK each round); after a failure, wait for all batches before starting again.
      if (this.failure === undefined && this.state_ === "connected") this.pump();
      return;
    }
    for (const w of this.settledWaiters.splice(0)) w();
    const failure = this.failure;
    this.failure = undefined;
    if (this.state_ === "recovering") {
      this.backoff(failure);
      return;
    }
    if (this.state_ !== "connected") return;
    if (failure !== undefined) this.restartFrom(this.ackedSeq);
    this.pump();
  }

  /**
   * A delivery failed with `seq` the oldest message not acknowledged; true when that makes it a poison message.
   * A lost connection fails everything in flight, and its last acknowledgements may be lost with it, so a failure
   * blames the oldest message only when it was sent alone: after a failure the window drops to one message, and
   * doubles with every batch acknowledged after that (see {@link pump}). The message is poison once it failed
   * `maxAttempts` times alone in a row.
   */
  private blame(seq: number): boolean {
    const alone = this.window === 1;
    this.window = 1;
    if (this.maxAttempts === 0) return false;
    if (alone && this.suspect?.seq === seq) this.suspect.failures += 1;
    else this.suspect = { seq, failures: alone ? 1 : 0 };
    if (this.suspect.failures < this.maxAttempts) return false;
    this.suspect = undefined;
    return true;
  }

  /** Moves one message to the dead letters, and counts it. */
  private deadLetterOne(seq: number, reason: string): void {
    this.options.outbox.deadLetter(this.name, seq, reason);
    this.counts.deadLettered += 1;
    this.metrics?.deadLettered.inc({ target: this.name });
  }

  private drop(entry: InFlight): void {
    this.inFlight.shift();
    this.inFlightCount -= entry.batch.length;
  }

  private recordError(err: unknown): void {
    const e = ServiceError.from(err);
    this.lastError = { code: e.code, message: e.message, at: this.clock.now() };
  }

  private backoff(err: unknown): void {
    if (this.state_ === "stopped") return;
    this.failures += 1;
    this.counts.retries += 1;
    this.metrics?.retries.inc({ target: this.name });
    this.recordError(err);
    this.state_ = "backoff";
    this.replaying = false;
    let delay = backoffDelayMs(this.failures, this.options.backoff ?? {}, this.random);
    // A Retry-After is honoured up to the longest back-off, so a far-off date cannot park the target for days.
    const maxMs = this.options.backoff?.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    if (err instanceof RetryableExportError && err.retryAfterMs !== undefined) delay = Math.max(delay, Math.min(err.retryAfterMs, maxMs));
    this.nextAttemptAt = this.clock.now() + delay;
    const known = err instanceof RetryableExportError;
    (known ? this.logger.warn : this.logger.error).call(this.logger, { target: this.name, err: this.lastError?.message, failures: this.failures, retryInMs: delay }, "export: target failed, backing off");
    void this.closeTarget();
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => void this.connect(), delay);
  }

  private closeTarget(): Promise<void> {
    this.closing = (async () => {
      try {
        await this.options.target.close();
      } catch (err) {
        this.logger.warn({ target: this.name, err: err instanceof Error ? err.message : String(err) }, "export: closing the target failed");
      }
    })();
    return this.closing;
  }
}

/** The dead-letter reason of message `i` of a refused batch: its own when the target gave one per message. */
function reasonOf(err: PermanentExportError, i: number, fallback: string): string {
  const reasons = err.details?.reasons;
  if (reasons !== null && typeof reasons === "object" && typeof (reasons as Record<string, unknown>)[i] === "string") return (reasons as Record<string, string>)[i]!;
  return fallback;
}
