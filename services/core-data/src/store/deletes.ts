/**
 * Delete statements of the event store, each step bounded to one chunk in one transaction so that a large delete
 * (retention, a device's history) never holds the event loop or the write lock for long.
 */
import type Database from "better-sqlite3";

type SeqPair = [seq: number, eventSeq: number];

/** Rows removed by a delete. */
export interface Removed {
  events: number;
  readings: number;
}

/** Prepared delete steps over one connection. Each step returns the rows it removed (none: nothing left to do). */
export class StoreDeletes {
  private readonly eventSeqById: Database.Statement<[string], number>;
  private readonly deleteReadingsOfEvent: Database.Statement<[number]>;
  private readonly deleteEvent: Database.Statement<[number]>;
  private readonly deleteReading: Database.Statement<[number]>;
  private readonly deleteEventIfEmpty: Database.Statement<[number, number]>;
  private readonly eventsOfDevice: Database.Statement<[string, number], number>;
  private readonly readingsOfDevice: Database.Statement<[string, number], SeqPair>;
  private readonly eventsBefore: Database.Statement<[bigint, number], number>;
  private readonly readingsBefore: Database.Statement<[bigint, number], SeqPair>;
  private readonly oldestReadings: Database.Statement<[number], SeqPair>;
  private readonly removeEvents: (seqs: number[]) => Removed;
  private readonly removeReadings: (pairs: SeqPair[]) => Removed;

  constructor(db: Database.Database) {
    this.eventSeqById = db.prepare<[string], number>("SELECT seq FROM events WHERE id = ?").pluck(true);
    this.deleteReadingsOfEvent = db.prepare<[number]>("DELETE FROM readings WHERE event_id = ?");
    this.deleteEvent = db.prepare<[number]>("DELETE FROM events WHERE seq = ?");
    this.deleteReading = db.prepare<[number]>("DELETE FROM readings WHERE seq = ?");
    this.deleteEventIfEmpty = db.prepare<[number, number]>("DELETE FROM events WHERE seq = ? AND NOT EXISTS (SELECT 1 FROM readings WHERE event_id = ?)");
    this.eventsOfDevice = db.prepare<[string, number], number>("SELECT seq FROM events WHERE deviceName = ? LIMIT ?").pluck(true);
    this.readingsOfDevice = db.prepare<[string, number], SeqPair>("SELECT seq, event_id FROM readings WHERE deviceName = ? LIMIT ?").raw(true);
    this.eventsBefore = db.prepare<[bigint, number], number>("SELECT seq FROM events WHERE origin < ? ORDER BY origin LIMIT ?").pluck(true);
    this.readingsBefore = db.prepare<[bigint, number], SeqPair>("SELECT seq, event_id FROM readings WHERE origin < ? ORDER BY origin LIMIT ?").raw(true);
    this.oldestReadings = db.prepare<[number], SeqPair>("SELECT seq, event_id FROM readings ORDER BY origin, seq LIMIT ?").raw(true);

    this.removeEvents = db.transaction((seqs: number[]): Removed => {
      const removed = { events: 0, readings: 0 };
      for (const seq of seqs) {
        removed.readings += this.deleteReadingsOfEvent.run(seq).changes;
        removed.events += this.deleteEvent.run(seq).changes;
      }
      return removed;
    });
    // Readings go one by one; an event goes with its last reading, so no event is left without readings.
    this.removeReadings = db.transaction((pairs: SeqPair[]): Removed => {
      const removed = { events: 0, readings: 0 };
      const events = new Set<number>();
      for (const [seq, eventSeq] of pairs) {
        removed.readings += this.deleteReading.run(seq).changes;
        events.add(eventSeq);
      }
      for (const eventSeq of events) removed.events += this.deleteEventIfEmpty.run(eventSeq, eventSeq).changes;
      return removed;
    });
  }

  /** Deletes one event and its readings; false when no event has this id. */
  eventById(id: string): boolean {
    const seq = this.eventSeqById.get(id);
    if (seq === undefined) return false;
    this.removeEvents([seq]);
    return true;
  }

  /** One chunk of a device's events (with their readings), then of its remaining readings. */
  deviceStep(deviceName: string, chunk: number): Removed {
    const seqs = this.eventsOfDevice.all(deviceName, chunk);
    if (seqs.length > 0) return this.removeEvents(seqs);
    return this.removeReadings(this.readingsOfDevice.all(deviceName, chunk));
  }

  /** One chunk of the events (with their readings), then of the readings, whose origin is before `cutoff` ns. */
  olderThanStep(cutoff: bigint, chunk: number): Removed {
    const seqs = this.eventsBefore.all(cutoff, chunk);
    if (seqs.length > 0) return this.removeEvents(seqs);
    return this.removeReadings(this.readingsBefore.all(cutoff, chunk));
  }

  /** Deletes the `count` oldest readings (and events left empty). */
  oldestReadingsStep(count: number): Removed {
    return count <= 0 ? { events: 0, readings: 0 } : this.removeReadings(this.oldestReadings.all(count));
  }
}
