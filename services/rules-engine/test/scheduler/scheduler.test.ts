import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";

type InstalledClock = ReturnType<typeof FakeTimers.install>;
import { InProcessBus } from "@brink/bus";
import { createLogger } from "@brink/service-kit";
import { DeviceDirectory } from "../../src/actions/device-directory.js";
import { ActionRunner } from "../../src/actions/runner.js";
import { FiringDispatcher } from "../../src/engine/dispatcher.js";
import type { FiringRecord } from "../../src/engine/firing.js";
import { compileRule, type ScheduledRule } from "../../src/rule/compile.js";
import { RuleScheduler, type ScheduleRuns } from "../../src/scheduler/scheduler.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

const START = Date.UTC(2024, 5, 1, 2, 58, 30);
const MINUTE = 60_000;

class MemoryRuns implements ScheduleRuns {
  readonly runs = new Map<string, number>();
  lastRun(rule: string): number | undefined {
    return this.runs.get(rule);
  }
  setLastRun(rule: string, ms: number): void {
    this.runs.set(rule, ms);
  }
  forget(rule: string): void {
    this.runs.delete(rule);
  }
}

describe("RuleScheduler", () => {
  let receiver: Receiver;
  let bus: InProcessBus;
  let clock: InstalledClock;
  let records: FiringRecord[];
  let runs: MemoryRuns;
  let scheduler: RuleScheduler;
  let dispatcher: FiringDispatcher;

  before(async () => {
    receiver = await startReceiver();
    bus = new InProcessBus();
    await bus.connect();
  });

  after(async () => {
    await bus.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    clock = FakeTimers.install({ now: START, toFake: ["setTimeout", "clearTimeout", "Date"] });
    records = [];
    runs = new MemoryRuns();
    const logger = createLogger({ name: "scheduler-test", level: "silent" });
    const runner = new ActionRunner({
      bus,
      devices: new DeviceDirectory({ ttlMs: 0, lookup: () => Promise.reject(new Error("no devices here")) }),
      commandTimeoutMs: 1000,
      httpTimeoutMs: 5000,
      serviceUrls: { "core-data": receiver.url, "core-metadata": receiver.url, "core-command": receiver.url },
      apiToken: "secret-token",
      notifications: { create: () => Promise.reject(new Error("unused")) },
      exports: undefined,
    });
    dispatcher = new FiringDispatcher({ runner, sink: { record: (r) => records.push(r) }, logger });
    scheduler = new RuleScheduler({ dispatcher, runs, logger });
  });

  afterEach(async () => {
    scheduler.stop();
    clock.uninstall();
    await dispatcher.idle();
  });

  const rule = (schedule: Record<string, unknown>, name = "purge"): ScheduledRule =>
    compileRule({
      name,
      schedule,
      actions: [{ type: "http", method: "DELETE", service: "core-data", path: "/api/v3/event/age/604800000000000", body: { by: "${$rule}" } }],
    }) as ScheduledRule;

  it("runs an interval rule on time, and its HTTP action reaches a real receiver", async () => {
    scheduler.setRule(rule({ interval: "1m" }), true);
    scheduler.start();
    assert.equal(scheduler.nextRun("purge"), START + MINUTE);
    await clock.tickAsync(MINUTE - 1);
    await dispatcher.idle();
    assert.equal(receiver.requests.length, 0);
    await clock.tickAsync(1);
    await receiver.waitFor(1);
    await dispatcher.idle();
    const req = receiver.requests[0]!;
    assert.equal(req.method, "DELETE");
    assert.equal(req.path, "/api/v3/event/age/604800000000000");
    assert.equal(req.headers.authorization, "Bearer secret-token");
    assert.deepEqual(JSON.parse(req.body), { by: "purge" });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.scheduledAt, BigInt(START + MINUTE) * 1_000_000n);
    assert.deepEqual(records[0]!.actions.map((a) => [a.type, a.ok, a.detail?.status]), [["http", true, 200]]);
    await clock.tickAsync(MINUTE);
    await receiver.waitFor(2);
    assert.equal(scheduler.nextRun("purge"), START + 3 * MINUTE);
  });

  it("runs a cron rule at the cron time, in its time zone", async () => {
    scheduler.setRule(rule({ cron: "0 3 * * *" }), true);
    scheduler.setRule(rule({ cron: "0 5 * * *", timezone: "Europe/Berlin" }, "berlin"), true);
    scheduler.start();
    assert.equal(scheduler.nextRun("purge"), Date.UTC(2024, 5, 1, 3, 0, 0));
    assert.equal(scheduler.nextRun("berlin"), Date.UTC(2024, 5, 1, 3, 0, 0), "05:00 in Berlin in June is 03:00 UTC");
    await clock.tickAsync(89_999);
    assert.equal(receiver.requests.length, 0);
    await clock.tickAsync(1);
    await receiver.waitFor(2);
    assert.equal(scheduler.nextRun("purge"), Date.UTC(2024, 5, 2, 3, 0, 0));
  });

  it("skip: runs missed while stopped are not made up", async () => {
    runs.setLastRun("purge", START - 5 * MINUTE + 10_000);
    scheduler.setRule(rule({ interval: "1m" }), false);
    scheduler.start();
    await clock.tickAsync(0);
    await dispatcher.idle();
    assert.equal(records.length, 0);
    // the schedule keeps its phase: last run at :53:40, so the next is at :58:40
    assert.equal(scheduler.nextRun("purge"), START + 10_000);
  });

  it("once: one run at start makes up for every missed run, then the schedule goes on", async () => {
    runs.setLastRun("purge", START - 5 * MINUTE + 10_000);
    scheduler.setRule(rule({ interval: "1m", missed: "once" }), false);
    scheduler.start();
    await receiver.waitFor(1);
    await dispatcher.idle();
    assert.equal(records.length, 1);
    assert.equal(records[0]!.scheduledAt, BigInt(START - 4 * MINUTE + 10_000) * 1_000_000n, "the first missed run");
    assert.equal(scheduler.nextRun("purge"), START + 10_000);
    await clock.tickAsync(10_000);
    await receiver.waitFor(2);
  });

  it("a removed rule does not run", async () => {
    scheduler.setRule(rule({ interval: "1m" }), true);
    scheduler.start();
    assert.equal(scheduler.removeRule("purge", false), true);
    await clock.tickAsync(5 * MINUTE);
    await dispatcher.idle();
    assert.equal(records.length, 0);
    assert.equal(scheduler.nextRun("purge"), undefined);
  });
});
