/**
 * One timer for every periodic task of the service: a min-heap of due times and a single `setTimeout` armed for
 * the earliest. 1,000 devices polled every second cost one timer, not 1,000 intervals.
 *
 * Schedules are drift-free: the next due time is the previous due time plus the interval, never "now plus the
 * interval", so a late tick does not push later ones back. Ticks are never fired in a burst to catch up:
 * - ticks missed while the event loop was blocked run once, late, and the rest are skipped;
 * - a tick that falls due while the task's previous run is still going runs as soon as that run ends (at most one,
 *   as Go's `time.Ticker` buffers one tick, so EdgeX's AutoEvents behave the same). An interval shorter than a
 *   run therefore polls back to back, as fast as the device answers.
 */

/** The clock the scheduler runs on (global timers by default; fake timers in tests). */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Monotonic and sub-millisecond: a wall-clock step (NTP on a gateway) neither bursts nor stalls the schedule. */
const SYSTEM_CLOCK: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Lateness and skip counters, for /metrics and tests. */
export interface SchedulerStats {
  /** Live tasks. */
  readonly tasks: number;
  /** Runs started. */
  readonly runs: number;
  /** Ticks skipped: missed while the loop was blocked, or while the task's previous run was still going. */
  readonly skipped: number;
  /** Largest delay between a due time and the run it started, ms. */
  readonly maxLatenessMs: number;
  /** Mean of those delays, ms. */
  readonly meanLatenessMs: number;
  /** 99th percentile of the delays of the last {@link LATENESS_WINDOW} runs, ms. */
  readonly p99LatenessMs: number;
}

/** How many recent runs the lateness percentile is computed over. */
export const LATENESS_WINDOW = 4096;

/** A scheduled task; `cancel()` is idempotent. */
export interface ScheduledTask {
  readonly intervalMs: number;
  /** The next due time, ms on the scheduler's clock. */
  readonly nextDueMs: number;
  cancel(): void;
}

interface Entry {
  /** The due time of the task's next run (passed while a run that outlived it is still going). */
  due: number;
  /** Bumped whenever `due` moves outside the heap, so the node holding the old time is ignored. */
  gen: number;
  readonly seq: number;
  readonly intervalMs: number;
  readonly run: () => Promise<void> | void;
  running: boolean;
  cancelled: boolean;
}

/** A heap node: a task and the due time it was queued for. */
interface Node {
  readonly due: number;
  readonly gen: number;
  readonly entry: Entry;
}

/** See the module comment. */
export class Scheduler {
  private readonly heap: Node[] = [];
  private readonly clock: SchedulerClock;
  private timer: unknown = undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private seq = 0;
  private live = 0;
  private runs = 0;
  private skipped = 0;
  private latenessSum = 0;
  private latenessMax = 0;
  /** Ring of recent lateness samples; sorted only when stats() is asked for (at scrape time). */
  private readonly recent = new Float64Array(LATENESS_WINDOW);

  constructor(clock: SchedulerClock = SYSTEM_CLOCK) {
    this.clock = clock;
  }

  /**
   * Runs `run` every `intervalMs`, first after `firstDelayMs` (default: one interval). A run that throws or rejects
   * is the task's business: the scheduler ignores the outcome and keeps the schedule.
   */
  schedule(intervalMs: number, run: () => Promise<void> | void, firstDelayMs: number = intervalMs): ScheduledTask {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new RangeError(`interval must be a positive number of ms, got ${intervalMs}`);
    const entry: Entry = { due: this.clock.now() + Math.max(0, firstDelayMs), gen: 0, seq: this.seq++, intervalMs, run, running: false, cancelled: false };
    this.push(entry);
    this.live++;
    this.arm();
    return {
      intervalMs,
      get nextDueMs() {
        return entry.due;
      },
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        this.live--;
        if (this.heap.length > 64 && this.heap.length > 2 * this.live) this.compact();
      },
    };
  }

  /** Counters since start. */
  stats(): SchedulerStats {
    return {
      tasks: this.live,
      runs: this.runs,
      skipped: this.skipped,
      maxLatenessMs: this.latenessMax,
      meanLatenessMs: this.runs === 0 ? 0 : this.latenessSum / this.runs,
      p99LatenessMs: this.recentPercentile(99),
    };
  }

  private recentPercentile(p: number): number {
    const n = Math.min(this.runs, LATENESS_WINDOW);
    if (n === 0) return 0;
    const sorted = this.recent.slice(0, n).sort();
    return sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]!;
  }

  /** Cancels every task and the timer (tasks may be scheduled again afterwards). */
  stop(): void {
    for (const n of this.heap) n.entry.cancelled = true;
    this.heap.length = 0;
    this.live = 0;
    this.disarm();
  }

  private tick(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const node = this.pop()!;
      const e = node.entry;
      // A task still running keeps its passed due time and no node: the end of its run starts the next one.
      if (stale(node) || e.running) continue;
      // Drift-free: next due = due + k * interval, the first such time after now; the k - 1 missed ticks are skipped.
      const k = Math.floor((now - e.due) / e.intervalMs) + 1;
      const due = e.due;
      this.skipped += k - 1;
      e.due += k * e.intervalMs;
      this.push(e);
      this.fire(e, due);
    }
    this.arm();
  }

  /** The end of a run: when the task's next due time has passed meanwhile, run it now for the latest tick. */
  private finished(e: Entry): void {
    e.running = false;
    if (e.cancelled) return;
    const now = this.clock.now();
    if (e.due > now) return;
    const k = Math.floor((now - e.due) / e.intervalMs);
    this.skipped += k;
    const due = e.due + k * e.intervalMs;
    e.due = due + e.intervalMs;
    e.gen++;
    this.push(e);
    this.arm();
    this.fire(e, due);
  }

  /** Starts a run for the tick due at `due`. A run that returns no promise is over when it returns. */
  private fire(e: Entry, due: number): void {
    // Measured when the run starts, not when the tick began: runs fired late in a busy tick count as late.
    const lateBy = Math.max(0, this.clock.now() - due);
    this.recent[this.runs % LATENESS_WINDOW] = lateBy;
    this.runs++;
    this.latenessSum += lateBy;
    if (lateBy > this.latenessMax) this.latenessMax = lateBy;
    e.running = true;
    let r: Promise<void> | void;
    try {
      r = e.run();
    } catch {
      r = undefined;
    }
    if (r !== undefined && typeof (r as Promise<void>).then === "function") {
      const done = (): void => this.finished(e);
      (r as Promise<void>).then(done, done);
    } else {
      e.running = false;
    }
  }

  private arm(): void {
    while (this.heap.length > 0 && stale(this.heap[0]!)) this.pop();
    const top = this.heap[0];
    if (top === undefined) {
      this.disarm();
      return;
    }
    if (this.timer !== undefined && this.armedFor <= top.due) return;
    this.disarm();
    this.armedFor = top.due;
    const handle = this.clock.setTimeout(() => this.tick(), Math.max(0, top.due - this.clock.now()));
    if (typeof handle === "object" && handle !== null && typeof (handle as { unref?: () => void }).unref === "function") {
      (handle as { unref: () => void }).unref();
    }
    this.timer = handle;
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private compact(): void {
    const live = this.heap.filter((n) => !stale(n));
    this.heap.length = 0;
    for (const n of live) this.pushNode(n);
  }

  private less(a: Node, b: Node): boolean {
    return a.due < b.due || (a.due === b.due && a.entry.seq < b.entry.seq);
  }

  private push(e: Entry): void {
    this.pushNode({ due: e.due, gen: e.gen, entry: e });
  }

  private pushNode(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Node | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** True when a node no longer stands for its task's schedule (cancelled, or its due time moved). */
function stale(n: Node): boolean {
  return n.entry.cancelled || n.gen !== n.entry.gen;
}
