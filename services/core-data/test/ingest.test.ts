import assert from "node:assert/strict";
import { InProcessBus } from "@brink/bus";
import { eventSubject, stringifyJson, type Event, type Subject } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { tempDir } from "./store/fixtures.js";
import { WARN, addEventRequest, metricValue, startCoreData, type LogLine } from "./helpers.js";

const T0 = 1_700_000_000_000_000_000n;

describe("BusIngest (core-data on an InProcessBus)", () => {
  let bus: InProcessBus;
  let tmp: ReturnType<typeof tempDir>;
  let service: RunningService;
  const logs: LogLine[] = [];

  const count = async (device: string): Promise<number> =>
    (await httpJson<{ count: number }>("GET", `${service.url}/api/v3/reading/count/device/name/${encodeURIComponent(device)}`)).body.count;
  const metrics = async (): Promise<string> => (await httpJson<string>("GET", `${service.url}/api/v3/metrics`)).text;

  before(async () => {
    bus = new InProcessBus();
    await bus.connect();
    tmp = tempDir();
    service = await startCoreData(bus, tmp.dir, logs);
  });

  after(async () => {
    await service.stop();
    await bus.close();
    tmp.remove();
  });

  it("stores the events published on edgex.events.device.> and serves them, origin exact", async () => {
    const requests = [0n, 1n, 2n].map((i) => addEventRequest("bus.dev", 9007199254740993n + i, 2));
    for (const req of requests) await bus.publish(eventSubject("device-virtual", "prof", "bus.dev", "src"), req);
    await waitFor(async () => (await count("bus.dev")) === 6, { message: "6 readings of bus.dev stored" });
    const res = await httpJson<{ events: Event[] }>("GET", `${service.url}/api/v3/event/device/name/bus.dev`);
    assert.deepEqual(res.body.events.map((e) => e.id), requests.map((r) => r.event.id).reverse());
    assert.equal(res.body.events[2]?.origin, 9007199254740993n);
    const text = await metrics();
    assert.ok((metricValue(text, "brink_core_data_events_stored_total") ?? 0) >= 3);
    assert.ok((metricValue(text, "brink_core_data_readings_stored_total") ?? 0) >= 6);
  });

  it("drops garbled and invalid messages with a warning naming subject and problem, and stores the next valid one", async () => {
    const subject = eventSubject("device-virtual", "prof", "noisy", "src");
    const garbled = subject as Subject<unknown>;
    const mismatched = addEventRequest("someone-else", T0);
    const before = logs.length;
    await bus.publish(garbled, "%%% this is not an event %%%");
    await bus.publish(garbled, { apiVersion: "v3" });
    await bus.publish(subject, mismatched);
    const valid = addEventRequest("noisy", T0, 3);
    await bus.publish(subject, valid);
    await waitFor(async () => (await count("noisy")) === 3, { message: "the valid event after the bad ones stored" });

    const warnings = logs.slice(before).filter((l) => l.level === WARN && l.reason === "invalid");
    assert.equal(warnings.length, 3);
    assert.ok(warnings.every((w) => w.subject === subject && w.code === "EVENT_INVALID"));
    const paths = warnings.map((w) => (w.problems as { path: string }[]).map((p) => p.path));
    assert.deepEqual(paths, [["payload"], ["event"], ["event.deviceName"]]);
    assert.equal(metricValue(await metrics(), 'brink_core_data_events_dropped_total{reason="invalid"}'), 3);
    assert.equal(await count("someone-else"), 0);
  });

  it("reads a payload sent as base64 JSON bytes, as older EdgeX device services send it", async () => {
    const req = addEventRequest("legacy", T0);
    const subject = eventSubject("device-go", "prof", "legacy", "src") as Subject<unknown>;
    await bus.publish(subject, Buffer.from(stringifyJson(req)).toString("base64"));
    await waitFor(async () => (await count("legacy")) === 2, { message: "base64 event stored" });
  });

  it("drops a second event with an id already stored, counting it as a duplicate", async () => {
    const req = addEventRequest("twice", T0);
    const subject = eventSubject("device-virtual", "prof", "twice", "src");
    await bus.publish(subject, req);
    await waitFor(async () => (await count("twice")) === 2);
    await bus.publish(subject, { ...req, event: { ...req.event, origin: T0 + 1n } });
    await waitFor(async () => metricValue(await metrics(), 'brink_core_data_events_dropped_total{reason="duplicate"}') === 1, {
      message: "duplicate counted",
    });
    assert.ok(logs.some((l) => l.level === WARN && l.reason === "duplicate" && l.eventId === req.event.id));
    assert.equal(await count("twice"), 2);
  });
});

describe("core-data with writable.persistData false", () => {
  let bus: InProcessBus;
  let tmp: ReturnType<typeof tempDir>;
  let service: RunningService;
  const logs: LogLine[] = [];

  before(async () => {
    bus = new InProcessBus();
    await bus.connect();
    tmp = tempDir();
    service = await startCoreData(bus, tmp.dir, logs, { writable: { persistData: false } });
  });

  after(async () => {
    await service.stop();
    await bus.close();
    tmp.remove();
  });

  it("validates and acknowledges events but stores none", async () => {
    const req = addEventRequest("ephemeral", T0);
    const posted = await httpJson("POST", `${service.url}/api/v3/event/prof/ephemeral/src`, req);
    assert.equal(posted.status, 201);
    await bus.publish(eventSubject("device-virtual", "prof", "ephemeral", "src"), addEventRequest("ephemeral", T0 + 1n));
    const bad = await httpJson("POST", `${service.url}/api/v3/event/prof/ephemeral/src`, { apiVersion: "v3" });
    assert.equal(bad.status, 400);
    const count = await httpJson<{ count: number }>("GET", `${service.url}/api/v3/event/count`);
    assert.equal(count.body.count, 0);
  });
});
