/**
 * The SQLite schema of the outbox and the connection settings it is opened with.
 *
 * Messages are stored in batches: each commit writes one row per target (split beyond {@link BATCH_MAX_MESSAGES}
 * messages or {@link BATCH_MAX_BYTES}) holding the messages' meta and payloads back to back in `data`, and an index of
 * them in `idx` (see batches.ts); a commit of a few messages is appended to its target's newest row while that row is
 * under {@link APPEND_MAX_BYTES}, so a trickle of messages during a long outage does not make a row (and an object in
 * memory) per message. A row per message cost an insert, a read and a delete each in SQLite, about three times the
 * CPU of publishing the message; a row per batch costs them once per batch. `count` and `bytes` sum the row's index,
 * `firstAt` and `lastAt` are the enqueue times of its first and last message.
 *
 * Each message has a `seq`, above every seq stored and every head: order per target is seq order. `heads` holds each
 * target's watermark: every message of the target at or below it is gone (acknowledged, evicted or expired), and a
 * batch is deleted once all of it is. `attempts` holds the failed deliveries of the messages that had any;
 * `meta.lastSeq` the seq counter of a file migrated from schema 1. A commit of one message writes one table page:
 * batch ids are plain rowids and nothing else is indexed, since the outbox keeps its index in memory.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { encodeBatch, type BatchEntry } from "./batches.js";

/** Schema version written to `PRAGMA user_version` (1: one row per message). */
export const OUTBOX_SCHEMA_VERSION = 2;

/** Most messages in one batch row. */
export const BATCH_MAX_MESSAGES = 1024;
/** Most bytes of meta and payload in one batch row (a larger single message gets a row of its own). */
export const BATCH_MAX_BYTES = 4 * 1024 * 1024;
/** A commit is appended to its target's newest row while the row's data stays within this; else it gets a new row. */
export const APPEND_MAX_BYTES = 8 * 1024;

const DDL = `
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  firstSeq INTEGER NOT NULL,
  lastSeq INTEGER NOT NULL,
  count INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  firstAt INTEGER NOT NULL,
  lastAt INTEGER NOT NULL,
  idx BLOB NOT NULL,
  data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS heads (
  target TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS attempts (
  target TEXT NOT NULL,
  seq INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (target, seq)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('lastSeq', 0);

CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  seq INTEGER NOT NULL,
  payload BLOB NOT NULL,
  meta TEXT NOT NULL,
  enqueuedAt INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL,
  failedAt INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_target_id ON dead_letters (target, id);
`;

/** SQLite `synchronous` setting: NORMAL survives a process crash (kill -9), FULL also a power loss. */
export type OutboxSynchronous = "NORMAL" | "FULL";

/** The outbox database file of a data directory: `<dataDir>/app-service/outbox.db`. */
export function outboxFile(dataDir: string): string {
  return path.join(dataDir, "app-service", "outbox.db");
}

/**
 * Opens (creating when missing) the outbox database in WAL mode with the given `synchronous` level and creates the
 * schema. Throws ServiceError STORE_CORRUPT when the file is not a usable outbox database.
 */
export function openOutboxDatabase(file: string, synchronous: OutboxSynchronous): Database.Database {
  let db: Database.Database | undefined;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
    // SQLite's default 4 KiB pages: a commit of one small message writes one page (larger pages were no faster for
    // batches, and wrote several times the bytes per commit at a few messages a second, which wears flash storage).
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > OUTBOX_SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this outbox (${OUTBOX_SCHEMA_VERSION})`);
    const d = db;
    d.transaction(() => {
      d.exec(DDL);
      if (version === 1) migrateFromRows(d);
      d.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
    })();
    return db;
  } catch (err) {
    db?.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `cannot open outbox ${file}: ${message}`, { cause: err, details: { file } });
  }
}

/**
 * Schema 1 kept one row per message in `messages`: moves them into batches with their seqs and attempts, carries the
 * seq counter over, and drops the table. Runs inside the opening transaction.
 */
function migrateFromRows(db: Database.Database): void {
  type Row = { seq: number; target: string; payload: Buffer; meta: string; enqueuedAt: number; attempts: number };
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'").get();
  if (exists === undefined) return;
  const insert = db.prepare<[string, number, number, number, number, number, number, Buffer, Buffer]>(
    "INSERT INTO batches (target, firstSeq, lastSeq, count, bytes, firstAt, lastAt, idx, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const attempt = db.prepare<[string, number, number]>("INSERT INTO attempts (target, seq, n) VALUES (?, ?, ?)");
  const open = new Map<string, { entries: BatchEntry[]; bytes: number }>();
  const write = (target: string): void => {
    const b = open.get(target);
    if (b === undefined || b.entries.length === 0) return;
    const { idx, data } = encodeBatch(b.entries);
    const first = b.entries[0]!;
    const last = b.entries[b.entries.length - 1]!;
    insert.run(target, first.seq, last.seq, b.entries.length, b.bytes, first.enqueuedAt, last.enqueuedAt, idx, data);
    open.delete(target);
  };
  let lastSeq = 0;
  const page = db.prepare<[number], Row>("SELECT seq, target, payload, meta, enqueuedAt, attempts FROM messages WHERE seq > ? ORDER BY seq LIMIT 1000");
  for (let rows = page.all(0); rows.length > 0; rows = page.all(lastSeq)) for (const r of rows) {
    lastSeq = r.seq;
    let b = open.get(r.target);
    if (b !== undefined && (b.entries.length >= BATCH_MAX_MESSAGES || b.bytes >= BATCH_MAX_BYTES)) write(r.target);
    b = open.get(r.target);
    if (b === undefined) {
      b = { entries: [], bytes: 0 };
      open.set(r.target, b);
    }
    const meta = Buffer.from(r.meta, "utf8");
    b.entries.push({ seq: r.seq, enqueuedAt: r.enqueuedAt, meta, payload: r.payload });
    b.bytes += meta.byteLength + r.payload.byteLength;
    if (r.attempts > 0) attempt.run(r.target, r.seq, r.attempts);
  }
  for (const target of [...open.keys()]) write(target);
  const counter = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").pluck(true).get() as number | undefined;
  db.prepare("UPDATE meta SET value = max(value, ?) WHERE key = 'lastSeq'").run(Math.max(lastSeq, counter ?? 0));
  db.exec("DROP TABLE messages");
}
