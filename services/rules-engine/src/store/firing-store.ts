/**
 * Firing records in the history database, newest first, the oldest deleted past `maxRecords`. Each record is kept
 * whole as int64-exact JSON.
 */
import type Database from "better-sqlite3";
import { decodeRecord, encodeRecord } from "./codec.js";
import type { FiringSink } from "../engine/dispatcher.js";
import type { FiringRecord } from "../engine/firing.js";

/** A page of records. */
export interface Page<T> {
  readonly items: T[];
  readonly totalCount: number;
}

/** Inserts between retention passes. */
const RETENTION_EVERY = 100;

/** Firing records; see the module comment. */
export class FiringStore implements FiringSink {
  private readonly insert: Database.Statement;
  private readonly trim: Database.Statement;
  private inserts = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly maxRecords: number,
  ) {
    this.insert = db.prepare("INSERT OR IGNORE INTO firings (id, rule, device, fired_at_ms, ok, record) VALUES (?, ?, ?, ?, ?, ?)");
    this.trim = db.prepare("DELETE FROM firings WHERE seq <= (SELECT MAX(seq) FROM firings) - ?");
  }

  record(record: FiringRecord): void {
    this.insert.run(record.id, record.rule, record.device, Number(record.firedAt / 1_000_000n), record.ok ? 1 : 0, encodeRecord(record));
    if (++this.inserts % RETENTION_EVERY === 0) this.trim.run(this.maxRecords);
  }

  /** Records of one rule (or of all when `rule` is undefined), newest first; `limit` -1 for all. */
  list(rule: string | undefined, offset: number, limit: number): Page<FiringRecord> {
    const where = rule === undefined ? "" : "WHERE rule = ?";
    const args = rule === undefined ? [] : [rule];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM firings ${where}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT record FROM firings ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as { record: string }[];
    return { items: rows.map((r) => decodeRecord<FiringRecord>(r.record)), totalCount: total };
  }

  /** Deletes the records of a rule (it was deleted). */
  deleteRule(rule: string): void {
    this.db.prepare("DELETE FROM firings WHERE rule = ?").run(rule);
  }
}

/** The last run of each scheduled rule, for the missed-run policy after a restart. */
export class ScheduleRunStore {
  private readonly upsert: Database.Statement;
  private readonly select: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare("INSERT INTO schedule_runs (rule, last_run_ms) VALUES (?, ?) ON CONFLICT (rule) DO UPDATE SET last_run_ms = excluded.last_run_ms");
    this.select = db.prepare("SELECT last_run_ms AS t FROM schedule_runs WHERE rule = ?");
    this.remove = db.prepare("DELETE FROM schedule_runs WHERE rule = ?");
  }

  /** When the rule last ran (the scheduled time), Unix ms; undefined when it never ran. */
  lastRun(rule: string): number | undefined {
    const row = this.select.get(rule) as { t: number } | undefined;
    return row?.t;
  }

  setLastRun(rule: string, ms: number): void {
    this.upsert.run(rule, ms);
  }

  forget(rule: string): void {
    this.remove.run(rule);
  }
}
