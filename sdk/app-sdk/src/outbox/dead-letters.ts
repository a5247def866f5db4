/**
 * The dead-letter table of the outbox: messages a target refused for good, kept with the reason until an operator
 * retries or deletes them.
 */
import type Database from "better-sqlite3";
import type { OutboxMessage } from "../types.js";

/** A message a target refused for good. */
export interface DeadLetter extends OutboxMessage {
  /** Dead-letter id (not the message's seq). */
  readonly id: number;
  /** Why the target refused it (`HTTP 400: ...`, `MQTT PUBACK reason 135`, ...). */
  readonly reason: string;
  /** When it was dead-lettered, ms since the epoch. */
  readonly failedAt: number;
}

/** One page of dead letters. */
export interface DeadLetterPage {
  readonly totalCount: number;
  readonly deadLetters: DeadLetter[];
}

type Row = { id: number; target: string; seq: number; payload: Buffer; meta: string; enqueuedAt: number; attempts: number; reason: string; failedAt: number };

const COLUMNS = "id, target, seq, payload, meta, enqueuedAt, attempts, reason, failedAt";

function toDeadLetter(r: Row): DeadLetter {
  return { ...r, meta: JSON.parse(r.meta) as Record<string, string> };
}

/** Prepared statements over the dead_letters table, each operation one transaction. */
export class DeadLetters {
  private readonly addTx: (target: string, seq: number, reason: string) => { size: number; overflow: number } | undefined;
  private readonly retryTx: (id: number, now: number) => { target: string; seq: number; size: number } | undefined;
  private readonly deleteStmt: Database.Statement<[number]>;
  private readonly getStmt: Database.Statement<[number], Row>;
  private readonly listAll: Database.Statement<[number, number], Row>;
  private readonly listOf: Database.Statement<[string, number, number], Row>;
  private readonly countAll: Database.Statement<[], number>;
  private readonly countOf: Database.Statement<[string], number>;
  private readonly targetsStmt: Database.Statement<[], string>;

  constructor(db: Database.Database, maxPerTarget: number, now: () => number) {
    const sizeOf = db.prepare<[string, number], number>("SELECT size FROM messages WHERE target = ? AND seq = ?").pluck(true);
    const copy = db.prepare<[{ target: string; seq: number; reason: string; failedAt: number }]>(
      "INSERT INTO dead_letters (target, seq, payload, meta, enqueuedAt, attempts, reason, failedAt) " +
        "SELECT target, seq, payload, meta, enqueuedAt, attempts + 1, @reason, @failedAt FROM messages WHERE target = @target AND seq = @seq",
    );
    const removeMessage = db.prepare<[string, number]>("DELETE FROM messages WHERE target = ? AND seq = ?");
    const overflow = db.prepare<[string, string, number]>("DELETE FROM dead_letters WHERE target = ? AND id IN (SELECT id FROM dead_letters WHERE target = ? ORDER BY id DESC LIMIT -1 OFFSET ?)");
    this.addTx = db.transaction((target: string, seq: number, reason: string) => {
      const size = sizeOf.get(target, seq);
      if (size === undefined) return undefined;
      copy.run({ target, seq, reason, failedAt: now() });
      removeMessage.run(target, seq);
      const dropped = overflow.run(target, target, maxPerTarget).changes;
      return { size, overflow: dropped };
    });
    const takeBack = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = ?`);
    const requeue = db.prepare<[string, Buffer, string, number, number, number]>("INSERT INTO messages (target, payload, meta, enqueuedAt, attempts, size) VALUES (?, ?, ?, ?, ?, ?)");
    this.deleteStmt = db.prepare<[number]>("DELETE FROM dead_letters WHERE id = ?");
    this.retryTx = db.transaction((id: number, at: number) => {
      const row = takeBack.get(id);
      if (row === undefined) return undefined;
      const size = row.payload.byteLength + Buffer.byteLength(row.meta);
      const seq = Number(requeue.run(row.target, row.payload, row.meta, at, row.attempts, size).lastInsertRowid);
      this.deleteStmt.run(id);
      return { target: row.target, seq, size };
    });
    this.getStmt = takeBack;
    this.listAll = db.prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM dead_letters ORDER BY id LIMIT ? OFFSET ?`);
    this.listOf = db.prepare<[string, number, number], Row>(`SELECT ${COLUMNS} FROM dead_letters WHERE target = ? ORDER BY id LIMIT ? OFFSET ?`);
    this.countAll = db.prepare<[], number>("SELECT count(*) FROM dead_letters").pluck(true);
    this.countOf = db.prepare<[string], number>("SELECT count(*) FROM dead_letters WHERE target = ?").pluck(true);
    this.targetsStmt = db.prepare<[], string>("SELECT DISTINCT target FROM dead_letters").pluck(true);
  }

  /** Moves a queued message here; undefined when it is not queued. `overflow`: old dead letters removed for room. */
  add(target: string, seq: number, reason: string): { size: number; overflow: number } | undefined {
    return this.addTx(target, seq, reason);
  }

  /** Moves a dead letter back to the end of its target's queue; undefined when there is no such id. */
  retry(id: number, now: number): { target: string; seq: number; size: number } | undefined {
    return this.retryTx(id, now);
  }

  /** False when there is no such id. */
  delete(id: number): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }

  get(id: number): DeadLetter | undefined {
    const row = this.getStmt.get(id);
    return row === undefined ? undefined : toDeadLetter(row);
  }

  list(target: string | undefined, offset: number, limit: number): DeadLetterPage {
    const rows = target === undefined ? this.listAll.all(limit, offset) : this.listOf.all(target, limit, offset);
    return { totalCount: this.count(target), deadLetters: rows.map(toDeadLetter) };
  }

  count(target?: string): number {
    return target === undefined ? this.countAll.get()! : this.countOf.get(target)!;
  }

  targets(): string[] {
    return this.targetsStmt.all();
  }
}
