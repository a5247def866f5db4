import assert from "node:assert/strict";
import { InProcessBus } from "@brink/bus";
import { eventSubject, type Event } from "@brink/contracts";
import { configKeys } from "@brink/service-kit";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { CORE_DATA_PORT, coreDataService } from "../src/index.js";
import { tempDir } from "./store/fixtures.js";
import { addEventRequest, startCoreData, type LogLine } from "./helpers.js";

const T0 = 1_700_000_000_000_000_000n;

describe("coreDataService", () => {
  let bus: InProcessBus;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    bus = new InProcessBus();
    await bus.connect();
    tmp = tempDir();
  });

  afterEach(async () => {
    await bus.close();
    tmp.remove();
  });

  it("is the EdgeX core-data service on port 59880", () => {
    assert.equal(coreDataService.name, "core-data");
    assert.equal(coreDataService.defaultPort, CORE_DATA_PORT);
    assert.equal(CORE_DATA_PORT, 59880);
  });

  it("documents every config key with a default", () => {
    const keys = configKeys(coreDataService).filter((k) => /^(writable|retention|ingest|query|bus)\./.test(k.path));
    assert.deepEqual(keys.map((k) => k.path), [
      "writable.persistData",
      "retention.enabled",
      "retention.intervalMs",
      "retention.maxAgeMs",
      "retention.maxCount",
      "ingest.batchSize",
      "ingest.flushIntervalMs",
      "ingest.jetstream.enabled",
      "ingest.jetstream.stream",
      "ingest.jetstream.durable",
      "ingest.jetstream.maxAgeMs",
      "ingest.jetstream.maxBytes",
      "ingest.jetstream.ackWaitMs",
      "ingest.jetstream.maxAckPending",
      "query.maxResultCount",
      "bus.url",
      "bus.token",
    ]);
    for (const key of keys) {
      assert.notEqual(key.default, undefined, key.path);
      assert.ok(key.description.length > 0, key.path);
    }
  });

  it("keeps the data across a restart, including bus events still queued at stop", async () => {
    const logs: LogLine[] = [];
    // A long flush interval: the bus event is still queued when stop() runs, which must commit it.
    const first = await startCoreData(bus, tmp.dir, logs, { ingest: { flushIntervalMs: 60_000, batchSize: 1000 } });
    const posted = addEventRequest("keeper", T0);
    assert.equal((await httpJson("POST", `${first.url}/api/v3/event/prof/keeper/src`, posted)).status, 201);
    const queued = addEventRequest("keeper", T0 + 1n);
    await bus.publish(eventSubject("device-virtual", "prof", "keeper", "src"), queued);
    await new Promise((resolve) => setImmediate(resolve));
    await first.stop();

    const second = await startCoreData(bus, tmp.dir, logs);
    try {
      const res = await httpJson<{ totalCount: number; events: Event[] }>("GET", `${second.url}/api/v3/event/device/name/keeper`);
      assert.deepEqual(res.body.events.map((e) => e.id), [queued.event.id, posted.event.id]);
      const one = await httpJson<{ event: Event }>("GET", `${second.url}/api/v3/event/id/${posted.event.id}`);
      assert.deepEqual(one.body.event, posted.event);
    } finally {
      await second.stop();
    }
  });

  it("applies retention on its timer from config", async () => {
    const logs: LogLine[] = [];
    const service = await startCoreData(bus, tmp.dir, logs, { retention: { enabled: true, intervalMs: 10, maxCount: 3, maxAgeMs: 0 } });
    try {
      for (let i = 0n; i < 4n; i++) {
        const req = addEventRequest("kept", T0 + i, 2);
        assert.equal((await httpJson("POST", `${service.url}/api/v3/event/prof/kept/src`, req)).status, 201);
      }
      const readingCount = async (): Promise<number> => (await httpJson<{ count: number }>("GET", `${service.url}/api/v3/reading/count`)).body.count;
      await waitFor(async () => (await readingCount()) <= 3, { message: "retention down to 3 readings" });
      assert.equal(await readingCount(), 3);
      assert.ok(logs.some((l) => typeof l.msg === "string" && l.msg.startsWith("retention deleted")));
    } finally {
      await service.stop();
    }
  });
});
