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
