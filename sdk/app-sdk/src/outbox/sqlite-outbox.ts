/**
 * SqliteOutbox: the durable store-and-forward queue of the app-service, in `<dataDir>/app-service/outbox.db`
 * (better-sqlite3, WAL; the schema is in schema.ts).
 *
 * Group commit: {@link SqliteOutbox.enqueue} only queues; everything queued in one turn of the event loop is written in
 * one transaction on the next `setImmediate`, as one batch row per target, and each enqueue's promise resolves after
 * that commit. With WAL and `synchronous=NORMAL` a commit is in the OS page cache when it returns, so it survives
 * `kill -9` of the process (not a power loss: use `synchronous: "FULL"` for that). Acks are applied lazily the same
 * way: `ack()` moves a watermark in memory, and the next commit, at most 20 ms later, stores it and deletes the batches
 * it passed (a crash before then re-sends those messages: at-least-once).
 *
 * A summary of every stored batch (its seq range, live count and bytes, first and last enqueue time: about 100 bytes
 * per row, and a row holds a commit, or at least 8 KiB of messages) is kept in memory, so depth, bytes and whole-batch
 * acks, evictions and expiries need no query; the per-message index and the data are read when a peek or a partial
 * batch needs them (the last few are cached).
 */
import type Database from "better-sqlite3";
import type { Counter } from "prom-client";
import { ErrorCode, ErrorKind, NextTurn, ServiceError } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import type { Outbox, OutboxLimits, OutboxMessage } from "../types.js";
import { BatchIndex, encodeBatch, type BatchEntry, type StoredBatch } from "./batches.js";
import { DeadLetters, type DeadLetter, type DeadLetterPage } from "./dead-letters.js";
import { DEFAULT_OUTBOX_LIMITS, DropReason, mergeLimits } from "./limits.js";
import { counterOf, gaugeOf, stderrLogger, type OutboxLogger } from "./observe.js";
import { DEFAULT_EXPIRY_INTERVAL_MS, DEFAULT_MAX_DEAD_LETTERS, type OutboxStats, type SqliteOutboxOptions } from "./options.js";
import { APPEND_MAX_BYTES, BATCH_MAX_BYTES, BATCH_MAX_MESSAGES, openOutboxDatabase, outboxFile } from "./schema.js";

/** Longest wait before acknowledged messages are deleted when no enqueue commits first, ms. */
const ACK_COMMIT_DELAY_MS = 20;
/** Batch data kept in memory after a peek read it (the forwarder reads each batch a window at a time). */
const DATA_CACHE_BATCHES = 4;
/** Batch indexes kept in memory after they were read. */
const INDEX_CACHE_BATCHES = 8;

interface Pending {
  target: string;
  payload: Uint8Array;
  meta: string;
  size: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TargetState {
  depth: number;
  bytes: number;
  /** Messages at or below this seq are gone (stored in `heads`). */
  head: number;
  /** Acknowledged up to here (never below the head); becomes the head at the next commit. */
  acked: number;
  /** Stored batches in seq order; those before `first` are gone. */
  batches: StoredBatch[];
  first: number;
  /** Failed deliveries of the queued messages that had any, by seq. */
  attempts: Map<number, number>;
  dropped: Map<DropReason, number>;
  limits: OutboxLimits | undefined;
  watchers: Set<() => void>;
}

interface Statements {
  insertBatch: Database.Statement<[string, number, number, number, number, number, number, Buffer, Buffer]>;
  appendBatch: Database.Statement<[number, number, number, number, Buffer, Buffer, number]>;
  deleteBatch: Database.Statement<[number]>;
  removeEntry: Database.Statement<[Buffer, number, number, number, number, number]>;
  idx: Database.Statement<[number], Buffer>;
  data: Database.Statement<[number], Buffer>;
  setHead: Database.Statement<[string, number]>;
  setAttempts: Database.Statement<[string, number, number]>;
  clearAttempts: Database.Statement<[string, number]>;
  deleteAttempt: Database.Statement<[string, number]>;
}

function prepare(db: Database.Database): Statements {
  return {
    insertBatch: db.prepare("INSERT INTO batches (target, firstSeq, lastSeq, count, bytes, firstAt, lastAt, idx, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    appendBatch: db.prepare("UPDATE batches SET lastSeq = ?, count = count + ?, bytes = bytes + ?, lastAt = ?, idx = CAST(idx || ? AS BLOB), data = CAST(data || ? AS BLOB) WHERE id = ?"),
    deleteBatch: db.prepare("DELETE FROM batches WHERE id = ?"),
    removeEntry: db.prepare("UPDATE batches SET idx = ?, count = count - 1, bytes = bytes - ?, firstSeq = ?, lastSeq = ?, firstAt = ? WHERE id = ?"),
    idx: db.prepare<[number], Buffer>("SELECT idx FROM batches WHERE id = ?").pluck(true),
    data: db.prepare<[number], Buffer>("SELECT data FROM batches WHERE id = ?").pluck(true),
    setHead: db.prepare("INSERT INTO heads (target, seq) VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET seq = excluded.seq"),
    setAttempts: db.prepare("INSERT INTO attempts (target, seq, n) VALUES (?, ?, ?) ON CONFLICT (target, seq) DO UPDATE SET n = excluded.n"),
    clearAttempts: db.prepare("DELETE FROM attempts WHERE target = ? AND seq <= ?"),
    deleteAttempt: db.prepare("DELETE FROM attempts WHERE target = ? AND seq = ?"),
  };
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
  private stmts: Statements | undefined;
  private deadLetters: DeadLetters | undefined;
  private pending: Pending[] = [];
  /** At or above every stored seq and every head; the next message gets the seq after it. */
  private lastSeq = 0;
  private readonly dataCache = new Map<number, Buffer>();
  private readonly indexCache = new Map<number, BatchIndex>();
  /** The commit of this turn's enqueues and acks. */
  private readonly flushSoon = new NextTurn(() => this.commit());
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

  /** Opens the database, loads the index of every stored batch, and starts the expiry timer. */
  start(): void {
    if (this.db !== undefined) return;
    const db = openOutboxDatabase(this.file, this.options.synchronous ?? "NORMAL");
    this.db = db;
    this.stmts = prepare(db);
    this.deadLetters = new DeadLetters(db, this.options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS, this.now);
    this.load(db);
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
    this.forgetAll();
  }

  /**
   * Appends a message; resolves once it is committed. Rejects with OUTBOX_FULL when the target is full under
   * reject-new, OUTBOX_MESSAGE_TOO_LARGE when it exceeds the target's whole maxBytes, OUTBOX_CLOSED when stopped,
   * OUTBOX_WRITE_FAILED when the database cannot be written. Under drop-oldest the oldest messages make room.
   */
  enqueue(target: string, payload: Uint8Array, meta: Readonly<Record<string, string>>): Promise<void> {
    if (this.db === undefined) return Promise.reject(closedError());
    const metaText = JSON.stringify(meta);
    const size = payload.byteLength + Buffer.byteLength(metaText);
    const limits = this.limitsOf(target);
    if (size > limits.maxBytes) {
      this.countDrop(target, DropReason.TooLarge, 1);
      return Promise.reject(new AppSdkError(ErrorKind.LimitExceeded, AppSdkErrorCode.OutboxMessageTooLarge, `message of ${size} bytes exceeds the outbox limit of target "${target}" (${limits.maxBytes} bytes)`, {
        details: { target, size, maxBytes: limits.maxBytes },
      }));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ target, payload, meta: metaText, size, resolve, reject });
      this.flushSoon.request();
    });
  }

  /** Oldest undelivered messages of `target` after `afterSeq`, in order; expired ones are dropped first. */
  peek(target: string, max: number, afterSeq = 0): OutboxMessage[] {
    this.open();
    const s = this.targets.get(target);
    if (s === undefined || s.depth === 0 || max <= 0) return [];
    const from = Math.max(afterSeq, s.acked);
    const firstBatch = this.batchAfter(s, from);
    if (firstBatch < s.batches.length && s.batches[firstBatch]!.firstAt < this.now() - this.limitsOf(target).maxAgeMs && this.expire(target) > 0) {
      return this.peek(target, max, afterSeq);
    }
    const out: OutboxMessage[] = [];
    for (let b = firstBatch; b < s.batches.length && out.length < max; b++) {
      const batch = s.batches[b]!;
      const index = this.indexOf(batch);
      const data = this.dataOf(batch);
      for (let i = index.indexAfter(from); i < index.count && out.length < max; i++) {
        const seq = index.seq(i);
        const { meta, payload } = index.slices(i, data);
        out.push({ seq, target, payload, meta: JSON.parse(meta.toString("utf8")) as Record<string, string>, enqueuedAt: index.enqueuedAt(i), attempts: s.attempts.get(seq) ?? 0 });
      }
    }
    return out;
  }

  /** Marks messages of `target` up to and including `seq` delivered; they are deleted with the next commit. */
  ack(target: string, seq: number): void {
    const s = this.state(target);
    if (seq <= s.acked) return;
    s.acked = seq;
    this.acksDirty = true;
    // Deleting acknowledged messages can wait a little: many acks share one transaction (peek skips them meanwhile).
    if (!this.flushSoon.pending && this.ackTimer === undefined) {
      this.ackTimer = setTimeout(() => {
        this.ackTimer = undefined;
        this.commit();
      }, ACK_COMMIT_DELAY_MS);
      this.ackTimer.unref();
    }
  }

  /** Moves the message to the dead letters with `reason` (no-op when it is not queued any more). */
  deadLetter(target: string, seq: number, reason: string): void {
    const stmts = this.open();
    const s = this.targets.get(target);
    if (s === undefined || seq <= s.acked) return;
    const b = this.batchAfter(s, seq - 1);
    const batch = s.batches[b];
    if (batch === undefined || batch.firstSeq > seq) return;
    const index = this.indexOf(batch);
    const i = index.indexOf(seq);
    if (i < 0) return;
    const { meta, payload } = index.slices(i, this.dataOf(batch));
    const size = index.size(i);
    const attempts = (s.attempts.get(seq) ?? 0) + 1;
    const rest = index.count === 1 ? undefined : new BatchIndex(index.without(i));
    const overflow = this.db!.transaction(() => {
      const dropped = this.deadLetters!.add({ target, seq, payload, meta: meta.toString("utf8"), enqueuedAt: index.enqueuedAt(i), attempts }, reason);
      if (rest === undefined) stmts.deleteBatch.run(batch.id);
      else stmts.removeEntry.run(rest.buffer, size, rest.seq(0), rest.seq(rest.count - 1), rest.enqueuedAt(0), batch.id);
      if (s.attempts.has(seq)) stmts.deleteAttempt.run(target, seq);
      return dropped;
    })();
    if (rest === undefined) {
      s.batches.splice(b, 1);
      this.forget(batch.id);
    } else {
      this.indexCache.set(batch.id, rest);
      batch.firstSeq = rest.seq(0);
      batch.lastSeq = rest.seq(rest.count - 1);
      batch.firstAt = rest.enqueuedAt(0);
      batch.count -= 1;
      batch.bytes -= size;
    }
    s.attempts.delete(seq);
    s.depth -= 1;
    s.bytes -= size;
    this.logger.warn({ target, seq, reason }, "outbox: message dead-lettered");
    if (overflow > 0) this.countDrop(target, DropReason.DeadLetterOverflow, overflow);
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
    const stmts = this.open();
    const at = this.now();
    let back: { target: string; seq: number } | undefined;
    try {
      back = this.db!.transaction(() => {
        const row = this.deadLetters!.take(id);
        if (row === undefined) return undefined;
        const seq = this.lastSeq + 1;
        this.store(row.target, [{ seq, enqueuedAt: at, meta: Buffer.from(row.meta, "utf8"), payload: row.payload }]);
        if (row.attempts > 0) {
          stmts.setAttempts.run(row.target, seq, row.attempts);
          this.state(row.target).attempts.set(seq, row.attempts);
        }
        return { target: row.target, seq };
      })();
    } catch (err) {
      this.reload();
      throw writeFailed(err);
    }
    if (back === undefined) throw deadLetterNotFound(id);
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
    const stmts = this.open();
    const s = this.targets.get(target);
    if (s === undefined) return;
    const from = Math.max(fromSeq - 1, s.acked);
    const counted: Array<[number, number]> = [];
    for (let b = this.batchAfter(s, from); b < s.batches.length && s.batches[b]!.firstSeq <= toSeq; b++) {
      const index = this.indexOf(s.batches[b]!);
      for (let i = index.indexAfter(from); i < index.count && index.seq(i) <= toSeq; i++) counted.push([index.seq(i), (s.attempts.get(index.seq(i)) ?? 0) + 1]);
    }
    if (counted.length === 0) return;
    this.db!.transaction(() => {
      for (const [seq, n] of counted) stmts.setAttempts.run(target, seq, n);
    })();
    for (const [seq, n] of counted) s.attempts.set(seq, n);
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

  /** Reads the heads, the seq counter, the attempts and the index of every stored batch. */
  private load(db: Database.Database): void {
    for (const s of this.targets.values()) {
      s.depth = s.bytes = s.head = s.acked = s.first = 0;
      s.batches = [];
      s.attempts = new Map();
    }
    this.lastSeq = db.prepare<[], number>("SELECT value FROM meta WHERE key = 'lastSeq'").pluck(true).get() ?? 0;
    for (const h of db.prepare<[], { target: string; seq: number }>("SELECT target, seq FROM heads").all()) {
      this.state(h.target).head = h.seq;
      this.lastSeq = Math.max(this.lastSeq, h.seq);
    }
    type Row = Omit<StoredBatch, "id"> & { id: number; target: string };
    const rows = db.prepare<[], Row>("SELECT id, target, firstSeq, lastSeq, count, bytes, firstAt, lastAt, length(data) AS dataBytes FROM batches ORDER BY id").all();
    for (const r of rows) {
      const s = this.state(r.target);
      const batch: StoredBatch = { id: r.id, firstSeq: r.firstSeq, lastSeq: r.lastSeq, count: r.count, bytes: r.bytes, firstAt: r.firstAt, lastAt: r.lastAt, dataBytes: r.dataBytes };
      this.lastSeq = Math.max(this.lastSeq, r.lastSeq);
      if (r.firstSeq <= s.head) {
        // The head passed part of this batch: count what is above it.
        Object.assign(batch, this.indexOf(batch).sizeBetween(s.head));
      }
      s.batches.push(batch);
      s.depth += batch.count;
      s.bytes += batch.bytes;
    }
    for (const a of db.prepare<[], { target: string; seq: number; n: number }>("SELECT target, seq, n FROM attempts").all()) {
      const s = this.state(a.target);
      if (a.seq > s.head) s.attempts.set(a.seq, a.n);
    }
    for (const s of this.targets.values()) s.acked = s.head;
  }

  /** Index in `s.batches` of the first batch with a message above `seq` (`length` when none). */
  private batchAfter(s: TargetState, seq: number): number {
    let lo = s.first;
    let hi = s.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.batches[mid]!.lastSeq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A batch's data, from the cache or SQLite. */
  private dataOf(batch: StoredBatch): Buffer {
    return this.cached(this.dataCache, DATA_CACHE_BATCHES, batch.id, (id) => this.open().data.get(id));
  }

  /** A batch's index, from the cache or SQLite. */
  private indexOf(batch: StoredBatch): BatchIndex {
    return this.cached(this.indexCache, INDEX_CACHE_BATCHES, batch.id, (id) => {
      const buffer = this.open().idx.get(id);
      return buffer === undefined ? undefined : new BatchIndex(buffer);
    });
  }

  /** `cache`'s entry for batch `id`, read (and the oldest entry beyond `limit` dropped) when missing. */
  private cached<T>(cache: Map<number, T>, limit: number, id: number, read: (id: number) => T | undefined): T {
    let value = cache.get(id);
    if (value === undefined) {
      value = read(id);
      if (value === undefined) throw missingBatch(id, this.file);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(id, value);
    }
    return value;
  }

  private forget(id: number): void {
    this.dataCache.delete(id);
    this.indexCache.delete(id);
  }

  private forgetAll(): void {
    this.dataCache.clear();
    this.indexCache.clear();
  }

  /** Reads the summaries back from the file (after a failed transaction left memory ahead of it). */
  private reload(): void {
    this.forgetAll();
    try {
      this.load(this.db!);
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, "outbox: cannot read the index back");
    }
  }

  /**
   * Stores messages of one target (seqs above every stored one, in order): appended to the target's newest row while
   * it stays small, else in new rows of at most BATCH_MAX_MESSAGES and BATCH_MAX_BYTES. Updates the summaries, depth
   * and bytes. Call inside a transaction.
   */
  private store(target: string, entries: readonly BatchEntry[]): void {
    const s = this.state(target);
    const stmts = this.stmts!;
    let from = 0;
    while (from < entries.length) {
      let to = from;
      let bytes = 0;
      while (to < entries.length && to - from < BATCH_MAX_MESSAGES) {
        const size = entries[to]!.meta.byteLength + entries[to]!.payload.byteLength;
        if (to > from && bytes + size > BATCH_MAX_BYTES) break;
        bytes += size;
        to += 1;
      }
      const chunk = entries.slice(from, to);
      const first = chunk[0]!;
      const last = chunk[chunk.length - 1]!;
      const newest = s.batches.length > s.first ? s.batches[s.batches.length - 1]! : undefined;
      if (from === 0 && newest !== undefined && newest.dataBytes + bytes <= APPEND_MAX_BYTES) {
        const { idx, data } = encodeBatch(chunk, newest.dataBytes);
        stmts.appendBatch.run(last.seq, chunk.length, bytes, last.enqueuedAt, idx, data, newest.id);
        this.forget(newest.id);
        newest.lastSeq = last.seq;
        newest.lastAt = last.enqueuedAt;
        newest.count += chunk.length;
        newest.bytes += bytes;
        newest.dataBytes += data.byteLength;
      } else {
        const { idx, data } = encodeBatch(chunk);
        const id = Number(stmts.insertBatch.run(target, first.seq, last.seq, chunk.length, bytes, first.enqueuedAt, last.enqueuedAt, idx, data).lastInsertRowid);
        s.batches.push({ id, firstSeq: first.seq, lastSeq: last.seq, count: chunk.length, bytes, firstAt: first.enqueuedAt, lastAt: last.enqueuedAt, dataBytes: data.byteLength });
      }
      s.depth += chunk.length;
      s.bytes += bytes;
      this.lastSeq = Math.max(this.lastSeq, last.seq);
      from = to;
    }
  }

  /**
   * Moves a target's head to `seq`: everything at or below is gone. Deletes the batches it passed and their attempts;
   * returns how many messages and bytes went. Call inside a transaction; `s.depth` and `s.bytes` are updated.
   */
  private advanceHead(target: string, s: TargetState, seq: number): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    if (seq <= s.head) return { count, bytes };
    const stmts = this.stmts!;
    while (s.first < s.batches.length) {
      const batch = s.batches[s.first]!;
      if (batch.lastSeq > seq) {
        if (batch.firstSeq <= seq) {
          // Part of this batch: count what goes from its index.
          const gone = this.indexOf(batch).sizeBetween(s.head, seq);
          count += gone.count;
          bytes += gone.bytes;
          batch.count -= gone.count;
          batch.bytes -= gone.bytes;
        }
        break;
      }
      count += batch.count;
      bytes += batch.bytes;
      stmts.deleteBatch.run(batch.id);
      this.forget(batch.id);
      s.first += 1;
    }
    if (s.first > 64 && s.first * 2 > s.batches.length) {
      s.batches = s.batches.slice(s.first);
      s.first = 0;
    }
    s.head = seq;
    if (s.acked < seq) s.acked = seq;
    stmts.setHead.run(target, seq);
    if (s.attempts.size > 0) {
      stmts.clearAttempts.run(target, seq);
      for (const k of [...s.attempts.keys()]) if (k <= seq) s.attempts.delete(k);
    }
    s.depth -= count;
    s.bytes -= bytes;
    return { count, bytes };
  }

  /** The seq up to which the oldest queued messages of a target add up to at least `need` bytes (the last one when they never do). */
  private oldestCovering(s: TargetState, need: number): number {
    let bytes = 0;
    let last = s.head;
    for (let b = s.first; b < s.batches.length && bytes < need; b++) {
      const batch = s.batches[b]!;
      if (bytes + batch.bytes < need) {
        bytes += batch.bytes;
        last = batch.lastSeq;
        continue;
      }
      const index = this.indexOf(batch);
      for (let i = index.indexAfter(s.head); i < index.count && bytes < need; i++) {
        bytes += index.size(i);
        last = index.seq(i);
      }
    }
    return last;
  }

  private expire(target: string): number {
    this.open();
    const s = this.state(target);
    const maxAge = this.limitsOf(target).maxAgeMs;
    if (s.depth === 0 || !Number.isFinite(maxAge)) return 0;
    this.applyAcks();
    const cutoff = this.now() - maxAge;
    let last = s.head;
    for (let b = this.batchAfter(s, s.head); b < s.batches.length; b++) {
      const batch = s.batches[b]!;
      if (batch.lastAt < cutoff) {
        last = batch.lastSeq;
        continue;
      }
      if (batch.firstAt < cutoff) {
        const index = this.indexOf(batch);
        for (let i = index.indexAfter(s.head); i < index.count && index.enqueuedAt(i) < cutoff; i++) last = index.seq(i);
      }
      break;
    }
    if (last <= s.head) return 0;
    const removed = this.db!.transaction(() => this.advanceHead(target, s, last))();
    if (removed.count > 0) this.countDrop(target, DropReason.Expired, removed.count);
    return removed.count;
  }

  private open(): Statements {
    if (this.stmts === undefined) throw closedError();
    return this.stmts;
  }

  private state(target: string): TargetState {
    let s = this.targets.get(target);
    if (s === undefined) {
      s = { depth: 0, bytes: 0, head: 0, acked: 0, batches: [], first: 0, attempts: new Map(), dropped: new Map(), limits: undefined, watchers: new Set() };
      this.targets.set(target, s);
    }
    return s;
  }

  /** Stores the acknowledged watermarks and deletes what they passed; in the caller's transaction when in one. */
  private applyAcks(): void {
    if (!this.acksDirty || this.stmts === undefined) return;
    this.acksDirty = false;
    this.db!.transaction(() => {
      for (const [target, s] of this.targets) if (s.acked > s.head) this.advanceHead(target, s, s.acked);
    })();
  }

  private commit(): void {
    if (this.stmts === undefined) {
      for (const p of this.pending.splice(0)) p.reject(closedError());
      return;
    }
    const batch = this.pending;
    if (batch.length === 0) {
      this.applyAcks();
      return;
    }
    this.pending = [];
    const now = this.now();
    const drops: Array<[string, DropReason, number]> = [];
    const refused = new Set<Pending>();
    const added = new Set<string>();
    const staged = new Map<string, { entries: BatchEntry[]; bytes: number }>();
    const storeStaged = (target: string): void => {
      const group = staged.get(target);
      if (group === undefined) return;
      staged.delete(target);
      this.store(target, group.entries);
    };
    try {
      this.db!.transaction(() => {
        this.applyAcks();
        let seq = this.lastSeq;
        for (const p of batch) {
          const s = this.state(p.target);
          const limits = this.limitsOf(p.target);
          if (s.bytes + (staged.get(p.target)?.bytes ?? 0) + p.size > limits.maxBytes) {
            if (limits.dropPolicy === "reject-new") {
              refused.add(p);
              drops.push([p.target, DropReason.Rejected, 1]);
              continue;
            }
            // Room is made from the oldest messages, those of this commit included: store them first.
            storeStaged(p.target);
            const gone = this.advanceHead(p.target, s, this.oldestCovering(s, s.bytes + p.size - limits.maxBytes));
            drops.push([p.target, DropReason.Full, gone.count]);
          }
          let group = staged.get(p.target);
          if (group === undefined) {
            group = { entries: [], bytes: 0 };
            staged.set(p.target, group);
          }
          seq += 1;
          group.entries.push({ seq, enqueuedAt: now, meta: Buffer.from(p.meta, "utf8"), payload: p.payload });
          group.bytes += p.size;
          added.add(p.target);
        }
        for (const target of [...staged.keys()]) storeStaged(target);
      })();
    } catch (err) {
      // The transaction rolled back: the summaries in memory may be ahead of the file, so they are read again.
      const error = writeFailed(err);
      this.logger.error({ err: error.message, messages: batch.length }, "outbox: commit failed");
      this.reload();
      for (const p of batch) p.reject(error);
      return;
    }
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

function writeFailed(err: unknown): AppSdkError {
  return new AppSdkError(ErrorKind.Database, AppSdkErrorCode.OutboxWriteFailed, `outbox write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function missingBatch(id: number, file: string): ServiceError {
  return new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `outbox batch ${id} is missing from ${file}`, { details: { file, batch: id } });
}

function closedError(): AppSdkError {
  return new AppSdkError(ErrorKind.ServiceUnavailable, AppSdkErrorCode.OutboxClosed, "the outbox is not open (start() not called, or stopped)");
}

function deadLetterNotFound(id: number): AppSdkError {
  return new AppSdkError(ErrorKind.EntityDoesNotExist, AppSdkErrorCode.DeadLetterNotFound, `no dead letter with id ${id}`, { details: { id } });
}
