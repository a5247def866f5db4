/**
 * The SQLite schema of the outbox and the connection settings it is opened with.
 *
 * Messages are stored in batches: each commit writes one row per target (split beyond {@link BATCH_MAX_MESSAGES}
 * messages or {@link BATCH_MAX_BYTES}) holding the messages' meta and payloads back to back in `data`, and an index of
 * them in `idx` (see batches.ts). A row per message cost an insert, a read and a delete each in SQLite, about three
 * times the CPU of publishing the message; a row per batch costs them once per batch.
 *
 * Each message has a `seq`, never reused for the life of the file (`meta.lastSeq` keeps the counter): order per
 * target is seq order. `heads` holds each target's watermark: every message of the target at or below it is gone
 * (acknowledged, evicted or expired), and a batch is deleted once all of it is. `attempts` holds the failed deliveries
 * of the messages that had any.
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

const DDL = `
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  firstSeq INTEGER NOT NULL,
  lastSeq INTEGER NOT NULL,
  enqueuedAt INTEGER NOT NULL,
  idx BLOB NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_target_first ON batches (target, firstSeq);

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

/** Page size of a new outbox file, bytes (SQLite's default is 4096): messages of a few kB share a page. */
const PAGE_SIZE = 32 * 1024;
/** Page cache of the outbox connection, KiB. */
const CACHE_KIB = 8 * 1024;
/** WAL size that triggers a checkpoint, bytes. */
const WAL_CHECKPOINT_BYTES = 8 * 1024 * 1024;

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
    db.pragma(`page_size = ${PAGE_SIZE}`); // a new file only; an existing one keeps its page size
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / (db.pragma("page_size", { simple: true }) as number))}`);
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
  const insert = db.prepare<[string, number, number, number, Buffer, Buffer]>("INSERT INTO batches (target, firstSeq, lastSeq, enqueuedAt, idx, data) VALUES (?, ?, ?, ?, ?, ?)");
  const attempt = db.prepare<[string, number, number]>("INSERT INTO attempts (target, seq, n) VALUES (?, ?, ?)");
  const open = new Map<string, { enqueuedAt: number; entries: BatchEntry[]; bytes: number }>();
  const write = (target: string): void => {
    const b = open.get(target);
    if (b === undefined || b.entries.length === 0) return;
    const { idx, data } = encodeBatch(b.entries);
    insert.run(target, b.entries[0]!.seq, b.entries[b.entries.length - 1]!.seq, b.enqueuedAt, idx, data);
    open.delete(target);
  };
  let lastSeq = 0;
  const page = db.prepare<[number], Row>("SELECT seq, target, payload, meta, enqueuedAt, attempts FROM messages WHERE seq > ? ORDER BY seq LIMIT 1000");
  for (let rows = page.all(0); rows.length > 0; rows = page.all(lastSeq)) for (const r of rows) {
    lastSeq = r.seq;
    let b = open.get(r.target);
    // A batch shares one enqueuedAt: a message enqueued at another time starts a new one (expiry stays exact).
    if (b !== undefined && (b.enqueuedAt !== r.enqueuedAt || b.entries.length >= BATCH_MAX_MESSAGES || b.bytes >= BATCH_MAX_BYTES)) write(r.target);
    b = open.get(r.target);
    if (b === undefined) {
      b = { enqueuedAt: r.enqueuedAt, entries: [], bytes: 0 };
      open.set(r.target, b);
    }
    const meta = Buffer.from(r.meta, "utf8");
    b.entries.push({ seq: r.seq, meta, payload: r.payload });
    b.bytes += meta.byteLength + r.payload.byteLength;
    if (r.attempts > 0) attempt.run(r.target, r.seq, r.attempts);
  }
  for (const target of [...open.keys()]) write(target);
  const counter = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").pluck(true).get() as number | undefined;
  db.prepare("UPDATE meta SET value = max(value, ?) WHERE key = 'lastSeq'").run(Math.max(lastSeq, counter ?? 0));
  db.exec("DROP TABLE messages");
}
