/**
 * Notifications in the history database, each kept whole as int64-exact JSON beside the columns lists filter on.
 * Past `maxRecords` the oldest are deleted.
 */
import type Database from "better-sqlite3";
import { decodeRecord, encodeRecord } from "./codec.js";
import type { Notification, NotificationStatus } from "../notifications/types.js";
import type { Page } from "./firing-store.js";

/** Filters of {@link NotificationStore.list}; all given ones must match. */
export interface NotificationFilter {
  readonly category?: string;
  readonly label?: string;
  readonly status?: NotificationStatus;
  readonly severity?: string;
}

const RETENTION_EVERY = 100;

/** Notifications; see the module comment. */
export class NotificationStore {
  private readonly insertStmt: Database.Statement;
  private readonly updateStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly trimStmt: Database.Statement;
  private inserts = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly maxRecords: number,
  ) {
    this.insertStmt = db.prepare("INSERT INTO notifications (id, category, severity, status, labels, record) VALUES (?, ?, ?, ?, ?, ?)");
    this.updateStmt = db.prepare("UPDATE notifications SET status = ?, record = ? WHERE id = ?");
    this.getStmt = db.prepare("SELECT record FROM notifications WHERE id = ?");
    this.deleteStmt = db.prepare("DELETE FROM notifications WHERE id = ?");
    this.trimStmt = db.prepare("DELETE FROM notifications WHERE seq <= (SELECT MAX(seq) FROM notifications) - ?");
  }

  insert(n: Notification): void {
    this.insertStmt.run(n.id, n.category, n.severity, n.status, JSON.stringify(n.labels), encodeRecord(n));
    if (++this.inserts % RETENTION_EVERY === 0) this.trimStmt.run(this.maxRecords);
  }

  /** Writes a changed notification back; false when it is gone (deleted meanwhile). */
  update(n: Notification): boolean {
    return this.updateStmt.run(n.status, encodeRecord(n), n.id).changes > 0;
  }

  get(id: string): Notification | undefined {
    const row = this.getStmt.get(id) as { record: string } | undefined;
    return row ? decodeRecord<Notification>(row.record) : undefined;
  }

  delete(id: string): boolean {
    return this.deleteStmt.run(id).changes > 0;
  }

  /** Newest first. */
  list(filter: NotificationFilter, offset: number, limit: number): Page<Notification> {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (filter.category !== undefined) {
      clauses.push("category = ?");
      args.push(filter.category);
    }
    if (filter.status !== undefined) {
      clauses.push("status = ?");
      args.push(filter.status);
    }
    if (filter.severity !== undefined) {
      clauses.push("severity = ?");
      args.push(filter.severity);
    }
    if (filter.label !== undefined) {
      clauses.push("EXISTS (SELECT 1 FROM json_each(notifications.labels) WHERE json_each.value = ?)");
      args.push(filter.label);
    }
    const where = clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM notifications ${where}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT record FROM notifications ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as { record: string }[];
    return { items: rows.map((r) => decodeRecord<Notification>(r.record)), totalCount: total };
  }
}
