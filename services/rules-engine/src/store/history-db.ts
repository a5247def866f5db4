/**
 * The rules engine's SQLite database, `<dataDir>/rules-engine/history.db` (better-sqlite3, WAL): firing records,
 * notifications and the last run of each scheduled rule. These are written often, which lowdb (one JSON file
 * rewritten whole) is not for.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import { RULES_ENGINE_DIR } from "./document-store.js";

/** The database file name, under `<dataDir>/rules-engine/`. */
export const HISTORY_FILE_NAME = "history.db";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS firings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL,
  device TEXT NOT NULL,
  fired_at_ms INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS firings_by_rule ON firings (rule, seq);
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  labels TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_category ON notifications (category, seq);
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, seq);
CREATE TABLE IF NOT EXISTS schedule_runs (
  rule TEXT PRIMARY KEY,
  last_run_ms INTEGER NOT NULL
);
`;

/** Opens (creating when needed) the database. @throws ServiceError STORE_CORRUPT when it cannot be opened */
export function openHistoryDatabase(dataDir: string): Database.Database {
  const dir = join(dataDir, RULES_ENGINE_DIR);
  const file = join(dir, HISTORY_FILE_NAME);
  try {
    mkdirSync(dir, { recursive: true });
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `cannot open ${file}: ${(err as Error).message}`, { details: { file }, cause: err });
  }
}
