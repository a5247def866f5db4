/**
 * Read queries of the event store. Every filter shape maps to one SQL text whose prepared statement is cached, and
 * every list is sorted by origin, newest first (ties: last stored first), as EdgeX sorts them.
 */
import type Database from "better-sqlite3";
import { VALUE_TYPES, isFloatType, isIntegerType, type Event, type Reading } from "@brink/contracts";
import { EVENT_COLUMNS, READING_COLUMNS, eventOf, readingOf, type EventRow, type ReadingRow } from "./rows.js";

/** Selects events. Absent fields do not filter. */
export interface EventFilter {
  deviceName?: string;
  /** Inclusive lower bound of `origin`, Unix ns. */
  start?: bigint;
  /** Inclusive upper bound of `origin`, Unix ns. */
  end?: bigint;
}

/** Selects readings. Absent fields do not filter. */
export interface ReadingFilter extends EventFilter {
  resourceName?: string;
  /** Any of these resource names (ignored when empty). */
  resourceNames?: readonly string[];
}

/** SQL aggregate functions of EdgeX's `aggregateFunc` query parameter. */
export const AggregateFunc = { Min: "MIN", Max: "MAX", Count: "COUNT", Sum: "SUM", Avg: "AVG" } as const;
/** One aggregate function. */
export type AggregateFunc = (typeof AggregateFunc)[keyof typeof AggregateFunc];

/** One aggregated value: a device's resource, with the aggregate of its numeric readings ("" when none are numeric). */
export interface AggregatedReading {
  deviceName: string;
  resourceName: string;
  profileName: string;
  valueType: string;
  value: number | bigint | string;
}

const sqlList = (types: readonly string[]): string => types.map((t) => `'${t}'`).join(", ");
const INTEGER_TYPES = sqlList(VALUE_TYPES.filter(isIntegerType));
const FLOAT_TYPES = sqlList(VALUE_TYPES.filter(isFloatType));
const NUMERIC_VALUE = `CASE WHEN valueType IN (${INTEGER_TYPES}) THEN CAST(value AS INTEGER) WHEN valueType IN (${FLOAT_TYPES}) THEN CAST(value AS REAL) END`;

interface AggregateRow {
  deviceName: string;
  resourceName: string;
  profileName: string;
  valueType: string;
  agg: number | bigint | null;
  floats: bigint;
  numerics: bigint;
}

/** A window of a sorted result. */
export interface Page {
  /** Rows to skip. @default 0 */
  offset: number;
  /** Rows to return; negative for all. */
  limit: number;
}

interface Where {
  sql: string;
  params: unknown[];
}

function eventWhere(f: EventFilter): Where {
  const terms: string[] = [];
  const params: unknown[] = [];
  if (f.deviceName !== undefined) {
    terms.push("deviceName = ?");
    params.push(f.deviceName);
  }
  if (f.start !== undefined) {
    terms.push("origin >= ?");
    params.push(f.start);
  }
  if (f.end !== undefined) {
    terms.push("origin <= ?");
    params.push(f.end);
  }
  return { sql: terms.length === 0 ? "" : ` WHERE ${terms.join(" AND ")}`, params };
}

function readingWhere(f: ReadingFilter): Where {
  const w = eventWhere(f);
  const terms: string[] = [];
  if (f.resourceName !== undefined) {
    terms.push("resourceName = ?");
    w.params.push(f.resourceName);
  }
  if (f.resourceNames !== undefined && f.resourceNames.length > 0) {
    terms.push("resourceName IN (SELECT value FROM json_each(?))");
    w.params.push(JSON.stringify(f.resourceNames));
  }
  if (terms.length === 0) return w;
  return { sql: (w.sql === "" ? " WHERE " : `${w.sql} AND `) + terms.join(" AND "), params: w.params };
}

/** Prepared, cached read queries over one connection. */
export class StoreQueries {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly readingsOfEvent: Database.Statement<[bigint], ReadingRow>;
  private readonly eventByIdStmt: Database.Statement<[string], EventRow>;

  constructor(private readonly db: Database.Database) {
    this.readingsOfEvent = db.prepare<[bigint], ReadingRow>(`SELECT ${READING_COLUMNS} FROM readings WHERE event_id = ? ORDER BY seq`).safeIntegers(true);
    this.eventByIdStmt = db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).safeIntegers(true);
  }

  private statement(sql: string, safeIntegers: boolean): Database.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      if (safeIntegers) stmt.safeIntegers(true);
      else stmt.pluck(true);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** The event with this id, with its readings, or undefined. */
  eventById(id: string): Event | undefined {
    const row = this.eventByIdStmt.get(id);
    return row === undefined ? undefined : this.withReadings(row);
  }

  /** Events matching the filter, newest first, with their readings. */
  events(filter: EventFilter, page: Page): Event[] {
    const w = eventWhere(filter);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events${w.sql} ORDER BY origin DESC, seq DESC LIMIT ? OFFSET ?`;
    const rows = this.statement(sql, true).all(...w.params, page.limit, page.offset) as EventRow[];
    return rows.map((row) => this.withReadings(row));
  }

  /** Number of events matching the filter. */
  countEvents(filter: EventFilter): number {
    const w = eventWhere(filter);
    return this.statement(`SELECT count(*) FROM events${w.sql}`, false).get(...w.params) as number;
  }

  /** Readings matching the filter, newest first. */
  readings(filter: ReadingFilter, page: Page): Reading[] {
    const w = readingWhere(filter);
    const sql = `SELECT ${READING_COLUMNS} FROM readings${w.sql} ORDER BY origin DESC, seq DESC LIMIT ? OFFSET ?`;
    const rows = this.statement(sql, true).all(...w.params, page.limit, page.offset) as ReadingRow[];
    return rows.map(readingOf);
  }

  /** Number of readings matching the filter. */
  countReadings(filter: ReadingFilter): number {
    const w = readingWhere(filter);
    return this.statement(`SELECT count(*) FROM readings${w.sql}`, false).get(...w.params) as number;
  }

  /**
   * Aggregates the numeric readings matching the filter per device and resource, as EdgeX's `aggregateFunc`:
   * AVG gives Float64; MIN, MAX and SUM give Int64 over integer readings and Float64 over floats; COUNT gives Int64.
   */
  aggregate(filter: ReadingFilter, func: AggregateFunc): AggregatedReading[] {
    const w = readingWhere(filter);
    const sql =
      `SELECT deviceName, resourceName, max(profileName) AS profileName, max(valueType) AS valueType, ${func}(${NUMERIC_VALUE}) AS agg, ` +
      `sum(valueType IN (${FLOAT_TYPES})) AS floats, sum(valueType IN (${INTEGER_TYPES}, ${FLOAT_TYPES})) AS numerics ` +
      `FROM readings${w.sql} GROUP BY deviceName, resourceName ORDER BY deviceName, resourceName`;
    const rows = this.statement(sql, true).all(...w.params) as AggregateRow[];
    return rows.map((row) => {
      const { deviceName, resourceName, profileName } = row;
      if (row.numerics === 0n || row.agg === null) return { deviceName, resourceName, profileName, valueType: row.valueType, value: "" };
      const float = func === AggregateFunc.Avg || (func !== AggregateFunc.Count && row.floats > 0n);
      const value = float ? Number(row.agg) : typeof row.agg === "bigint" ? row.agg : BigInt(Math.trunc(row.agg));
      return { deviceName, resourceName, profileName, valueType: float ? "Float64" : "Int64", value };
    });
  }

  private withReadings(row: EventRow): Event {
    return eventOf(row, this.readingsOfEvent.all(row.seq).map(readingOf));
  }
}
