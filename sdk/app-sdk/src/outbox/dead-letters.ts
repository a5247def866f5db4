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

/** A queued message on its way to the dead letters (meta as stored, JSON). */
export interface RefusedMessage {
  readonly target: string;
  readonly seq: number;
  readonly payload: Uint8Array;
  readonly meta: string;
  readonly enqueuedAt: number;
  /** Failed deliveries, this one included. */
  readonly attempts: number;
}

/** Prepared statements over the dead_letters table; the outbox runs them inside its transactions. */
export class DeadLetters {
  private readonly insert: Database.Statement<[string, number, Uint8Array, string, number, number, string, number]>;
  private readonly overflow: Database.Statement<[string, string, number]>;
  private readonly deleteStmt: Database.Statement<[number]>;
  private readonly getStmt: Database.Statement<[number], Row>;
  private readonly listAll: Database.Statement<[number, number], Row>;
  private readonly listOf: Database.Statement<[string, number, number], Row>;
  private readonly countAll: Database.Statement<[], number>;
  private readonly countOf: Database.Statement<[string], number>;
  private readonly targetsStmt: Database.Statement<[], string>;

  constructor(db: Database.Database, private readonly maxPerTarget: number, private readonly now: () => number) {
    this.insert = db.prepare("INSERT INTO dead_letters (target, seq, payload, meta, enqueuedAt, attempts, reason, failedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    this.overflow = db.prepare<[string, string, number]>("DELETE FROM dead_letters WHERE target = ? AND id IN (SELECT id FROM dead_letters WHERE target = ? ORDER BY id DESC LIMIT -1 OFFSET ?)");
    this.deleteStmt = db.prepare<[number]>("DELETE FROM dead_letters WHERE id = ?");
    this.getStmt = db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM dead_letters WHERE id = ?`);
    this.listAll = db.prepare<[number, number], Row>(`SELECT ${COLUMNS} FROM dead_letters ORDER BY id LIMIT ? OFFSET ?`);
    this.listOf = db.prepare<[string, number, number], Row>(`SELECT ${COLUMNS} FROM dead_letters WHERE target = ? ORDER BY id LIMIT ? OFFSET ?`);
    this.countAll = db.prepare<[], number>("SELECT count(*) FROM dead_letters").pluck(true);
    this.countOf = db.prepare<[string], number>("SELECT count(*) FROM dead_letters WHERE target = ?").pluck(true);
    this.targetsStmt = db.prepare<[], string>("SELECT DISTINCT target FROM dead_letters").pluck(true);
  }

  /** Stores a refused message; returns how many old dead letters of its target went to keep within the bound. */
  add(m: RefusedMessage, reason: string): number {
    this.insert.run(m.target, m.seq, m.payload, m.meta, m.enqueuedAt, m.attempts, reason, this.now());
    return this.overflow.run(m.target, m.target, this.maxPerTarget).changes;
  }

  /** Removes a dead letter and returns it as stored (meta as JSON text), or undefined when there is no such id. */
  take(id: number): (Omit<DeadLetter, "meta"> & { meta: string }) | undefined {
    const row = this.getStmt.get(id);
    if (row === undefined) return undefined;
    this.deleteStmt.run(id);
    return row;
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
