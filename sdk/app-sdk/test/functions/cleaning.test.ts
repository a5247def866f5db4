import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";
import { ValidationError, type Event, type SimpleReading } from "@brink/contracts";
import { AppSdkErrorCode } from "../../src/errors.js";
import { deadband } from "../../src/functions/cleaning/deadband.js";
import { dedupe } from "../../src/functions/cleaning/dedupe.js";
import { nanFilter } from "../../src/functions/cleaning/nan-filter.js";
import { rangeCheck } from "../../src/functions/cleaning/range-check.js";
import { spikeFilter } from "../../src/functions/cleaning/spike-filter.js";
import { STUCK_ALERT_SOURCE, stuckSensor } from "../../src/functions/cleaning/stuck-sensor.js";
import type { FunctionFactory, PipelineData } from "../../src/types.js";
import { ctxOf, eventOf, reading, runAll, series, testEnv, valuesOf } from "./helpers.js";

// A recorded temperature sequence, one reading a second from t=0: noise, a NaN, a spike, a sensor fault at -40,
// a stuck stretch, an infinity.
const RECORDED = ["21.0", "21.1", "21.1", "NaN", "21.4", "85.0", "21.5", "-40.0", "21.9", "22.6", "22.6", "22.6", "22.6", "+Inf", "22.7"];

function readingsOf(collected: readonly PipelineData[]): SimpleReading[] {
  return collected.flatMap((d) => (d as Event).readings as SimpleReading[]);
}

function tagged(collected: readonly PipelineData[], tag: string): Record<string, unknown>[] {
  return readingsOf(collected)
    .filter((r) => r.tags?.[tag] !== undefined)
    .map((r) => ({ value: r.value, at: Number(r.origin / 1_000_000_000n), [tag]: r.tags![tag] }));
}

interface Case {
  name: string;
  factory: FunctionFactory;
  params: Record<string, unknown>;
  profiles?: Record<string, { minimum?: number; maximum?: number }>;
  expected: string[];
}

const CASES: Case[] = [
  { name: "Deadband absolute 0.5", factory: deadband, params: { absolute: 0.5 }, expected: ["21.0", "NaN", "85.0", "21.5", "-40.0", "21.9", "22.6", "+Inf", "22.7"] },
  { name: "Deadband 1 percent", factory: deadband, params: { percent: 1 }, expected: ["21.0", "NaN", "21.4", "85.0", "21.5", "-40.0", "21.9", "22.6", "+Inf", "22.7"] },
  {
    name: "Deadband absolute 0.5 with maxInterval 3s",
    factory: deadband,
    params: { absolute: 0.5, maxInterval: "3s" },
    expected: ["21.0", "NaN", "21.4", "85.0", "21.5", "-40.0", "21.9", "22.6", "22.6", "+Inf", "22.7"],
  },
  { name: "NaNFilter drop", factory: nanFilter, params: {}, expected: RECORDED.filter((v) => v !== "NaN" && v !== "+Inf") },
  { name: "NaNFilter without infinity", factory: nanFilter, params: { infinity: false }, expected: RECORDED.filter((v) => v !== "NaN") },
  { name: "RangeCheck drop, configured", factory: rangeCheck, params: { minimum: -20, maximum: 50 }, expected: RECORDED.filter((v) => !["85.0", "-40.0", "+Inf"].includes(v)) },
  {
    name: "RangeCheck drop, bounds from the profile",
    factory: rangeCheck,
    params: {},
    profiles: { "prof/temp": { minimum: -20, maximum: 50 } },
    expected: RECORDED.filter((v) => !["85.0", "-40.0", "+Inf"].includes(v)),
  },
  {
    name: "RangeCheck: a resources entry wins over the profile",
    factory: rangeCheck,
    params: { resources: { temp: { maximum: 22 } } },
    profiles: { "prof/temp": { minimum: -20, maximum: 50 } },
    expected: ["21.0", "21.1", "21.1", "NaN", "21.4", "21.5", "-40.0", "21.9"],
  },
  {
    name: "RangeCheck clamp",
    factory: rangeCheck,
    params: { minimum: -20, maximum: 50, action: "clamp" },
    expected: ["21.0", "21.1", "21.1", "NaN", "21.4", "5e+01", "21.5", "-2e+01", "21.9", "22.6", "22.6", "22.6", "22.6", "5e+01", "22.7"],
  },
  { name: "SpikeFilter 10 per second", factory: spikeFilter, params: { maxRatePerSecond: 10 }, expected: RECORDED.filter((v) => v !== "85.0" && v !== "-40.0") },
  { name: "StuckSensor drop after 4 samples", factory: stuckSensor, params: { samples: 4, action: "drop" }, expected: RECORDED.filter((_, i) => i !== 12) },
  { name: "StuckSensor drop after 2s", factory: stuckSensor, params: { duration: "2s", action: "drop" }, expected: RECORDED.filter((_, i) => i !== 11 && i !== 12) },
];

describe("cleaning functions on a recorded sequence", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const fn = c.factory(c.params, testEnv({ profiles: c.profiles ?? {} }));
      assert.deepEqual(valuesOf(await runAll(fn, series("temp", RECORDED))), c.expected);
    });
  }

  it("Deadband keeps a reference per device and resource", async () => {
    const fn = deadband({ absolute: 1 }, testEnv());
    const input = [
      eventOf(reading("temp", "10", 0, { device: "a" }), reading("hum", "50", 0, { device: "a" })),
      eventOf(reading("temp", "10", 0, { device: "b" })),
      eventOf(reading("temp", "10.5", 1, { device: "a" }), reading("hum", "52", 1, { device: "a" })),
      eventOf(reading("temp", "11.5", 1, { device: "b" })),
    ];
    const out = (await runAll(fn, input)) as Event[];
    assert.deepEqual(
      out.map((e) => `${e.deviceName}:${e.readings.map((r) => `${r.resourceName}=${(r as SimpleReading).value}`).join(",")}`),
      ["a:temp=10,hum=50", "b:temp=10", "a:hum=52", "b:temp=11.5"],
    );
  });

  it("NaNFilter tag marks NaN and infinities", async () => {
    const out = await runAll(nanFilter({ action: "tag" }, testEnv()), series("temp", RECORDED));
    assert.equal(readingsOf(out).length, RECORDED.length);
    assert.deepEqual(tagged(out, "invalidNumber"), [
      { value: "NaN", at: 3, invalidNumber: "NaN" },
      { value: "+Inf", at: 13, invalidNumber: "+Inf" },
    ]);
  });

  it("RangeCheck tag marks the side", async () => {
    const out = await runAll(rangeCheck({ minimum: -20, maximum: 50, action: "tag", tag: "bad" }, testEnv()), series("temp", RECORDED));
    assert.deepEqual(tagged(out, "bad"), [
      { value: "85.0", at: 5, bad: "above" },
      { value: "-40.0", at: 7, bad: "below" },
      { value: "+Inf", at: 13, bad: "above" },
    ]);
  });

  it("RangeCheck clamps integers to whole bounds", async () => {
    const out = await runAll(rangeCheck({ minimum: 0.5, maximum: 255, action: "clamp" }, testEnv()), series("level", ["300", "-3", "7"], { valueType: "Int16" }));
    assert.deepEqual(valuesOf(out), ["255", "1", "7"]);
  });

  it("SpikeFilter tag reports the rate", async () => {
    const out = await runAll(spikeFilter({ maxRatePerSecond: 10, action: "tag" }, testEnv()), series("temp", RECORDED));
    assert.deepEqual(
      tagged(out, "spike").map((t) => [t.value, Math.round(Number(t.spike) * 10) / 10]),
      [
        ["85.0", 63.6],
        ["-40.0", 61.5],
      ],
    );
  });

  it("SpikeFilter accepts a real step change once its rate falls under the limit", async () => {
    const out = await runAll(spikeFilter({ maxRatePerSecond: 10 }, testEnv()), series("temp", ["20", "50", "50", "50", "50"]));
    // The reference stays at 20 (t=0): 30/s at t=1 and 15/s at t=2 are spikes, 10/s at t=3 is not above the limit.
    assert.deepEqual(valuesOf(out), ["20", "50", "50"]);
  });

  it("StuckSensor tag marks readings once the value repeated samples times", async () => {
    const out = await runAll(stuckSensor({ samples: 3 }, testEnv()), series("temp", RECORDED));
    assert.deepEqual(tagged(out, "stuck"), [
      { value: "22.6", at: 11, stuck: "true" },
      { value: "22.6", at: 12, stuck: "true" },
    ]);
  });

  it("StuckSensor event emits one alert per episode, ahead of the reading that made it stuck", async () => {
    const out = await runAll(stuckSensor({ samples: 3, action: "event" }, testEnv()), series("temp", RECORDED));
    const events = out as Event[];
    assert.equal(events.length, RECORDED.length + 1);
    const alertAt = events.findIndex((e) => e.sourceName === STUCK_ALERT_SOURCE);
    assert.equal(alertAt, 11);
    const alert = events[alertAt]!.readings[0] as SimpleReading;
    assert.equal(alert.value, "22.6");
    assert.equal(alert.tags?.stuck, "true");
    assert.equal(alert.tags?.stuckSamples, "3");
    assert.equal(alert.tags?.stuckSince, String(9n * 1_000_000_000n));
    assert.equal((events[alertAt + 1]!.readings[0] as SimpleReading).origin, 11n * 1_000_000_000n);
  });

  it("reject bad params with every problem at load", () => {
    const cases: [FunctionFactory, Record<string, unknown>, string[]][] = [
      [deadband, {}, ["absolute"]],
      [deadband, { absolute: 1, percent: 2, maxInterval: "soon" }, ["absolute", "maxInterval"]],
      [rangeCheck, { minimum: 5, maximum: 1, action: "explode" }, ["action", "minimum"]],
      [rangeCheck, { useProfile: false }, ["useProfile"]],
      [spikeFilter, { maxRatePerSecond: -1 }, ["maxRatePerSecond"]],
      [stuckSensor, { samples: 1 }, ["samples"]],
      [stuckSensor, {}, ["samples"]],
      [dedupe, { lastN: 0, window: 5 }, ["lastN", "window"]],
      [nanFilter, { action: "clamp" }, ["action"]],
    ];
    for (const [factory, params, paths] of cases) {
      assert.throws(
        () => factory(params, testEnv()),
        (err: unknown) => err instanceof ValidationError && err.code === AppSdkErrorCode.FunctionParamsInvalid && JSON.stringify(err.problems.map((p) => p.path).sort()) === JSON.stringify(paths),
        JSON.stringify(params),
      );
    }
  });
});

describe("Dedupe", () => {
  let clock: ReturnType<typeof FakeTimers.install> | undefined;
  afterEach(() => clock?.uninstall());

  const at = (v: string, s: number, device = "dev1"): Event => eventOf(reading("temp", v, s, { device }));

  it("drops a reading with the same device, resource, origin and value", async () => {
    const out = await runAll(dedupe({}, testEnv()), [at("5", 1), at("5", 1), at("5", 2), at("6", 1), at("5", 1, "dev2"), at("5", 1)]);
    assert.deepEqual(
      (out as Event[]).map((e) => `${e.deviceName}@${Number(e.origin / 1_000_000_000n)}=${(e.readings[0] as SimpleReading).value}`),
      ["dev1@1=5", "dev1@2=5", "dev1@1=6", "dev2@1=5"],
    );
  });

  it("forgets all but the last N", async () => {
    const out = await runAll(dedupe({ lastN: 2 }, testEnv()), [at("5", 1), at("5", 2), at("5", 3), at("5", 1), at("5", 3)]);
    assert.deepEqual(valuesOf(out).length, 4);
  });

  it("forgets what it saw longer ago than the window", async () => {
    clock = FakeTimers.install({ now: 0, toFake: ["Date"] });
    const fn = dedupe({ window: "10s" }, testEnv());
    const seen: boolean[] = [];
    for (const advance of [0, 5000, 5000, 1]) {
      clock.tick(advance);
      seen.push(fn.process(ctxOf(), at("5", 1)) !== undefined);
    }
    assert.deepEqual(seen, [true, false, false, true]);
  });
});
