import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";
import type { Event, SimpleReading } from "@brink/contracts";
import { windowFunction } from "../../src/functions/window.js";
import { ctxOf, eventOf, harness, reading, testEnv } from "./helpers.js";

/** Readings arriving at `at` ms: [resource, value] pairs for one device. */
interface Arrival {
  at: number;
  device: string;
  values: [string, string][];
}

/** What a closed window emitted, as `device@closeMs: resource_fn=value ...`. */
function summary(events: readonly Event[]): string[] {
  return events.map((e) => {
    const readings = e.readings.map((r) => `${r.resourceName}=${(r as SimpleReading).value}`).join(" ");
    return `${e.deviceName}@${Number(e.origin / 1_000_000n)}: ${readings}${e.tags?.partial ? " (partial)" : ""}`;
  });
}

async function drive(params: Record<string, unknown>, arrivals: readonly Arrival[], until: number, clock: ReturnType<typeof FakeTimers.install>, stopAt?: number): Promise<Event[]> {
  const { runtime, out } = await harness(windowFunction(params, testEnv()));
  for (const a of arrivals) {
    await clock.tickAsync(a.at - clock.now);
    const result = await runtime.run(ctxOf(), eventOf(...a.values.map(([res, v]) => reading(res, v, a.at / 1000, { device: a.device }))));
    assert.equal(result.outcome, "held");
  }
  await clock.tickAsync(until - clock.now);
  if (stopAt !== undefined) {
    await clock.tickAsync(stopAt - clock.now);
    await runtime.stop();
  } else await runtime.stop();
  return out.collected as Event[];
}

describe("Window", () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ now: 0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });
  afterEach(() => clock.uninstall());

  it("tumbling: aggregates per device and resource per window, hand-computed", async () => {
    const arrivals: Arrival[] = [
      { at: 1000, device: "a", values: [["temp", "10"]] },
      { at: 4000, device: "a", values: [["temp", "20"]] },
      { at: 9000, device: "a", values: [["temp", "30"]] },
      { at: 9500, device: "b", values: [["temp", "5"]] },
      { at: 10000, device: "a", values: [["temp", "40"]] }, // same millisecond as the close at 10 s, after it: next window
      { at: 15000, device: "a", values: [["temp", "50"], ["hum", "60"]] },
      { at: 16000, device: "a", values: [["state", "NaN"]] }, // NaN is left out
    ];
    const events = await drive({ size: "10s", functions: ["avg", "min", "max", "count", "last"] }, arrivals, 30_000, clock);
    assert.deepEqual(summary(events), [
      "a@10000: temp_avg=2e+01 temp_min=1e+01 temp_max=3e+01 temp_count=3 temp_last=30",
      "b@10000: temp_avg=5e+00 temp_min=5e+00 temp_max=5e+00 temp_count=1 temp_last=5",
      "a@20000: temp_avg=4.5e+01 temp_min=4e+01 temp_max=5e+01 temp_count=2 temp_last=50 hum_avg=6e+01 hum_min=6e+01 hum_max=6e+01 hum_count=1 hum_last=60",
    ]);
    const first = events[0]!;
    assert.equal(first.sourceName, "src");
    assert.equal(first.tags?.windowStart, "0");
    assert.equal(first.tags?.windowEnd, String(10_000n * 1_000_000n));
    assert.deepEqual(first.readings.map((r) => r.valueType), ["Float64", "Float64", "Float64", "Uint64", "Float64"]);
    assert.deepEqual(first.readings[0]!.tags, { aggregate: "avg", window: "10s" });
  });

  it("sliding: windows of size closing every slide, hand-computed", async () => {
    const arrivals: Arrival[] = [1000, 4000, 6000, 11000, 14000].map((at, i) => ({ at, device: "a", values: [["temp", String((i + 1) * 10)]] }));
    const events = await drive({ type: "sliding", size: "10s", slide: "5s", functions: ["avg", "count", "max"] }, arrivals, 25_000, clock);
    assert.deepEqual(summary(events), [
      "a@5000: temp_avg=1.5e+01 temp_count=2 temp_max=2e+01",
      "a@10000: temp_avg=2e+01 temp_count=3 temp_max=3e+01",
      "a@15000: temp_avg=4e+01 temp_count=3 temp_max=5e+01",
      "a@20000: temp_avg=4.5e+01 temp_count=2 temp_max=5e+01",
    ]);
  });

  it("keeps integer types for min, max and last", async () => {
    const { runtime, out } = await harness(windowFunction({ size: "1s", functions: ["min", "max", "last", "avg"] }, testEnv()));
    for (const v of ["7", "-3", "12"]) await runtime.run(ctxOf(), eventOf(reading("count", v, 0, { valueType: "Int32" })));
    await clock.tickAsync(1000);
    await runtime.stop();
    const [e] = out.collected as Event[];
    assert.deepEqual(
      e!.readings.map((r) => [r.resourceName, r.valueType, (r as SimpleReading).value]),
      [
        ["count_min", "Int32", "-3"],
        ["count_max", "Int32", "12"],
        ["count_last", "Int32", "12"],
        ["count_avg", "Float64", "5.333333333333333e+00"],
      ],
    );
  });

  it("emits what is still open on stop, tagged partial", async () => {
    const events = await drive({ size: "10s", functions: ["avg"] }, [{ at: 22_000, device: "a", values: [["temp", "70"]] }], 22_000, clock, 23_000);
    assert.deepEqual(summary(events), ["a@23000: temp_avg=7e+01 (partial)"]);
  });

  it("rejects bad params at load", () => {
    assert.throws(
      () => windowFunction({ type: "sliding", size: "5s", slide: "10s", functions: ["avg", "median", "avg"] }, testEnv()),
      (err: { problems?: { path: string }[] }) =>
        JSON.stringify(err.problems?.map((p) => p.path).sort()) === JSON.stringify(["functions[1]", "functions[2]", "slide"]),
    );
    assert.throws(() => windowFunction({ type: "tumbling", size: "5s", slide: "1s" }, testEnv()), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "slide");
    assert.throws(() => windowFunction({}, testEnv()), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "size");
  });
});

describe("Window by origin time", () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ now: 1_000_000, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });
  afterEach(() => clock.uninstall());

  /** Runs events whose readings carry their own origin (ms), all arriving now, back to back. */
  async function replay(params: Record<string, unknown>, readings: readonly [number, string, string?][]) {
    const { runtime, out } = await harness(windowFunction({ time: "origin", ...params }, testEnv()));
    for (const [originMs, value, device] of readings) {
      await runtime.run(ctxOf(), eventOf(reading("temp", value, originMs / 1000, { device: device ?? "a" })));
    }
    return { runtime, out, events: () => out.collected as Event[] };
  }

  it("puts a replayed backlog in the windows it was measured in, closed as the origins pass them", async () => {
    // An hour-old backlog arriving in one burst: arrival-time windows would lump it into one.
    const { runtime, events } = await replay({ size: "10s", functions: ["avg", "count"] }, [
      [1000, "10"],
      [4000, "20"],
      [10_000, "30"], // exactly at a window end: belongs to (0, 10 s]
      [12_000, "40"],
      [25_000, "50"], // passes 20 s: closes (10 s, 20 s]
    ]);
    assert.deepEqual(summary(events()), ["a@10000: temp_avg=2e+01 temp_count=3", "a@20000: temp_avg=4e+01 temp_count=1"]);
    await runtime.stop();
    assert.deepEqual(summary(events()).slice(2), ["a@30000: temp_avg=5e+01 temp_count=1 (partial)"]);
  });

  it("waits `lateness` for out-of-order readings, then drops what comes later and counts it", async () => {
    const { runtime, events } = await replay({ size: "10s", lateness: "5s", functions: ["count", "last"] }, [
      [2000, "1"],
      [14_000, "2"], // watermark 9 s: (0, 10 s] still open
      [9000, "3"], // out of order, within lateness: counted in (0, 10 s]
      [16_000, "4"], // watermark 11 s: (0, 10 s] closes
      [8000, "5"], // its window has closed: late
      [31_000, "6"], // watermark 26 s: (10 s, 20 s] closes, tagged late=1
    ]);
    assert.deepEqual(summary(events()), ["a@10000: temp_count=2 temp_last=3", "a@20000: temp_count=2 temp_last=4"]);
    assert.equal(events()[0]!.tags?.late, undefined);
    assert.equal(events()[1]!.tags?.late, "1");
    await runtime.stop();
  });

  it("sliding windows by origin, aligned to multiples of the slide", async () => {
    const { runtime, events } = await replay({ type: "sliding", size: "10s", slide: "5s", functions: ["count"] }, [
      [1000, "1"],
      [6000, "2"],
      [11_000, "3"],
      [21_000, "4"],
    ]);
    assert.deepEqual(summary(events()), ["a@5000: temp_count=1", "a@10000: temp_count=2", "a@15000: temp_count=2", "a@20000: temp_count=1"]);
    await runtime.stop();
  });

  it("closes a silent device's window from the clock once no reading has come for a slide", async () => {
    const now = Date.now();
    const { runtime, events } = await replay({ size: "1s", functions: ["count"] }, [[now - 200, "1"]]);
    assert.equal(events().length, 0);
    await clock.tickAsync(3000);
    assert.equal(events().length, 1);
    assert.equal(events()[0]!.tags?.partial, undefined);
    assert.equal(events()[0]!.readings[0]!.resourceName, "temp_count");
    await runtime.stop();
    assert.equal(events().length, 1, "nothing left open to emit on stop");
  });

  it("refuses lateness with arrival time", () => {
    assert.throws(() => windowFunction({ size: "5s", lateness: "1s" }, testEnv()), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "lateness");
    assert.throws(() => windowFunction({ size: "5s", time: "event" }, testEnv()), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "time");
  });
});
