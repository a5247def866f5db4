import { strict as assert } from "node:assert";
import mqtt, { type MqttClient } from "mqtt";
import { startMosquitto, waitFor, type Mosquitto } from "../../../../test/harness/index.js";
import { createExport } from "../../src/export/exports.js";
import { ForwarderPool } from "../../src/export/forwarder-pool.js";
import { memoryLogger } from "../outbox/helpers.js";
import { ctxOf, event, testEnv, type TestEnv } from "./helpers.js";

// 500 events/s of 10 readings = 5,000 readings/s, for 40 s; the broker is down from 5 s to 35 s.
const DEVICES = 10;
const TICK_MS = 100;
const EVENTS_PER_TICK = 50;
const READINGS_PER_EVENT = 10;
const TICKS = 400;
const OUTAGE_FROM_TICK = 50;
const OUTAGE_TICKS = 300;
const IN_FLIGHT = 256;

describe("MQTT export through a broker outage", function () {
  this.timeout(180_000);
  let broker: Mosquitto;
  let t: TestEnv;
  let pool: ForwarderPool;
  let sub: MqttClient | undefined;

  before(async () => {
    // Persistence keeps the counting subscriber's session (and the messages queued for it) across the restart, so
    // it misses nothing published before it reconnects.
    broker = await startMosquitto({ persistence: true });
    t = testEnv();
    pool = new ForwarderPool({ outbox: t.outbox, logger: memoryLogger() });
  });
  after(async () => {
    await pool?.stop();
    await sub?.endAsync(true);
    t?.close();
    await broker?.stop();
  });

  it("delivers every message of 30 s of 5,000 readings/s, in order per device, with duplicates within the in-flight window", async () => {
    sub = await mqtt.connectAsync(broker.url, { clientId: "outage-counter", clean: false, reconnectPeriod: 100 });
    const received: Array<{ device: string; seq: number; readings: number }> = [];
    sub.on("message", (_topic, payload) => {
      const e = JSON.parse(payload.toString("utf8")) as { deviceName: string; readings: Array<{ value: string }> };
      received.push({ device: e.deviceName, seq: Number(e.readings[0]!.value), readings: e.readings.length });
    });
    await sub.subscribeAsync("outage/#", { qos: 1 });

    const b = createExport("MqttExport", {
      url: broker.url, topic: "outage/{device}", qos: 1, target: "cloud", maxInFlight: IN_FLIGHT, backoffInitial: "200ms", backoffMax: "2s", replayRatePerSec: 50_000,
    }, t.env);
    await pool.apply([b]);

    const ctx = ctxOf();
    const next = new Array<number>(DEVICES).fill(0);
    let maxDepth = 0;
    const started = Date.now();
    for (let tick = 0; tick < TICKS; tick++) {
      if (tick === OUTAGE_FROM_TICK) await broker.pause();
      if (tick === OUTAGE_FROM_TICK + OUTAGE_TICKS) await broker.start();
      await Promise.all(Array.from({ length: EVENTS_PER_TICK }, (_, i) => {
        const d = i % DEVICES;
        return b.fn.process(ctx, event(`dev${d}`, next[d]!++, READINGS_PER_EVENT));
      }));
      maxDepth = Math.max(maxDepth, t.outbox.stats("cloud").depth);
      const due = started + (tick + 1) * TICK_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    const total = TICKS * EVENTS_PER_TICK;
    await waitFor(() => t.outbox.stats("cloud").depth === 0 && new Set(received.map((r) => `${r.device}:${r.seq}`)).size === total, {
      timeoutMs: 60_000, intervalMs: 200, message: "every message arrived after the outage",
    });

    const status = pool.get("cloud")!.status();
    const seen = new Set<string>();
    const last = new Map<string, number>();
    let duplicates = 0;
    for (const r of received) {
      assert.equal(r.readings, READINGS_PER_EVENT);
      const key = `${r.device}:${r.seq}`;
      if (seen.has(key)) {
        duplicates += 1;
        continue;
      }
      seen.add(key);
      // first arrivals are in order per device, with no gap
      assert.equal(r.seq, (last.get(r.device) ?? -1) + 1, `${r.device}: ${r.seq} after ${last.get(r.device)}`);
      last.set(r.device, r.seq);
    }
    for (let d = 0; d < DEVICES; d++) assert.equal(last.get(`dev${d}`), total / DEVICES - 1);
    assert.ok(maxDepth >= OUTAGE_TICKS * EVENTS_PER_TICK * 0.9, `the outbox held the outage's messages (max depth ${maxDepth})`);
    assert.ok(duplicates <= IN_FLIGHT, `${duplicates} duplicates, in-flight window ${IN_FLIGHT}`);
    assert.ok(status.retries >= 1);
    assert.equal(t.outbox.stats("cloud").dropped, 0);
    console.log(`      outage: ${total} events (${total * READINGS_PER_EVENT} readings), max depth ${maxDepth}, ${duplicates} duplicates, ${status.retries} retries, sent ${status.sent}`);
  });
});
