import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";
import { pino } from "pino";
import { ErrorKind, ServiceError, type AutoEvent, type Device, type Event } from "@brink/contracts";
import { AutoEventManager } from "../../../src/internal/autoevent/auto-event-manager.js";
import { Scheduler } from "../../../src/internal/autoevent/scheduler.js";

function device(name: string, autoEvents: AutoEvent[], adminState: Device["adminState"] = "UNLOCKED"): Device {
  return { name, adminState, operatingState: "UP", serviceName: "svc", profileName: "p", protocols: {}, autoEvents };
}

function parseMs(text: string): number {
  const m = /^(\d+)(ms|s)$/.exec(text);
  if (!m) throw new Error(`bad duration ${text}`);
  return Number(m[1]) * (m[2] === "s" ? 1000 : 1);
}

function setup() {
  const clock = FakeTimers.createClock(0);
  const scheduler = new Scheduler({ now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as FakeTimers.TimerId) });
  const reads: string[] = [];
  const published: Event[] = [];
  const values = new Map<string, string>();
  let failWith: Error | undefined;
  const runner = {
    async executeRead(deviceName: string, sourceName: string): Promise<Event> {
      reads.push(`${deviceName}/${sourceName}`);
      if (failWith) throw failWith;
      const value = values.get(deviceName) ?? "1";
      return { id: "x", deviceName, profileName: "p", sourceName, origin: BigInt(clock.now), readings: [{ origin: 1n, deviceName, profileName: "p", resourceName: sourceName, valueType: "Int32", value }] };
    },
    async publish(event: Event): Promise<void> {
      published.push(event);
    },
  };
  const manager = new AutoEventManager({ scheduler, runner, logger: pino({ level: "silent" }), parseIntervalMs: parseMs });
  return { clock, manager, reads, published, values, fail: (e: Error | undefined) => (failWith = e), scheduler };
}

describe("AutoEventManager", () => {
  it("polls each AutoEvent at its interval and publishes every event", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a" }, { interval: "500ms", sourceName: "b" }]));
    await t.clock.tickAsync(2000);
    assert.equal(t.reads.filter((r) => r === "d1/a").length, 2);
    assert.equal(t.reads.filter((r) => r === "d1/b").length, 4);
    assert.equal(t.published.length, 6);
    t.manager.stop();
  });

  it("with onChange publishes only changed readings", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a", onChange: true }]));
    await t.clock.tickAsync(3000);
    assert.equal(t.published.length, 1);
    t.values.set("d1", "2");
    await t.clock.tickAsync(2000);
    assert.equal(t.published.length, 2);
    assert.equal(t.reads.length, 5);
    t.manager.stop();
  });

  it("with onChangeThreshold ignores small numeric changes", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a", onChange: true, onChangeThreshold: 10 }]));
    t.values.set("d1", "100");
    await t.clock.tickAsync(1000);
    t.values.set("d1", "105");
    await t.clock.tickAsync(1000);
    assert.equal(t.published.length, 1);
    t.values.set("d1", "111");
    await t.clock.tickAsync(1000);
    assert.equal(t.published.length, 2);
    t.manager.stop();
  });

  it("stops while the device is LOCKED and restarts on UNLOCK", async () => {
    const t = setup();
    const d = device("d1", [{ interval: "1s", sourceName: "a" }]);
    t.manager.upsert(d);
    await t.clock.tickAsync(1000);
    t.manager.upsert({ ...d, adminState: "LOCKED" });
    assert.equal(t.manager.scheduledCount("d1"), 0);
    await t.clock.tickAsync(3000);
    assert.equal(t.reads.length, 1);
    t.manager.upsert(d);
    await t.clock.tickAsync(1000);
    assert.equal(t.reads.length, 2);
    t.manager.stop();
  });

  it("stops every device while the service is LOCKED", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a" }]));
    t.manager.upsert(device("d2", [{ interval: "1s", sourceName: "a" }]));
    t.manager.setServiceLocked(true);
    await t.clock.tickAsync(3000);
    assert.equal(t.reads.length, 0);
    t.manager.setServiceLocked(false);
    await t.clock.tickAsync(1000);
    assert.equal(t.reads.length, 2);
    t.manager.stop();
  });

  it("stops a removed device and restarts an updated one with its new schedule", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a" }]));
    t.manager.upsert(device("d1", [{ interval: "2s", sourceName: "a" }]));
    await t.clock.tickAsync(4000);
    assert.equal(t.reads.length, 2);
    t.manager.remove("d1");
    await t.clock.tickAsync(4000);
    assert.equal(t.reads.length, 2);
    assert.equal(t.clock.countTimers(), 0);
  });

  it("keeps the schedule when only other fields of the device change", async () => {
    const t = setup();
    const d = device("d1", [{ interval: "1s", sourceName: "a" }]);
    t.manager.upsert(d);
    await t.clock.tickAsync(900);
    t.manager.upsert({ ...d, operatingState: "DOWN", description: "x" });
    await t.clock.tickAsync(100);
    assert.equal(t.reads.length, 1);
    t.manager.stop();
  });

  it("skips an AutoEvent with an invalid interval and keeps the others", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "soon", sourceName: "a" }, { interval: "1s", sourceName: "b" }]));
    assert.equal(t.manager.scheduledCount("d1"), 1);
    await t.clock.tickAsync(1000);
    assert.deepEqual(t.reads, ["d1/b"]);
    t.manager.stop();
  });

  it("survives failing reads and goes on polling", async () => {
    const t = setup();
    t.manager.upsert(device("d1", [{ interval: "1s", sourceName: "a" }]));
    t.fail(new ServiceError(ErrorKind.Communication, "X", "down"));
    await t.clock.tickAsync(3000);
    assert.equal(t.published.length, 0);
    t.fail(undefined);
    await t.clock.tickAsync(1000);
    assert.equal(t.reads.length, 4);
    assert.equal(t.published.length, 1);
    t.manager.stop();
  });
});

describe("AutoEventManager with spreadFirstRuns", () => {
  it("spreads the first runs of many devices over one interval, then keeps each one's period", async () => {
    const clock = FakeTimers.createClock(0);
    const scheduler = new Scheduler({ now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as FakeTimers.TimerId) });
    const firstRun = new Map<string, number>();
    const runs = new Map<string, number>();
    const runner = {
      async executeRead(deviceName: string): Promise<Event | undefined> {
        if (!firstRun.has(deviceName)) firstRun.set(deviceName, clock.now);
        runs.set(deviceName, (runs.get(deviceName) ?? 0) + 1);
        return undefined;
      },
      async publish(): Promise<void> {},
    };
    const manager = new AutoEventManager({ scheduler, runner, logger: pino({ level: "silent" }), parseIntervalMs: parseMs, spreadFirstRuns: true });
    for (let i = 0; i < 100; i++) manager.upsert(device(`d${i}`, [{ interval: "1s", sourceName: "a" }]));
    await clock.tickAsync(1000);
    assert.equal(firstRun.size, 100, "every device ran within the first interval");
    const distinct = new Set(firstRun.values());
    assert.ok(distinct.size > 50, `first runs are spread (${distinct.size} distinct instants)`);
    await clock.tickAsync(3000);
    for (const n of runs.values()) assert.equal(n, 4);
    manager.stop();
  });

  it("runs a device's AutoEvents of one interval at the same instants, so a driver can merge their reads", async () => {
    const clock = FakeTimers.createClock(0);
    const scheduler = new Scheduler({ now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as FakeTimers.TimerId) });
    const at = new Map<string, number[]>();
    const runner = {
      async executeRead(_deviceName: string, sourceName: string): Promise<Event | undefined> {
        at.set(sourceName, [...(at.get(sourceName) ?? []), clock.now]);
        return undefined;
      },
      async publish(): Promise<void> {},
    };
    const manager = new AutoEventManager({ scheduler, runner, logger: pino({ level: "silent" }), parseIntervalMs: parseMs, spreadFirstRuns: true });
    manager.upsert(device("meter", [{ interval: "1s", sourceName: "a" }, { interval: "1s", sourceName: "b" }, { interval: "1s", sourceName: "c" }, { interval: "3s", sourceName: "d" }]));
    await clock.tickAsync(3000);
    assert.equal(at.get("a")!.length, 3);
    assert.deepEqual(at.get("b"), at.get("a"));
    assert.deepEqual(at.get("c"), at.get("a"));
    assert.equal(at.get("d")!.length, 1);
    manager.stop();
  });
});
