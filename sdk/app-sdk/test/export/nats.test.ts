import { strict as assert } from "node:assert";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, waitFor, type NatsServer } from "../../../../test/harness/index.js";
import { createExport } from "../../src/export/exports.js";
import { ForwarderPool } from "../../src/export/forwarder-pool.js";
import { memoryLogger } from "../outbox/helpers.js";
import { ctxOf, event, testEnv, type TestEnv } from "./helpers.js";

describe("NATS export against nats-server", function () {
  this.timeout(60_000);
  let t: TestEnv;
  let pool: ForwarderPool;
  let nc: NatsConnection | undefined;
  let server: NatsServer | undefined;

  beforeEach(() => {
    t = testEnv();
    pool = new ForwarderPool({ outbox: t.outbox, logger: memoryLogger(), defaults: { replayRatePerSec: 0 } });
  });
  afterEach(async () => {
    await pool.stop();
    await nc?.close();
    nc = undefined;
    await server?.stop();
    server = undefined;
    t.close();
  });

  it("publishes to core NATS with rendered subjects and headers, every message once, in order, keeping what an outage held back", async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const got: Array<{ subject: string; seq: number; contentType: string | undefined }> = [];
    const sub = nc.subscribe("cloud.>");
    void (async () => {
      for await (const m of sub) got.push({ subject: m.subject, seq: Number((m.json() as { readings: Array<{ value: string }> }).readings[0]!.value), contentType: m.headers?.get("Content-Type") });
    })();
    await nc.flush();
    const b = createExport("NatsExport", { servers: server.url, subject: "cloud.{device}.{source}", target: "n", backoffInitial: "50ms", backoffMax: "500ms" }, t.env);
    await pool.apply([b]);
    const ctx = ctxOf();
    for (let i = 0; i < 1000; i++) await b.fn.process(ctx, event("boiler.2", i));
    await waitFor(() => got.length === 1000, { timeoutMs: 10_000 });
    assert.deepEqual(got.map((g) => g.seq), Array.from({ length: 1000 }, (_, i) => i));
    assert.equal(got[0]!.subject, "cloud.boiler%2E2.Power");
    assert.equal(got[0]!.contentType, "application/json");

    await server.pause();
    for (let i = 1000; i < 1100; i++) await b.fn.process(ctx, event("boiler.2", i));
    await waitFor(() => pool.get("n")!.status().retries > 0, { message: "the forwarder noticed the outage" });
    assert.equal(t.outbox.stats("n").depth, 100);
    // Core NATS keeps nothing for a subscriber that is not connected: restart the export (as a service restart would)
    // only once the counting subscriber is back, so the test counts what the export delivers, not the race.
    await pool.stop();
    await server.start();
    await waitFor(async () => (await nc!.flush(), true), { timeoutMs: 10_000, message: "the subscriber reconnected" });
    pool = new ForwarderPool({ outbox: t.outbox, logger: memoryLogger(), defaults: { replayRatePerSec: 0 } });
    await pool.apply([b]);
    await waitFor(() => t.outbox.stats("n").depth === 0 && new Set(got.map((g) => g.seq)).size === 1100, { timeoutMs: 20_000 });
    const firsts = [...new Set(got.map((g) => g.seq))];
    assert.deepEqual(firsts, Array.from({ length: 1100 }, (_, i) => i));
  });

  it("publishes with JetStream, PubAck as the acknowledgement, retrying until the stream exists and deduplicating re-sends", async () => {
    server = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: server.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const b = createExport("NatsExport", { servers: [server.url], subject: "js.{device}", jetstream: true, target: "js", backoffInitial: "50ms", backoffMax: "300ms", publishTimeout: "1s" }, t.env);
    await pool.apply([b]);
    const ctx = ctxOf();
    for (let i = 0; i < 20; i++) await b.fn.process(ctx, event("d1", i));
    await waitFor(() => pool.get("js")!.status().lastError !== undefined, { message: "no stream yet: a retryable failure" });
    assert.equal(pool.get("js")!.status().lastError!.code, "EXPORT_UNAVAILABLE");
    assert.equal(t.outbox.stats("js").depth, 20);

    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "CLOUD", subjects: ["js.>"] });
    await waitFor(() => t.outbox.stats("js").depth === 0, { timeoutMs: 10_000 });
    for (let i = 20; i < 1000; i++) await b.fn.process(ctx, event("d1", i));
    // an outage in the middle, with the same forwarder: it reconnects and re-sends; the stream keeps one of each
    await server.pause();
    for (let i = 1000; i < 2000; i++) await b.fn.process(ctx, event("d1", i));
    await waitFor(() => pool.get("js")!.status().state === "backoff");
    await server.start();
    await waitFor(() => t.outbox.stats("js").depth === 0, { timeoutMs: 20_000 });
    await waitFor(async () => (await nc!.flush(), true), { timeoutMs: 10_000 });
    const info = await jsm.streams.info("CLOUD");
    assert.equal(info.state.messages, 2000, "exactly one stored message per exported one");
    const first = await jsm.streams.getMessage("CLOUD", { seq: 1 });
    assert.equal(Number((first!.json() as { readings: Array<{ value: string }> }).readings[0]!.value), 0);
    assert.match(first!.header.get("Nats-Msg-Id"), /^js:\d+:\d+$/);
  });
});
