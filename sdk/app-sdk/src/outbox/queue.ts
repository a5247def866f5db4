/**
 * The prepared statements over the outbox's messages table, and the bulk deletes built on them (eviction to make
 * room, expiry by age). Messages are in enqueue order by seq, so both walk a target's rows from its oldest.
 */
import type Database from "better-sqlite3";
import type { OutboxMessage } from "../types.js";

/** A row of the peek statement. */
export type Row = { seq: number; target: string; payload: Buffer; meta: string; enqueuedAt: number; attempts: number };
/** A row of the oldest statement. */
export type SizeRow = { seq: number; size: number; enqueuedAt: number };

/** The prepared statements of the messages table. */
export interface QueueStatements {
  readonly insert: Database.Statement<[string, Buffer, string, number, number]>;
  readonly peek: Database.Statement<[string, number, number], Row>;
  readonly oldest: Database.Statement<[string, number, number], SizeRow>;
  readonly deleteUpTo: Database.Statement<[string, number]>;
  readonly ackSize: Database.Statement<[string, number], { n: number; bytes: number }>;
  readonly countAttempt: Database.Statement<[string, number, number]>;
}

/** Prepares the statements of the messages table. */
export function prepareQueue(db: Database.Database): QueueStatements {
  return {
    insert: db.prepare<[string, Buffer, string, number, number]>("INSERT INTO messages (target, payload, meta, enqueuedAt, size) VALUES (?, ?, ?, ?, ?)"),
    peek: db.prepare<[string, number, number], Row>("SELECT seq, target, payload, meta, enqueuedAt, attempts FROM messages WHERE target = ? AND seq > ? ORDER BY seq LIMIT ?"),
    oldest: db.prepare<[string, number, number], SizeRow>("SELECT seq, size, enqueuedAt FROM messages WHERE target = ? AND seq > ? ORDER BY seq LIMIT ?"),
    deleteUpTo: db.prepare<[string, number]>("DELETE FROM messages WHERE target = ? AND seq <= ?"),
    ackSize: db.prepare<[string, number], { n: number; bytes: number }>("SELECT count(*) AS n, total(size) AS bytes FROM messages WHERE target = ? AND seq <= ?"),
    countAttempt: db.prepare<[string, number, number]>("UPDATE messages SET attempts = attempts + 1 WHERE target = ? AND seq BETWEEN ? AND ?"),
  };
}

/** A row of the peek statement as an OutboxMessage. */
export function toMessage(r: Row): OutboxMessage {
  return { seq: r.seq, target: r.target, payload: r.payload, meta: JSON.parse(r.meta) as Record<string, string>, enqueuedAt: r.enqueuedAt, attempts: r.attempts };
}

/** Deletes the oldest messages of a target after `afterSeq` until at least `need` bytes are freed. */
export function evictOldest(stmts: QueueStatements, target: string, afterSeq: number, need: number): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  let lastSeq = afterSeq;
  while (bytes < need) {
    const rows = stmts.oldest.all(target, lastSeq, 256);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (bytes >= need) break;
      lastSeq = r.seq;
      bytes += r.size;
      count += 1;
    }
  }
  if (count > 0) stmts.deleteUpTo.run(target, lastSeq);
  return { count, bytes };
}

/** Deletes the messages of a target enqueued before `cutoff` (ms since the epoch), stopping at the first younger one. */
export function deleteOlderThan(stmts: QueueStatements, target: string, cutoff: number): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (;;) {
    const rows = stmts.oldest.all(target, 0, 1000);
    let lastSeq = -1;
    for (const r of rows) {
      if (r.enqueuedAt >= cutoff) break;
      lastSeq = r.seq;
      bytes += r.size;
      count += 1;
    }
    if (lastSeq < 0) break;
    stmts.deleteUpTo.run(target, lastSeq);
    if (rows[rows.length - 1]!.seq !== lastSeq) break;
  }
  return { count, bytes };
}
