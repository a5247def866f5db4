/**
 * Windows of numeric samples, one per rule, device and resource. Times are engine times in ms (when the engine
 * received the reading). Booleans count as 1 and 0; text readings are not sampled.
 *
 * - Sliding windows answer over the last `durationMs` (samples newer than now - duration) or the last `count`
 *   samples, at any time.
 * - Tumbling windows collect samples into back-to-back buckets (time buckets aligned to multiples of the duration
 *   since the Unix epoch, or `count` samples) and answer over the last closed bucket.
 */
import type { AggregateFn } from "../expr/types.js";

/** Aggregates a window can answer. */
export type WindowFn = typeof AggregateFn.Avg | typeof AggregateFn.Min | typeof AggregateFn.Max | typeof AggregateFn.Sum | typeof AggregateFn.Count | typeof AggregateFn.Rate;

/** Most samples a sliding time window keeps by default; older ones are dropped first. */
export const DEFAULT_MAX_WINDOW_SAMPLES = 10_000;

/** Summary of a set of samples. */
interface Summary {
  count: number;
  sum: number;
  min: number;
  max: number;
  firstT: number;
  firstV: number;
  lastT: number;
  lastV: number;
}

function emptySummary(): Summary {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, firstT: 0, firstV: 0, lastT: 0, lastV: 0 };
}

function answer(s: Summary, fn: WindowFn): number | undefined {
  switch (fn) {
    case "count":
      return s.count;
    case "sum":
      return s.sum;
    case "avg":
      return s.count === 0 ? undefined : s.sum / s.count;
    case "min":
      return s.count === 0 ? undefined : s.min;
    case "max":
      return s.count === 0 ? undefined : s.max;
    case "rate": {
      const dt = s.lastT - s.firstT;
      return s.count < 2 || dt <= 0 ? undefined : (s.lastV - s.firstV) / (dt / 1000);
    }
  }
}

/** A window of one resource of one device, for one rule. */
export interface SampleWindow {
  /** Adds a sample. Returns true when it closed a tumbling window (the rule should be evaluated). */
  push(t: number, v: number): boolean;
  /** An aggregate at time `now`; undefined when it has no value (empty window, rate of fewer than two samples). */
  aggregate(fn: WindowFn, now: number): number | undefined;
}

/** The sliding window: a ring buffer with a running sum (recomputed now and then, so rounding cannot build up). */
export class SlidingWindow implements SampleWindow {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private size = 0;
  private sum = 0;
  private evictions = 0;

  /**
   * @param durationMs time window length, or undefined for a count window
   * @param capacity samples kept: the count of a count window, a bound for a time window
   */
  constructor(
    private readonly durationMs: number | undefined,
    capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(t: number, v: number): boolean {
    if (this.durationMs !== undefined) this.prune(t);
    if (this.size === this.times.length) this.evict();
    const i = (this.head + this.size) % this.times.length;
    this.times[i] = t;
    this.values[i] = v;
    this.size++;
    this.sum += v;
    return false;
  }

  aggregate(fn: WindowFn, now: number): number | undefined {
    if (this.durationMs !== undefined) this.prune(now);
    return answer(this.summary(fn), fn);
  }

  private summary(fn: WindowFn): Summary {
    const s = emptySummary();
    s.count = this.size;
    s.sum = this.size === 0 ? 0 : this.sum;
    if (this.size === 0) return s;
    const cap = this.times.length;
    const last = (this.head + this.size - 1) % cap;
    s.firstT = this.times[this.head]!;
    s.firstV = this.values[this.head]!;
    s.lastT = this.times[last]!;
    s.lastV = this.values[last]!;
    if (fn === "min" || fn === "max") {
      for (let k = 0; k < this.size; k++) {
        const v = this.values[(this.head + k) % cap]!;
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
      }
    }
    return s;
  }

  private prune(now: number): void {
    const oldest = now - this.durationMs!;
    while (this.size > 0 && this.times[this.head]! <= oldest) this.evict();
  }

  private evict(): void {
    this.sum -= this.values[this.head]!;
    this.head = (this.head + 1) % this.times.length;
    this.size--;
    if (this.size === 0) this.sum = 0;
    else if (++this.evictions % this.times.length === 0) this.resum();
  }

  private resum(): void {
    let sum = 0;
    for (let k = 0; k < this.size; k++) sum += this.values[(this.head + k) % this.times.length]!;
    this.sum = sum;
  }
}

/** The tumbling window: the current bucket's running summary, and the last closed bucket's. */
export class TumblingWindow implements SampleWindow {
  private current = emptySummary();
  private closed: Summary | undefined;
  /** End of the current time bucket, ms (exclusive); NaN before the first sample or close. */
  private end = Number.NaN;

  /** Exactly one of `durationMs` and `count`. */
  constructor(
    private readonly durationMs: number | undefined,
    private readonly count: number | undefined,
  ) {}

  push(t: number, v: number): boolean {
    let closed = false;
    if (this.durationMs !== undefined) {
      if (Number.isNaN(this.end)) this.end = this.bucketEnd(t);
      else if (t >= this.end) {
        this.close();
        this.end = this.bucketEnd(t);
        closed = true;
      }
    }
    const c = this.current;
    if (c.count === 0) {
      c.firstT = t;
      c.firstV = v;
    }
    c.count++;
    c.sum += v;
    if (v < c.min) c.min = v;
    if (v > c.max) c.max = v;
    c.lastT = t;
    c.lastV = v;
    if (this.count !== undefined && c.count >= this.count) {
      this.close();
      closed = true;
    }
    return closed;
  }

  /**
   * Closes the current time bucket when it ends at or before `boundary` (a timer at the boundary calls this, so a
   * bucket closes on time even when no reading follows it). Returns true when it closed one.
   */
  closeAt(boundary: number): boolean {
    if (this.durationMs === undefined) return false;
    if (!Number.isNaN(this.end) && this.end > boundary) return false;
    this.close();
    this.end = boundary + this.durationMs;
    return true;
  }

  aggregate(fn: WindowFn): number | undefined {
    return this.closed === undefined ? undefined : answer(this.closed, fn);
  }

  private close(): void {
    this.closed = this.current;
    this.current = emptySummary();
  }

  private bucketEnd(t: number): number {
    const d = this.durationMs!;
    return Math.floor(t / d) * d + d;
  }
}

/** The first time bucket boundary after `now` for a tumbling window of `durationMs`. */
export function nextBoundary(now: number, durationMs: number): number {
  return Math.floor(now / durationMs) * durationMs + durationMs;
}
