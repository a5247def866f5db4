/**
 * The SQLite schema of the outbox and the connection settings it is opened with.
 *
 * Messages are keyed by an AUTOINCREMENT `seq` (never reused, even after the newest rows are deleted), so a seq names
 * one message for the life of the file and order per target is seq order. `(target, seq)` is indexed: peek, ack and
 * eviction all walk one target's rows from its oldest.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";

/** Schema version written to `PRAGMA user_version`. */
export const OUTBOX_SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  payload BLOB NOT NULL,
  meta TEXT NOT NULL,
  enqueuedAt INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_target_seq ON messages (target, seq);

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
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous}`);
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > OUTBOX_SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this outbox (${OUTBOX_SCHEMA_VERSION})`);
    db.exec(DDL);
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db?.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `cannot open outbox ${file}: ${message}`, { cause: err, details: { file } });
  }
}
