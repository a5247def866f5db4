import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";

type InstalledClock = ReturnType<typeof FakeTimers.install>;
import { API_VERSION, eventSubject } from "@brink/contracts";
import { DOWN_DEVICE, engineHarness, eventOf, type EngineHarness } from "../support/engine-harness.js";

const START = Date.UTC(2024, 5, 1, 12, 0, 0);
const alert = { type: "alert" };

describe("RuleEngine", () => {
  let h: EngineHarness;
  let clock: InstalledClock;

  beforeEach(async () => {
    clock = FakeTimers.install({ now: START, toFake: ["setTimeout", "clearTimeout", "Date"] });
    h = await engineHarness();
  });

  afterEach(async () => {
    await h.close();
    clock.uninstall();
  });

  const fired = async (): Promise<number> => {
    await h.settle();
    return h.records.length;
  };

  it("fires when the condition becomes true, and again only after it cleared", async () => {
    h.addRule({ name: "hot", when: "t > 80", actions: [alert] });
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 1);
    h.send("d1", { t: 85 });
    assert.equal(await fired(), 1);
    h.send("d1", { t: 70 });
    h.send("d1", { t: 90 });
    assert.equal(await fired(), 2);
    assert.deepEqual(h.engine.status("hot")?.map((s) => [s.device, s.state]), [["d1", "ACTIVE"]]);
  });

  it("keeps a state per device", async () => {
    h.addRule({ name: "hot", when: "t > 80", actions: [alert] });
    h.send("d1", { t: 81 });
    h.send("d2", { t: 81 });
    h.send("d1", { t: 82 });
    await h.settle();
    assert.deepEqual(h.records.map((r) => r.device), ["d1", "d2"]);
  });

  it("combines several resources of one device", async () => {
    h.addRule({ name: "no-fan", when: "temperature > 80 and fanSpeed == 0", actions: [alert] });
    h.send("d2", { fanSpeed: 0 });
    h.send("d1", { temperature: 85 });
    assert.equal(await fired(), 0, "d1 has no fanSpeed yet, d2's does not count");
    assert.equal(h.engine.stats().skipped, 2);
    h.send("d1", { fanSpeed: 0 });
    assert.equal(await fired(), 1);
    assert.deepEqual(h.records[0]!.inputs, { temperature: 85, fanSpeed: 0 });
    h.send("d1", { temperature: 90, fanSpeed: 10 });
    h.send("d1", { temperature: 90, fanSpeed: 0 });
    assert.equal(await fired(), 2, "both values of one event are seen together");
  });

  it("for: fires only once the condition held for the whole duration", async () => {
    h.addRule({ name: "hot-for", when: "t > 80", for: "10s", actions: [alert] });
    h.send("d1", { t: 81 });
    await clock.tickAsync(5_000);
    h.send("d1", { t: 82 });
    assert.equal(await fired(), 0);
    assert.equal(h.engine.status("hot-for")![0]!.state, "PENDING");
    await clock.tickAsync(5_000);
    assert.equal(await fired(), 1);
    assert.equal(h.records[0]!.firedAt, BigInt(START + 10_000) * 1_000_000n);
    assert.deepEqual(h.records[0]!.inputs, { t: 82 });
  });

  it("for: a false reading in between starts the wait over", async () => {
    h.addRule({ name: "hot-for", when: "t > 80", for: "10s", actions: [alert] });
    h.send("d1", { t: 81 });
    await clock.tickAsync(6_000);
    h.send("d1", { t: 79 });
    await clock.tickAsync(6_000);
    h.send("d1", { t: 81 });
    await clock.tickAsync(9_999);
    assert.equal(await fired(), 0);
    await clock.tickAsync(1);
    assert.equal(await fired(), 1);
  });

  it("hysteresis: clears only once the value is back past the band", async () => {
    h.addRule({ name: "hyst", when: "t > 80", hysteresis: 5, actions: [alert] });
    h.send("d1", { t: 81 });
    h.send("d1", { t: 79 });
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 1, "79 is inside the band: still active");
    h.send("d1", { t: 75 });
    assert.equal(h.engine.status("hyst")![0]!.state, "INACTIVE");
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 2);
  });

  it("clear: a separate condition ends the firing", async () => {
    h.addRule({ name: "clr", when: "t > 80", clear: "t < 60", actions: [alert] });
    h.send("d1", { t: 81 });
    h.send("d1", { t: 70 });
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 1);
    h.send("d1", { t: 59 });
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 2);
  });

  it("cooldown: a firing within the cooldown of the last one is suppressed", async () => {
    h.addRule({ name: "cool", when: "t > 80", cooldown: "1m", actions: [alert] });
    h.send("d1", { t: 81 });
    h.send("d1", { t: 70 });
    await clock.tickAsync(10_000);
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 1);
    assert.equal(h.engine.stats().suppressed, 1);
    await clock.tickAsync(50_000);
    h.send("d1", { t: 82 });
    assert.equal(await fired(), 2, "the condition still holds after the cooldown: it fires");
  });

  it("records the firing: time, trigger, inputs and each action's result", async () => {
    h.addRule({ name: "rec", when: "temperature > 80", actions: [{ type: "command", command: "SetPoint", body: { SetPoint: "${temperature - 5}" } }, { type: "notify", content: "${$device} at ${temperature}" }] });
    await clock.tickAsync(1234);
    h.send("boiler-1", { temperature: 81 });
    await h.settle();
    const r = h.records[0]!;
    assert.equal(r.rule, "rec");
    assert.equal(r.device, "boiler-1");
    assert.equal(r.firedAt, BigInt(START + 1234) * 1_000_000n);
    assert.equal(r.trigger?.resource, "temperature");
    assert.equal(r.trigger?.value, 81);
    assert.deepEqual(r.inputs, { temperature: 81 });
    assert.equal(r.ok, true);
    assert.deepEqual(r.actions.map((a) => [a.type, a.ok]), [["command", true], ["notify", true]]);
    assert.deepEqual(r.actions[0]!.detail, { device: "boiler-1", command: "SetPoint", service: "test-ds" });
    assert.deepEqual(h.writes, [{ device: "boiler-1", command: "SetPoint", body: { SetPoint: "76" } }]);
    assert.equal(h.notifications[0]!.content, "boiler-1 at 81");
  });

  it("a failing action (device down) is recorded and stops neither its other actions nor other rules", async () => {
    h.addRule({ name: "to-down", when: "t > 80", actions: [{ type: "command", device: DOWN_DEVICE, command: "Fan", body: { Fan: "true" } }, alert] });
    h.addRule({ name: "to-missing", when: "t > 80", actions: [{ type: "command", device: "missing", command: "Fan", body: { Fan: "true" } }] });
    h.addRule({ name: "to-ok", when: "t > 80", actions: [{ type: "command", device: "pump-1", command: "Fan", body: { Fan: "true" } }] });
    h.send("d1", { t: 81 });
    await h.settle();
    const byRule = new Map(h.records.map((r) => [r.rule, r]));
    const down = byRule.get("to-down")!;
    assert.equal(down.ok, false);
    assert.equal(down.actions[0]!.error?.code, "DEVICE_DOWN");
    assert.equal(down.actions[0]!.error?.kind, "ServiceUnavailable");
    assert.equal(down.actions[1]!.ok, true);
    assert.equal(byRule.get("to-missing")!.actions[0]!.error?.code, "NOT_FOUND");
    assert.equal(byRule.get("to-ok")!.ok, true);
    assert.deepEqual(h.writes.map((w) => w.device), ["pump-1"]);
    h.send("d1", { t: 70 });
    h.send("d1", { t: 90 });
    assert.equal(await fired(), 6, "the rules go on firing");
  });

  it("publishes alerts and EdgeX events on the bus", async () => {
    const got: { subject: string; payload: unknown }[] = [];
    h.bus.subscribe("edgex.>", (msg) => void got.push({ subject: msg.subject, payload: msg.envelope.payload }));
    h.addRule({
      name: "hot.alert",
      when: "t > 80",
      actions: [
        { type: "alert", severity: "CRITICAL", message: "${$device} at ${t}" },
        { type: "event", readings: { overheat: "t - 80", hot: "true", note: "'boiler ' + $device" } },
      ],
    });
    h.send("boiler 1", { t: 82.5 }, "Boiler");
    await h.settle();
    await h.bus.flush();
    const alert = got.find((m) => m.subject.startsWith("edgex.rules.alerts."));
    assert.equal(alert?.subject, "edgex.rules.alerts.hot%2Ealert.boiler%201");
    assert.equal((alert?.payload as { message: string; severity: string }).message, "boiler 1 at 82.5");
    const event = got.find((m) => m.subject.startsWith("edgex.events.device.rules-engine."));
    assert.equal(event?.subject, "edgex.events.device.rules-engine.Boiler.boiler%201.hot%2Ealert");
    const readings = (event?.payload as { event: { readings: { resourceName: string; valueType: string; value: string }[] } }).event.readings;
    assert.deepEqual(readings.map((r) => [r.resourceName, r.valueType, r.value]), [["overheat", "Float64", "2.5e+00"], ["hot", "Bool", "true"], ["note", "String", "boiler boiler 1"]]);
  });

  it("a template reading a value that has not arrived fails that action only", async () => {
    h.addRule({ name: "tpl", when: "t > 80", actions: [{ type: "notify", content: "${other}" }, alert] });
    h.send("d1", { t: 81 });
    await h.settle();
    assert.deepEqual(h.records[0]!.actions.map((a) => [a.ok, a.error?.code]), [[false, "ACTION_TEMPLATE_FAILED"], [true, undefined]]);
  });

  it("checks a reading only against the rules that can match it", () => {
    for (let i = 0; i < 50; i++) h.addRule({ name: `r${i}`, source: { device: `dev-${i}` }, when: "t > 1000", actions: [alert] });
    h.addRule({ name: "other", when: "other > 1000", actions: [alert] });
    h.addRule({ name: "pumps", source: { device: "pump-*" }, when: "t > 1000", actions: [alert] });
    h.send("dev-3", { t: 1 });
    assert.equal(h.engine.stats().evaluations, 1);
    h.send("pump-9", { t: 1 });
    assert.equal(h.engine.stats().evaluations, 2);
    h.send("dev-3", { x: 1 });
    assert.equal(h.engine.stats().evaluations, 2);
  });

  it("evaluates a rule reading $value once per matching reading", async () => {
    h.addRule({ name: "any-temp", source: { resource: "temp*" }, when: "$value > 100", actions: [{ type: "notify", content: "${$resource}=${$value}" }] });
    h.send("d1", { temp1: 101, temp2: 5, pressure: 500 });
    await h.settle();
    assert.deepEqual(h.notifications.map((n) => n.content), ["temp1=101"]);
  });

  it("keeps a state per resource for a rule reading $value", async () => {
    h.addRule({ name: "any-temp", source: { resource: "temp*" }, when: "$value > 100", actions: [{ type: "notify", content: "${$resource}" }] });
    h.send("d1", { temp1: 101 });
    h.send("d1", { temp2: 20 });
    h.send("d1", { temp1: 102 });
    h.send("d1", { temp2: 120 });
    await h.settle();
    assert.deepEqual(h.notifications.map((n) => n.content), ["temp1", "temp2"]);
    assert.deepEqual(h.engine.status("any-temp")!.map((st) => [st.device, st.resource, st.state]), [["d1", "temp1", "ACTIVE"], ["d1", "temp2", "ACTIVE"]]);
  });

  it("forgets a deleted device", async () => {
    h.addRule({ name: "hot", when: "t > 80", for: "1s", actions: [alert] });
    h.send("d1", { t: 81 });
    h.engine.forgetDevice("d1");
    await clock.tickAsync(2000);
    assert.equal(await fired(), 0);
    assert.deepEqual(h.engine.status("hot"), []);
  });

  it("sliding count window: fires on the average of the last readings", async () => {
    h.addRule({ name: "avg", when: "avg(t) > 10", window: { type: "sliding", count: 3 }, actions: [alert] });
    for (const t of [5, 10, 14]) h.send("d1", { t });
    assert.equal(await fired(), 0, "avg 9.67");
    h.send("d1", { t: 9 });
    assert.equal(await fired(), 1, "avg 11");
    assert.deepEqual(h.records[0]!.inputs, { "avg(t)": 11 });
  });

  it("tumbling time window: evaluates when each window closes, on time", async () => {
    await clock.tickAsync(10_000 - (START % 10_000)); // START is a multiple of 10 s; this keeps the arithmetic plain
    h.addRule({ name: "tumble", when: "avg(t) > 10 or count(t) == 0", window: { type: "tumbling", duration: "10s" }, actions: [{ type: "notify", content: "${count(t)}" }] });
    h.send("d1", { t: 5 });
    await clock.tickAsync(2_000);
    h.send("d1", { t: 20 });
    assert.equal(await fired(), 0, "nothing before the window closes");
    await clock.tickAsync(8_000);
    assert.equal(await fired(), 1, "avg 12.5 at the boundary");
    h.send("d1", { t: 1 });
    await clock.tickAsync(10_000);
    assert.equal(await fired(), 1, "avg 1: clears");
    await clock.tickAsync(10_000);
    assert.equal(await fired(), 2, "an empty window: count 0");
    assert.deepEqual(h.notifications.map((n) => n.content), ["2", "0"]);
  });

  it("delta: the change between two readings", async () => {
    h.addRule({ name: "jump", when: "delta(t) > 5", actions: [alert] });
    h.send("d1", { t: 10 });
    h.send("d1", { t: 14 });
    assert.equal(await fired(), 0);
    h.send("d1", { t: 20 });
    assert.equal(await fired(), 1);
  });

  it("takes events off the bus, and drops malformed ones", async () => {
    h.addRule({ name: "hot", when: "t > 80", actions: [alert] });
    h.engine.start();
    await h.bus.publish(eventSubject("svc", "Boiler", "d1", "t"), { apiVersion: API_VERSION, event: eventOf("d1", { t: 99 }) });
    await h.bus.publish(eventSubject("svc", "Boiler", "d1", "t"), { apiVersion: API_VERSION } as never);
    const garbled = { ...eventOf("d1", { t: 100 }), readings: [5, null, { resourceName: "t", valueType: "Float64", value: 123 }, { resourceName: "t", valueType: "Float64", value: "9e+01" }] };
    await h.bus.publish(eventSubject("svc", "Boiler", "d1", "t"), { apiVersion: API_VERSION, event: garbled } as never);
    await h.bus.flush();
    assert.equal(await fired(), 1, "the garbled readings are skipped, the good one (90) keeps the rule ACTIVE");
    assert.equal(h.engine.stats().dropped, 1);
    assert.equal(h.engine.stats().events, 2);
  });

  it("replacing a rule starts it over; removing it stops it", async () => {
    h.addRule({ name: "r", when: "t > 80", actions: [alert] });
    h.send("d1", { t: 81 });
    h.addRule({ name: "r", when: "t > 50", actions: [alert] });
    h.send("d1", { t: 81 });
    assert.equal(await fired(), 2);
    assert.equal(h.engine.removeRule("r"), true);
    h.send("d1", { t: 10 });
    h.send("d1", { t: 90 });
    assert.equal(await fired(), 2);
  });
});
