/**
 * EventStore: core-data's events and readings in an embedded SQLite database (better-sqlite3, WAL).
 *
 * Writes are batched: {@link EventStore.add} only queues; everything queued is committed in one transaction when the
 * queue holds `batchSize` readings or `flushIntervalMs` after the first queued event, whichever comes first.
 * Retention (by age and by reading count) runs on an unref'd timer and deletes in chunks, each its own short
 * transaction, so ingest goes on between chunks.
 */

import { setImmediate as yieldToLoop } from "node:timers/promises";
import type Database from "better-sqlite3";
import { ErrorKind, ServiceError, newUuid, nowNanos, type Event, type Reading } from "@brink/contracts";
import { CoreDataError, CoreDataErrorCode } from "../errors.js";
import { StoreDeletes, type Removed } from "./deletes.js";
import { StoreQueries, type AggregateFunc, type AggregatedReading, type EventFilter, type Page, type ReadingFilter } from "./queries.js";
import { tagsText, valueColumns } from "./rows.js";
import { databaseFile, openDatabase } from "./schema.js";

/** Readings queued before a commit is forced. @default 1000 */
export const DEFAULT_BATCH_READINGS = 1000;
/** Longest wait between queuing an event and its commit, ms (0: next turn of the event loop). @default 5 */
export const DEFAULT_FLUSH_INTERVAL_MS = 5;
/** Rows selected for deletion per transaction. @default 5000 */
export const DEFAULT_DELETE_CHUNK_ROWS = 5000;

/** Retention limits. A limit of 0 is no limit. */
export interface RetentionOptions {
  /** Run retention on a timer. @default false */
  enabled: boolean;
  /** Time between the end of one retention pass and the start of the next, ms. @default 60000 */
  intervalMs: number;
  /** Readings and events whose origin is older than this are deleted, ms. @default 0 */
  maxAgeMs: number;
  /** Most readings kept; the oldest beyond it are deleted (an event goes with its last reading). @default 0 */
  maxCount: number;
}

/** What one commit stored and what it refused. */
export interface CommitResult {
  events: number;
  readings: number;
  /**
   * Events not stored: a duplicate id (EVENT_DUPLICATE) or a write SQLite refused (STORE_WRITE_FAILED). `awaited`
   * is true for events given to {@link EventStore.insert}, whose caller got the error.
   */
  rejected: { event: Event; error: ServiceError; awaited: boolean }[];
}

/** Rows removed by one retention pass. */
export interface RetentionResult {
  byAge: Removed;
  byCount: Removed;
}

/** Options of {@link EventStore}. */
export interface EventStoreOptions {
  /** Data root; the database is `<dataDir>/core-data/events.db`. */
  dataDir: string;
  /** @default DEFAULT_BATCH_READINGS */
  batchSize?: number;
  /** @default DEFAULT_FLUSH_INTERVAL_MS */
  flushIntervalMs?: number;
  retention?: Partial<RetentionOptions>;
  /** @default DEFAULT_DELETE_CHUNK_ROWS */
  deleteChunkRows?: number;
  /** SQLite page cache, KiB. @default 16384 */
  cacheKiB?: number;
  /** Clock for age-based deletes, Unix ns. @default nowNanos */
  now?: () => bigint;
  /** Called after every commit (metrics, logging of rejected events). */
  onCommit?: (result: CommitResult) => void;
  /** Called after every timed retention pass. */
  onRetention?: (result: RetentionResult) => void;
  /** Called when background work (a timed flush, a retention pass) fails. */
  onBackgroundError?: (err: ServiceError) => void;
}

interface Queued {
  event: Event;
  settle?: (err?: ServiceError) => void;
}

const INSERT_EVENT = "INSERT OR IGNORE INTO events (id, deviceName, profileName, sourceName, origin, tags) VALUES (?, ?, ?, ?, ?, ?)";
const INSERT_READING =
  "INSERT INTO readings (id, event_id, deviceName, resourceName, profileName, valueType, units, value, binaryValue, mediaType, objectValue, tags, origin) " +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

interface Open {
  db: Database.Database;
  queries: StoreQueries;
  deletes: StoreDeletes;
  write: (batch: Queued[]) => (ServiceError | undefined)[];
}

function duplicate(event: Event): ServiceError {
  return new CoreDataError(ErrorKind.DuplicateName, CoreDataErrorCode.EventDuplicate, `an event with id ${event.id} is already stored`, { details: { id: event.id } });
}

function writeFailed(err: unknown): ServiceError {
  const message = err instanceof Error ? err.message : String(err);
  return new CoreDataError(ErrorKind.Database, CoreDataErrorCode.StoreWriteFailed, `event not stored: ${message}`, { cause: err });
}

/** Events and readings in SQLite, with batched writes, paged queries, deletes and retention. */
export class EventStore {
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly retention: RetentionOptions;
  private readonly deleteChunkRows: number;
  private readonly now: () => bigint;
  private open_: Open | undefined;
  private queue: Queued[] = [];
  private queuedReadings = 0;
  private cancelFlush: (() => void) | undefined;
  private flushSoon = false;
  private retentionTimer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: EventStoreOptions) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_READINGS);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.retention = { enabled: false, intervalMs: 60_000, maxAgeMs: 0, maxCount: 0, ...options.retention };
    this.deleteChunkRows = Math.max(1, options.deleteChunkRows ?? DEFAULT_DELETE_CHUNK_ROWS);
    this.now = options.now ?? nowNanos;
  }

  /** The database file. */
  get file(): string {
    return databaseFile(this.options.dataDir);
  }

  /** Events queued and not yet committed. */
  get pending(): number {
    return this.queue.length;
  }

  /** Opens the database (creating it and its schema when missing) and starts the retention timer. */
  open(): void {
    if (this.open_ !== undefined) return;
    const db = openDatabase(this.file, this.options.cacheKiB);
    const insertEvent = db.prepare(INSERT_EVENT);
    const insertReading = db.prepare(INSERT_READING);
    const write = db.transaction((batch: Queued[]): (ServiceError | undefined)[] =>
      batch.map(({ event }) => {
        const info = insertEvent.run(event.id, event.deviceName, event.profileName, event.sourceName, event.origin, tagsText(event.tags));
        if (info.changes === 0) return duplicate(event);
        const seq = info.lastInsertRowid;
        for (const r of event.readings) {
          const [value, binaryValue, mediaType, objectValue] = valueColumns(r);
          insertReading.run(r.id ?? newUuid(), seq, r.deviceName, r.resourceName, r.profileName, r.valueType, r.units ?? null, value, binaryValue, mediaType, objectValue, tagsText(r.tags), r.origin);
        }
        return undefined;
      }),
    );
    this.open_ = { db, queries: new StoreQueries(db), deletes: new StoreDeletes(db), write };
    this.scheduleRetention();
  }

  /** Commits what is queued, stops the timers, waits for running deletes, and closes the database. */
  async close(): Promise<void> {
    if (this.open_ === undefined) return;
    clearTimeout(this.retentionTimer);
    this.retentionTimer = undefined;
    try {
      this.flush();
    } catch (err) {
      this.options.onBackgroundError?.(ServiceError.from(err));
    }
    const current = this.open_;
    this.open_ = undefined;
    await Promise.allSettled([...this.running]);
    current.db.close();
  }

  private get store(): Open {
    if (this.open_ === undefined) throw this.closedError();
    return this.open_;
  }

  private closedError(): CoreDataError {
    return new CoreDataError(ErrorKind.ServiceUnavailable, CoreDataErrorCode.StoreClosed, "the event store is not open");
  }

  /**
   * Queues an already validated event for the next commit. The outcome reaches {@link EventStoreOptions.onCommit};
   * use {@link insert} to wait for it.
   */
  add(event: Event): void {
    this.enqueue({ event });
  }

  /**
   * Queues an event and resolves once it is committed (on the next turn of the event loop, with whatever else is
   * queued by then); rejects with EVENT_DUPLICATE or STORE_WRITE_FAILED.
   */
  insert(event: Event): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ event, settle: (err) => (err ? reject(err) : resolve()) }));
  }

  private enqueue(item: Queued): void {
    if (this.open_ === undefined) throw this.closedError();
    this.queue.push(item);
    this.queuedReadings += item.event.readings.length;
    if (this.queuedReadings >= this.batchSize) this.flush();
    else this.scheduleFlush(item.settle !== undefined);
  }

  /** Arms the flush timer; `soon` (someone awaits the commit) makes it the next turn of the event loop. */
  private scheduleFlush(soon: boolean): void {
    if (this.cancelFlush !== undefined && (this.flushSoon || !soon)) return;
    this.cancelFlush?.();
    const run = (): void => {
      this.cancelFlush = undefined;
      try {
        this.flush();
      } catch (err) {
        this.options.onBackgroundError?.(ServiceError.from(err));
      }
    };
    this.flushSoon = soon || this.flushIntervalMs === 0;
    if (this.flushSoon) {
      const handle = setImmediate(run);
      this.cancelFlush = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(run, this.flushIntervalMs);
      this.cancelFlush = () => clearTimeout(handle);
    }
  }

  /** Commits everything queued, in one transaction; returns once it is on disk (WAL). */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    if (this.queue.length === 0) return;
    const { write } = this.store;
    const batch = this.queue;
    this.queue = [];
    this.queuedReadings = 0;
    let outcome: (ServiceError | undefined)[];
    try {
      outcome = write(batch);
    } catch {
      // One event SQLite refuses must not cost the others: write each alone to find it.
      outcome = batch.map((item) => {
        try {
          return write([item])[0];
        } catch (err) {
          return writeFailed(err);
        }
      });
    }
    const result: CommitResult = { events: 0, readings: 0, rejected: [] };
    batch.forEach((item, i) => {
      const error = outcome[i];
      if (error === undefined) {
        result.events++;
        result.readings += item.event.readings.length;
      } else {
        result.rejected.push({ event: item.event, error, awaited: item.settle !== undefined });
      }
      item.settle?.(error);
    });
    this.options.onCommit?.(result);
  }

  /** The event with this id, with its readings. */
  eventById(id: string): Event | undefined {
    return this.store.queries.eventById(id);
  }

  /** Events matching the filter, newest first, with their readings. */
  events(filter: EventFilter, page: Page): Event[] {
    return this.store.queries.events(filter, page);
  }

  /** Number of events matching the filter. */
  countEvents(filter: EventFilter = {}): number {
    return this.store.queries.countEvents(filter);
  }

  /** Readings matching the filter, newest first. */
  readings(filter: ReadingFilter, page: Page): Reading[] {
    return this.store.queries.readings(filter, page);
  }

  /** Number of readings matching the filter. */
  countReadings(filter: ReadingFilter = {}): number {
    return this.store.queries.countReadings(filter);
  }

  /** The aggregate of the numeric readings matching the filter, per device and resource. */
  aggregateReadings(filter: ReadingFilter, func: AggregateFunc): AggregatedReading[] {
    return this.store.queries.aggregate(filter, func);
  }

  /** Deletes an event and its readings (committing the queue first); false when there is none with this id. */
  deleteEventById(id: string): boolean {
    this.flush();
    return this.store.deletes.eventById(id);
  }

  /** Deletes every event and reading of a device, in chunks (committing the queue first). */
  deleteByDevice(deviceName: string): Promise<Removed> {
    this.flush();
    return this.track(this.inChunks((d) => d.deviceStep(deviceName, this.deleteChunkRows)));
  }

  /** Deletes events and readings whose origin is before `cutoff` (Unix ns), in chunks. */
  deleteOlderThan(cutoff: bigint): Promise<Removed> {
    this.flush();
    return this.track(this.inChunks((d) => d.olderThanStep(cutoff, this.deleteChunkRows)));
  }

  /** Deletes events and readings older than `ageNs` nanoseconds before now (EdgeX `DELETE /event/age/{age}`). */
  deleteByAge(ageNs: bigint): Promise<Removed> {
    return this.deleteOlderThan(this.now() - ageNs);
  }

  /** One retention pass: by age (maxAgeMs), then by count (maxCount). Runs whether or not the timer is enabled. */
  enforceRetention(): Promise<RetentionResult> {
    return this.track(this.retentionPass());
  }

  private async retentionPass(): Promise<RetentionResult> {
    const { maxAgeMs, maxCount } = this.retention;
    const byAge = maxAgeMs > 0 ? await this.deleteOlderThan(this.now() - BigInt(Math.floor(maxAgeMs)) * 1_000_000n) : { events: 0, readings: 0 };
    const byCount = { events: 0, readings: 0 };
    if (maxCount > 0) {
      let excess = this.countReadings() - maxCount;
      while (excess > 0 && this.open_ !== undefined) {
        const step = this.open_.deletes.oldestReadingsStep(Math.min(excess, this.deleteChunkRows));
        if (step.readings === 0) break;
        byCount.events += step.events;
        byCount.readings += step.readings;
        excess -= step.readings;
        await yieldToLoop();
      }
    }
    return { byAge, byCount };
  }

  private async inChunks(step: (d: StoreDeletes) => Removed): Promise<Removed> {
    const total = { events: 0, readings: 0 };
    for (let d = this.store.deletes; ; ) {
      const removed = step(d);
      if (removed.events === 0 && removed.readings === 0) return total;
      total.events += removed.events;
      total.readings += removed.readings;
      await yieldToLoop();
      // Closed meanwhile: what is deleted stays deleted; the rest waits for the next pass.
      if (this.open_ === undefined) return total;
      d = this.open_.deletes;
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = (): void => void this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  private scheduleRetention(): void {
    if (!this.retention.enabled || this.open_ === undefined || (this.retention.maxAgeMs <= 0 && this.retention.maxCount <= 0)) return;
    this.retentionTimer = setTimeout(() => {
      this.enforceRetention()
        .then((result) => this.options.onRetention?.(result))
        .catch((err: unknown) => this.options.onBackgroundError?.(ServiceError.from(err)))
        .finally(() => this.scheduleRetention());
    }, this.retention.intervalMs);
    this.retentionTimer.unref();
  }
}
