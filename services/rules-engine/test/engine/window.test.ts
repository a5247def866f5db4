/**
 * Window aggregates against hand-computed tables: each row feeds one sample (time ms, value) and lists what the
 * aggregates must be right after it.
 */
import { strict as assert } from "node:assert";
import { SlidingWindow, TumblingWindow, nextBoundary, type WindowFn } from "../../src/engine/window.js";

type Row = { t: number; v: number; expect: Partial<Record<WindowFn, number | undefined>>; closed?: boolean };

function check(window: SlidingWindow | TumblingWindow, rows: Row[]): void {
  for (const [i, row] of rows.entries()) {
    const closed = window.push(row.t, row.v);
    if (row.closed !== undefined) assert.equal(closed, row.closed, `row ${i}: closed`);
    for (const [fn, want] of Object.entries(row.expect) as [WindowFn, number | undefined][]) {
      const got = window.aggregate(fn, row.t);
      if (want === undefined || got === undefined) assert.equal(got, want, `row ${i} (t=${row.t}): ${fn}`);
      else assert.ok(Math.abs(got - want) < 1e-9, `row ${i} (t=${row.t}): ${fn} = ${got}, want ${want}`);
    }
  }
}

describe("SlidingWindow", () => {
  it("by count (3): the last three samples", () => {
    check(new SlidingWindow(undefined, 3), [
      { t: 0, v: 10, expect: { count: 1, sum: 10, avg: 10, min: 10, max: 10, rate: undefined } },
      { t: 1000, v: 20, expect: { count: 2, sum: 30, avg: 15, min: 10, max: 20, rate: 10 } },
      { t: 2000, v: 6, expect: { count: 3, sum: 36, avg: 12, min: 6, max: 20, rate: -2 } },
      // 10 leaves: 20, 6, 40
      { t: 4000, v: 40, expect: { count: 3, sum: 66, avg: 22, min: 6, max: 40, rate: 20 / 3 } },
      // 20 leaves: 6, 40, -5
      { t: 5000, v: -5, expect: { count: 3, sum: 41, avg: 41 / 3, min: -5, max: 40, rate: -11 / 3 } },
    ]);
  });

  it("by time (10 s): samples newer than now - 10 s", () => {
    const w = new SlidingWindow(10_000, 100);
    check(w, [
      { t: 0, v: 1, expect: { count: 1, avg: 1, sum: 1 } },
      { t: 4_000, v: 3, expect: { count: 2, avg: 2, sum: 4, rate: 0.5 } },
      { t: 9_000, v: 8, expect: { count: 3, avg: 4, max: 8, min: 1, rate: 7 / 9 } },
      // t=0 is exactly 10 s old: out. Left: 3 (4 s), 8 (9 s), 2 (10 s)
      { t: 10_000, v: 2, expect: { count: 3, sum: 13, avg: 13 / 3, min: 2, max: 8, rate: -1 / 6 } },
      // Left: 5 (25 s) alone
      { t: 25_000, v: 5, expect: { count: 1, sum: 5, avg: 5, min: 5, max: 5, rate: undefined } },
    ]);
    // Without new samples the window still moves: at 36 s everything is older than 10 s.
    assert.equal(w.aggregate("count", 36_000), 0);
    assert.equal(w.aggregate("sum", 36_000), 0);
    assert.equal(w.aggregate("avg", 36_000), undefined);
    assert.equal(w.aggregate("max", 36_000), undefined);
  });

  it("by time, bounded: the oldest samples go first past the capacity", () => {
    check(new SlidingWindow(60_000, 2), [
      { t: 0, v: 1, expect: { count: 1 } },
      { t: 1, v: 2, expect: { count: 2, sum: 3 } },
      { t: 2, v: 4, expect: { count: 2, sum: 6, min: 2 } },
    ]);
  });

  it("keeps its running sum exact over many evictions", () => {
    const w = new SlidingWindow(undefined, 4);
    for (let i = 0; i < 10_000; i++) w.push(i, 0.1 * (i % 7));
    // last four: i = 9996..9999 -> i % 7 = 0, 1, 2, 3
    assert.ok(Math.abs(w.aggregate("sum", 0)! - 0.6) < 1e-12);
  });
});

describe("TumblingWindow", () => {
  it("by count (3): answers over the last closed window and reports each close", () => {
    check(new TumblingWindow(undefined, 3), [
      { t: 0, v: 4, closed: false, expect: { count: undefined, avg: undefined } },
      { t: 1000, v: 8, closed: false, expect: { avg: undefined } },
      { t: 2000, v: 6, closed: true, expect: { count: 3, sum: 18, avg: 6, min: 4, max: 8, rate: 1 } },
      { t: 3000, v: 100, closed: false, expect: { avg: 6 } },
      { t: 4000, v: 0, closed: false, expect: { avg: 6 } },
      { t: 6000, v: 50, closed: true, expect: { count: 3, sum: 150, avg: 50, min: 0, max: 100, rate: -50 / 3 } },
    ]);
  });

  it("by time (10 s): buckets aligned to multiples of 10 s, closed by the next sample or at the boundary", () => {
    const w = new TumblingWindow(10_000, undefined);
    check(w, [
      { t: 3_000, v: 2, closed: false, expect: { count: undefined } },
      { t: 7_000, v: 4, closed: false, expect: { avg: undefined } },
      // 12 s is in the next bucket: [0, 10) closes with 2 and 4
      { t: 12_000, v: 9, closed: true, expect: { count: 2, sum: 6, avg: 3, min: 2, max: 4, rate: 0.5 } },
    ]);
    // the timer at 20 s closes [10, 20) holding 9
    assert.equal(w.closeAt(20_000), true);
    assert.equal(w.aggregate("count"), 1);
    assert.equal(w.aggregate("avg"), 9);
    // [20, 30) had nothing: count 0, sum 0, no average
    assert.equal(w.closeAt(30_000), true);
    assert.equal(w.aggregate("count"), 0);
    assert.equal(w.aggregate("sum"), 0);
    assert.equal(w.aggregate("avg"), undefined);
    // closing again at the same boundary changes nothing
    assert.equal(w.closeAt(30_000), false);
  });

  it("nextBoundary is the next multiple of the duration", () => {
    assert.equal(nextBoundary(0, 1000), 1000);
    assert.equal(nextBoundary(999, 1000), 1000);
    assert.equal(nextBoundary(1000, 1000), 2000);
  });
});
