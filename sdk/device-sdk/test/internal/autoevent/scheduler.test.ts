import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";
import { Scheduler, type SchedulerClock } from "../../../src/internal/autoevent/scheduler.js";

function fakeClock(): { clock: FakeTimers.Clock; schedulerClock: SchedulerClock } {
  const clock = FakeTimers.createClock(0);
  return {
    clock,
    schedulerClock: {
      now: () => clock.now,
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => clock.clearTimeout(h as FakeTimers.TimerId),
    },
  };
}

describe("Scheduler", () => {
  it("runs a task every interval, first one interval after scheduling", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const runs: number[] = [];
    s.schedule(1000, () => void runs.push(clock.now));
    clock.tick(999);
    assert.deepEqual(runs, []);
    clock.tick(3001);
    assert.deepEqual(runs, [1000, 2000, 3000, 4000]);
    s.stop();
  });

  it("reports the p99 lateness of recent runs, measured when each run starts", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    let first = true;
    // 100 tasks due at the same time; the first run blocks the loop for 30 ms, so the 99 after it start 30 ms late.
    for (let i = 0; i < 100; i++) {
      s.schedule(1000, () => {
        if (first) {
          first = false;
          clock.now += 30;
        }
      });
    }
    clock.tick(1000);
    const stats = s.stats();
    assert.equal(stats.runs, 100);
    assert.equal(stats.p99LatenessMs, 30);
    assert.equal(stats.maxLatenessMs, 30);
    s.stop();
  });

  it("keeps one timer for many tasks", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    let runs = 0;
    for (let i = 0; i < 1000; i++) s.schedule(1000 + (i % 7), () => void runs++);
    assert.equal(clock.countTimers(), 1);
    clock.tick(1010);
    assert.equal(runs, 1000);
    assert.equal(clock.countTimers(), 1);
    s.stop();
    assert.equal(clock.countTimers(), 0);
  });

  it("is drift-free: a late tick does not push the following ones back", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const runs: number[] = [];
    s.schedule(1000, () => void runs.push(clock.now));
    // something blocks the event loop for 300 ms at t=1500, so the 2000 tick fires at 2300
    clock.setTimeout(() => clock.setSystemTime(clock.now + 300), 1500);
    clock.tick(4000);
    assert.deepEqual(runs, [1000, 2300, 3000, 4000]);
    assert.equal(s.stats().maxLatenessMs, 300);
    assert.equal(s.stats().skipped, 0);
    s.stop();
  });

  it("skips ticks missed while the loop was blocked instead of bursting", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const runs: number[] = [];
    s.schedule(1000, () => void runs.push(clock.now));
    // blocked for 2500 ms at t=1500: the 2000 tick fires at 4500; 3000 and 4000 are skipped, not burst
    clock.setTimeout(() => clock.setSystemTime(clock.now + 2500), 1500);
    clock.tick(5000);
    assert.deepEqual(runs, [1000, 4500, 5000, 6000, 7000]);
    assert.equal(s.stats().skipped, 2);
    assert.equal(s.stats().maxLatenessMs, 2500);
    assert.equal(s.stats().runs, 5);
    s.stop();
  });

  it("runs a tick that fell due during the previous run when that run ends, once, as Go's ticker", async () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const starts: number[] = [];
    s.schedule(1000, async () => {
      starts.push(clock.now);
      if (starts.length === 1) await new Promise<void>((resolve) => clock.setTimeout(() => resolve(), 2500));
    });
    await clock.tickAsync(5000);
    // the run of 1000 ends at 3500: the 2000 tick is skipped, the 3000 tick runs at once (500 ms late), then 4000, 5000
    assert.deepEqual(starts, [1000, 3500, 4000, 5000]);
    assert.equal(s.stats().skipped, 1);
    assert.equal(s.stats().maxLatenessMs, 500);
    s.stop();
  });

  it("polls back to back when the interval is shorter than a run", async () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const starts: number[] = [];
    s.schedule(0.1, async () => {
      starts.push(clock.now);
      await new Promise<void>((resolve) => clock.setTimeout(() => resolve(), 3));
    });
    await clock.tickAsync(31);
    // every run takes 3 ms; each one starts when the previous one ends
    assert.ok(starts.length >= 9, `${starts.length} runs in 31 ms`);
    assert.deepEqual(
      starts.slice(1).map((t, i) => t - starts[i]!),
      starts.slice(1).map(() => 3),
    );
    s.stop();
  });

  it("does not run a cancelled task when its long run ends", async () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    let runs = 0;
    const task = s.schedule(1000, async () => {
      runs++;
      await new Promise<void>((resolve) => clock.setTimeout(() => resolve(), 2500));
    });
    await clock.tickAsync(1500);
    task.cancel();
    await clock.tickAsync(5000);
    assert.equal(runs, 1);
    s.stop();
  });

  it("keeps the schedule when a run throws or rejects", async () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    let a = 0;
    let b = 0;
    s.schedule(1000, () => {
      a++;
      throw new Error("boom");
    });
    s.schedule(1000, async () => {
      b++;
      throw new Error("boom");
    });
    await clock.tickAsync(3000);
    assert.equal(a, 3);
    assert.equal(b, 3);
    s.stop();
  });

  it("stops a cancelled task and disarms when none is left", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    let runs = 0;
    const t = s.schedule(1000, () => void runs++);
    clock.tick(1000);
    t.cancel();
    t.cancel();
    clock.tick(5000);
    assert.equal(runs, 1);
    assert.equal(s.stats().tasks, 0);
    assert.equal(clock.countTimers(), 0);
  });

  it("re-arms for an earlier task scheduled after a later one", () => {
    const { clock, schedulerClock } = fakeClock();
    const s = new Scheduler(schedulerClock);
    const runs: string[] = [];
    s.schedule(10_000, () => void runs.push("slow"));
    s.schedule(100, () => void runs.push("fast"));
    clock.tick(100);
    assert.deepEqual(runs, ["fast"]);
    s.stop();
  });

  it("refuses a non-positive interval", () => {
    const s = new Scheduler(fakeClock().schedulerClock);
    assert.throws(() => s.schedule(0, () => undefined), RangeError);
  });
});
