/**
 * SqliteOutbox: the durable store-and-forward queue of the app-service, in `<dataDir>/app-service/outbox.db`
 * (better-sqlite3, WAL).
 *
 * Group commit: {@link SqliteOutbox.enqueue} only queues; everything queued in one turn of the event loop is written in
 * one transaction on the next `setImmediate`, and each enqueue's promise resolves after that commit. With WAL and
 * `synchronous=NORMAL` a commit is in the OS page cache when it returns, so it survives `kill -9` of the process (not
 * a power loss: use `synchronous: "FULL"` for that). Acks are applied lazily the same way: `ack()` moves a watermark in
 * memory and the rows are deleted with the next commit, at most 20 ms later (a crash before it re-sends them: at-least-once).
 */
import type Database from "better-sqlite3";
import type { Counter } from "prom-client";
import { ErrorKind } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import type { Outbox, OutboxLimits, OutboxMessage } from "../types.js";
import { DeadLetters, type DeadLetter, type DeadLetterPage } from "./dead-letters.js";
import { DEFAULT_OUTBOX_LIMITS, DropReason, mergeLimits } from "./limits.js";
import { counterOf, gaugeOf, stderrLogger, type OutboxLogger } from "./observe.js";
import { deleteOlderThan, evictOldest, prepareQueue, toMessage, type QueueStatements } from "./queue.js";
import { DEFAULT_EXPIRY_INTERVAL_MS, DEFAULT_MAX_DEAD_LETTERS, type OutboxStats, type SqliteOutboxOptions } from "./options.js";
import { openOutboxDatabase, outboxFile } from "./schema.js";

/** Longest wait before acknowledged rows are deleted when no enqueue commits first, ms. */
const ACK_COMMIT_DELAY_MS = 20;
interface Pending {
  target: string;
  payload: Buffer;
  meta: string;
  size: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TargetState {
  depth: number;
  bytes: number;
  acked: number;
  dropped: Map<DropReason, number>;
  limits: OutboxLimits | undefined;
  watchers: Set<() => void>;
}

/** Durable per-target queues in SQLite; see the module comment for the commit model. */
export class SqliteOutbox implements Outbox {
  /** The database file. */
  readonly file: string;
  private readonly logger: OutboxLogger;
  private readonly now: () => number;
  private readonly defaults: OutboxLimits;
  private readonly targets = new Map<string, TargetState>();
  private db: Database.Database | undefined;
  private stmts: QueueStatements | undefined;
  private deadLetters: DeadLetters | undefined;
  private pending: Pending[] = [];
  private flushScheduled = false;
  private acksDirty = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private droppedCounter: Counter<"target" | "reason"> | undefined;

  constructor(private readonly options: SqliteOutboxOptions) {
    this.file = options.file ?? outboxFile(options.dataDir);
    this.logger = options.logger ?? stderrLogger;
    this.now = options.now ?? Date.now;
    this.defaults = mergeLimits(DEFAULT_OUTBOX_LIMITS, options.defaultLimits ?? {}, "outbox default limits");
    for (const [target, limits] of Object.entries(options.limits ?? {})) this.setLimits(target, limits);
  }

  /** Opens the database, loads each target's depth and bytes, and starts the expiry timer. */
  start(): void {
    if (this.db !== undefined) return;
    const db = openOutboxDatabase(this.file, this.options.synchronous ?? "NORMAL");
    this.db = db;
    this.stmts = prepareQueue(db);
    this.deadLetters = new DeadLetters(db, this.options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS, this.now);
    for (const s of this.targets.values()) s.depth = s.bytes = s.acked = 0;
    for (const row of db.prepare<[], { target: string; depth: number; bytes: number }>("SELECT target, count(*) AS depth, total(size) AS bytes FROM messages GROUP BY target").all()) {
      const s = this.state(row.target);
      s.depth = row.depth;
      s.bytes = row.bytes;
    }
    const registry = this.options.registry;
    if (registry !== undefined) {
      this.droppedCounter = counterOf(registry, "brink_outbox_dropped_total", "Messages that left the outbox undelivered, by target and reason (full, rejected, too-large, expired, dead-letter-overflow).", ["target", "reason"]);
      gaugeOf(registry, "brink_outbox_depth", "Messages waiting in the outbox, by target.", ["target"], () => this.perTarget((s) => s.depth));
      gaugeOf(registry, "brink_outbox_bytes", "Bytes waiting in the outbox, by target.", ["target"], () => this.perTarget((s) => s.bytes));
      gaugeOf(registry, "brink_outbox_dead_letters", "Dead letters stored, by target.", ["target"], () => this.deadLetterCounts());
    }
    const every = this.options.expiryIntervalMs ?? DEFAULT_EXPIRY_INTERVAL_MS;
    this.expiryTimer = setInterval(() => this.expireAll(), every);
    this.expiryTimer.unref();
  }

  /** Commits what is queued, applies acks, and closes the database. Later calls fail with OUTBOX_CLOSED. */
  stop(): void {
    if (this.db === undefined) return;
    clearInterval(this.expiryTimer);
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.commit();
    this.db.close();
    this.db = undefined;
    this.stmts = undefined;
    this.deadLetters = undefined;
  }

  /**
   * Appends a message; resolves once it is committed. Rejects with OUTBOX_FULL when the target is full under
   * reject-new, OUTBOX_MESSAGE_TOO_LARGE when it exceeds the target's whole maxBytes, OUTBOX_CLOSED when stopped,
   * OUTBOX_WRITE_FAILED when the database cannot be written. Under drop-oldest the oldest messages make room.
   */
  enqueue(target: string, payload: Uint8Array, meta: Readonly<Record<string, string>>): Promise<void> {
    if (this.db === undefined) return Promise.reject(closedError());
    const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const metaText = JSON.stringify(meta);
    const size = buf.byteLength + Buffer.byteLength(metaText);
    const limits = this.limitsOf(target);
    if (size > limits.maxBytes) {
      this.countDrop(target, DropReason.TooLarge, 1);
      return Promise.reject(new AppSdkError(ErrorKind.LimitExceeded, AppSdkErrorCode.OutboxMessageTooLarge, `message of ${size} bytes exceeds the outbox limit of target "${target}" (${limits.maxBytes} bytes)`, {
        details: { target, size, maxBytes: limits.maxBytes },
      }));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ target, payload: buf, meta: metaText, size, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Oldest undelivered messages of `target` after `afterSeq`, in order; expired ones are dropped first. */
  peek(target: string, max: number, afterSeq = 0): OutboxMessage[] {
    const stmts = this.open();
    const s = this.targets.get(target);
    if (s === undefined || s.depth === 0 || max <= 0) return [];
    const from = Math.max(afterSeq, s.acked);
    let rows = stmts.peek.all(target, from, max);
    const limits = this.limitsOf(target);
    const first = rows[0];
    if (first !== undefined && first.enqueuedAt < this.now() - limits.maxAgeMs && this.expire(target) > 0) rows = stmts.peek.all(target, from, max);
    return rows.map(toMessage);
  }

  /** Marks messages of `target` up to and including `seq` delivered; they are deleted with the next commit. */
  ack(target: string, seq: number): void {
    const s = this.state(target);
    if (seq <= s.acked) return;
    s.acked = seq;
    this.acksDirty = true;
    // Deleting acknowledged rows can wait a little: many acks share one transaction (peek skips them meanwhile).
    if (!this.flushScheduled && this.ackTimer === undefined) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        this.commit();
      }, ACK_COMMIT_DELAY_MS);
      this.ackTimer.unref();
    }
  }

  /** Moves the message to the dead letters with `reason` (no-op when it is not queued any more). */
  deadLetter(target: string, seq: number, reason: string): void {
    this.open();
    const moved = this.deadLetters!.add(target, seq, reason);
    if (moved === undefined) return;
    const s = this.state(target);
    s.depth -= 1;
    s.bytes -= moved.size;
    this.logger.warn({ target, seq, reason }, "outbox: message dead-lettered");
    if (moved.overflow > 0) this.countDrop(target, DropReason.DeadLetterOverflow, moved.overflow);
  }

  /** Dead letters, oldest first, of one target or all. */
  listDeadLetters(target?: string, page: { offset?: number; limit?: number } = {}): DeadLetterPage {
    this.open();
    return this.deadLetters!.list(target, page.offset ?? 0, page.limit ?? 100);
  }

  /**
   * Puts a dead letter back at the end of its target's queue (a new seq, its attempts kept) and returns the new seq.
   * Throws DEAD_LETTER_NOT_FOUND when no dead letter has that id.
   */
  retryDeadLetter(id: number): number {
    this.open();
    const back = this.deadLetters!.retry(id, this.now());
    if (back === undefined) throw deadLetterNotFound(id);
    const s = this.state(back.target);
    s.depth += 1;
    s.bytes += back.size;
    this.notify(back.target);
    return back.seq;
  }

  /** Deletes a dead letter for good. Throws DEAD_LETTER_NOT_FOUND when no dead letter has that id. */
  deleteDeadLetter(id: number): void {
    this.open();
    if (!this.deadLetters!.delete(id)) throw deadLetterNotFound(id);
  }

  /** One dead letter, or undefined. */
  getDeadLetter(id: number): DeadLetter | undefined {
    this.open();
    return this.deadLetters!.get(id);
  }

  /** Depth, bytes, drops and dead letters of one target, or summed over all. */
  stats(target?: string): OutboxStats {
    this.applyAcks();
    const states = target === undefined ? [...this.targets.values()] : [this.targets.get(target)].filter((s) => s !== undefined);
    const out: OutboxStats = { depth: 0, bytes: 0, dropped: 0, deadLettered: 0, droppedByReason: {} };
    for (const s of states) {
      out.depth += s.depth;
      out.bytes += s.bytes;
      for (const [reason, n] of s.dropped) {
        out.dropped += n;
        out.droppedByReason[reason] = (out.droppedByReason[reason] ?? 0) + n;
      }
    }
    if (this.deadLetters !== undefined) out.deadLettered = this.deadLetters.count(target);
    return out;
  }

  /** Names of the targets with queued messages, dead letters or limits (stored messages of removed exports show here). */
  targetNames(): string[] {
    const names = new Set([...this.targets.keys()].filter((t) => this.targets.get(t)!.depth > 0 || this.targets.get(t)!.limits !== undefined));
    for (const t of this.deadLetters?.targets() ?? []) names.add(t);
    return [...names].sort();
  }

  /** Calls `listener` after each commit that added messages for `target`. */
  watch(target: string, listener: () => void): () => void {
    const s = this.state(target);
    s.watchers.add(listener);
    return () => void s.watchers.delete(listener);
  }

  /** Sets a target's limits; throws ValidationError CONFIG_INVALID for a bad value. */
  setLimits(target: string, limits: Partial<OutboxLimits>): void {
    const s = this.state(target);
    s.limits = mergeLimits(s.limits ?? this.defaults, limits, `outbox limits of target "${target}"`);
  }

  /** The limits in force for a target. */
  limitsOf(target: string): OutboxLimits {
    return this.targets.get(target)?.limits ?? this.defaults;
  }

  /** Adds one to `attempts` of the target's queued messages with seq in `[fromSeq, toSeq]`. */
  countAttempt(target: string, fromSeq: number, toSeq: number): void {
    this.open().countAttempt.run(target, fromSeq, toSeq);
  }

  /** Drops every target's messages older than its maxAgeMs now; returns how many went. */
  expireAll(): number {
    if (this.db === undefined) return 0;
    let n = 0;
    for (const target of [...this.targets.keys()]) n += this.expire(target);
    return n;
  }

  /** Commits queued enqueues and acks now (normally done on the next setImmediate). */
  flush(): void {
    this.commit();
  }

  private expire(target: string): number {
    const stmts = this.open();
    const s = this.state(target);
    const maxAge = this.limitsOf(target).maxAgeMs;
    if (s.depth === 0 || !Number.isFinite(maxAge)) return 0;
    this.applyAcks();
    const removed = deleteOlderThan(stmts, target, this.now() - maxAge);
    s.depth -= removed.count;
    s.bytes -= removed.bytes;
    const dropped = removed.count;
    if (dropped > 0) this.countDrop(target, DropReason.Expired, dropped);
    return dropped;
  }

  private open(): QueueStatements {
    if (this.stmts === undefined) throw closedError();
    return this.stmts;
  }

  private state(target: string): TargetState {
    let s = this.targets.get(target);
    if (s === undefined) {
      s = { depth: 0, bytes: 0, acked: 0, dropped: new Map(), limits: undefined, watchers: new Set() };
      this.targets.set(target, s);
    }
    return s;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.commit();
    });
  }

  private applyAcks(): void {
    if (!this.acksDirty || this.stmts === undefined) return;
    this.acksDirty = false;
    const stmts = this.stmts;
    this.db!.transaction(() => {
      for (const [target, s] of this.targets) {
        if (s.acked === 0 || s.depth === 0) continue;
        const { n, bytes } = stmts.ackSize.get(target, s.acked)!;
        if (n === 0) continue;
        stmts.deleteUpTo.run(target, s.acked);
        s.depth -= n;
        s.bytes -= bytes;
      }
    })();
  }

  private commit(): void {
    if (this.stmts === undefined) {
      for (const p of this.pending.splice(0)) p.reject(closedError());
      return;
    }
    this.applyAcks();
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const stmts = this.stmts;
    const now = this.now();
    const work = new Map<string, { depth: number; bytes: number }>();
    const drops: Array<[string, DropReason, number]> = [];
    const refused = new Set<Pending>();
    const added = new Set<string>();
    try {
      this.db!.transaction(() => {
        for (const p of batch) {
          const s = this.state(p.target);
          const w = work.get(p.target) ?? { depth: s.depth, bytes: s.bytes };
          work.set(p.target, w);
          const limits = this.limitsOf(p.target);
          if (w.bytes + p.size > limits.maxBytes) {
            if (limits.dropPolicy === "reject-new") {
              refused.add(p);
              drops.push([p.target, DropReason.Rejected, 1]);
              continue;
            }
            const evicted = evictOldest(stmts, p.target, s.acked, w.bytes + p.size - limits.maxBytes);
            w.depth -= evicted.count;
            w.bytes -= evicted.bytes;
            drops.push([p.target, DropReason.Full, evicted.count]);
          }
          stmts.insert.run(p.target, p.payload, p.meta, now, p.size);
          w.depth += 1;
          w.bytes += p.size;
          added.add(p.target);
        }
      })();
    } catch (err) {
      const error = new AppSdkError(ErrorKind.Database, AppSdkErrorCode.OutboxWriteFailed, `outbox write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      this.logger.error({ err: error.message, messages: batch.length }, "outbox: commit failed");
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [target, w] of work) Object.assign(this.state(target), w);
    for (const [target, reason, n] of drops) this.countDrop(target, reason, n);
    for (const p of batch) {
      if (refused.has(p)) {
        p.reject(new AppSdkError(ErrorKind.LimitExceeded, AppSdkErrorCode.OutboxFull, `outbox of target "${p.target}" is full (${this.limitsOf(p.target).maxBytes} bytes, reject-new)`, { details: { target: p.target } }));
      } else p.resolve();
    }
    for (const target of added) this.notify(target);
  }

  private countDrop(target: string, reason: DropReason, n: number): void {
    if (n <= 0) return;
    const s = this.state(target);
    s.dropped.set(reason, (s.dropped.get(reason) ?? 0) + n);
    this.droppedCounter?.inc({ target, reason }, n);
    this.logger.warn({ target, reason, dropped: n }, "outbox: messages dropped");
  }

  private notify(target: string): void {
    for (const listener of this.targets.get(target)?.watchers ?? []) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ target, err: err instanceof Error ? err.message : String(err) }, "outbox: watcher threw");
      }
    }
  }

  private *perTarget(value: (s: TargetState) => number): Iterable<[{ target: string }, number]> {
    for (const [target, s] of this.targets) yield [{ target }, value(s)];
  }

  private *deadLetterCounts(): Iterable<[{ target: string }, number]> {
    for (const target of this.deadLetters?.targets() ?? []) yield [{ target }, this.deadLetters!.count(target)];
  }
}

function closedError(): AppSdkError {
  return new AppSdkError(ErrorKind.ServiceUnavailable, AppSdkErrorCode.OutboxClosed, "the outbox is not open (start() not called, or stopped)");
}

function deadLetterNotFound(id: number): AppSdkError {
  return new AppSdkError(ErrorKind.EntityDoesNotExist, AppSdkErrorCode.DeadLetterNotFound, `no dead letter with id ${id}`, { details: { id } });
}
