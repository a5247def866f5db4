import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { InProcessBus, NatsBus } from "@brink/bus";
import { MemoryLogger } from "@brink/bus/testing";
import { ErrorCode, eventSubject, stringifyJson, type ServiceError } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, startNatsServer, waitFor, type NatsServer } from "../../../test/harness/index.js";
import { CoreDataErrorCode, DEFAULT_EVENTS_STREAM } from "../src/index.js";
import { tempDir } from "./store/fixtures.js";
import { addEventRequest, metricValue, startCoreData, type LogLine } from "./helpers.js";

const subject = (device: string) => eventSubject("device-test", "prof", device, "src");

/** `ingest` and `bus` overrides that turn JetStream ingest on against `nats`. */
function durable(nats: NatsServer, jetstream: Record<string, unknown> = {}): Record<string, unknown> {
  return { ingest: { flushIntervalMs: 1, jetstream: { enabled: true, ...jetstream } }, bus: { url: nats.url } };
}

async function eventCount(service: RunningService, device: string): Promise<number> {
  return (await httpJson<{ count: number }>("GET", `${service.url}/api/v3/event/count/device/name/${device}`)).body.count;
}

describe("JetStream ingest (ingest.jetstream.enabled)", function () {
  this.timeout(30_000);
  let nats: NatsServer;
  let bus: NatsBus;
  let raw: NatsConnection;
  let jsm: JetStreamManager;
  const cleanups: (() => void | Promise<void>)[] = [];

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    bus = new NatsBus({ servers: nats.url, name: "core-data-test", logger: new MemoryLogger() });
    await bus.connect();
    raw = await connect({ servers: nats.url });
    jsm = await jetstreamManager(raw);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await raw?.close();
    await bus?.close();
    await nats?.stop();
  });

  async function start(dataDir: string, logs: LogLine[] = [], jetstream: Record<string, unknown> = {}): Promise<RunningService> {
    const service = await startCoreData(bus, dataDir, logs, durable(nats, jetstream));
    cleanups.push(() => service.stop());
    return service;
  }

  function dir(): string {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    return tmp.dir;
  }

  it("creates the events stream and a durable consumer, stores events and acknowledges them after the commit", async () => {
    const service = await start(dir());
    const info = await jsm.streams.info(DEFAULT_EVENTS_STREAM);
    assert.deepEqual(info.config.subjects, ["edgex.events.>"]);
    const requests = Array.from({ length: 50 }, (_, i) => addEventRequest("js-dev", 1_000n + BigInt(i), 2));
    for (const req of requests) await bus.publish(subject("js-dev"), req);
    await waitFor(async () => (await eventCount(service, "js-dev")) === 50, { message: "50 events stored" });
    await waitFor(async () => {
      const c = await jsm.consumers.info(DEFAULT_EVENTS_STREAM, "core-data");
      return c.num_ack_pending === 0 && c.num_pending === 0;
    }, { message: "every message acknowledged" });
    const consumer = await jsm.consumers.info(DEFAULT_EVENTS_STREAM, "core-data");
    assert.equal(consumer.config.ack_policy, "explicit");
    assert.equal(consumer.delivered.stream_seq, 50);
    await service.stop();
  });

  it("stores the events published while it was stopped, exactly once, when it starts again", async () => {
    const data = dir();
    let service = await start(data);
    await bus.publish(subject("gap-dev"), addEventRequest("gap-dev", 1n, 1));
    await waitFor(async () => (await eventCount(service, "gap-dev")) === 1, { message: "first event stored" });
    await service.stop();
    for (let i = 0; i < 200; i++) await bus.publish(subject("gap-dev"), addEventRequest("gap-dev", 10n + BigInt(i), 1));
    await bus.flush();
    service = await start(data);
    await waitFor(async () => (await eventCount(service, "gap-dev")) === 201, { message: "201 events after the restart" });
    // Nothing more arrives later: every message was acknowledged, none is redelivered.
    await waitFor(async () => (await jsm.consumers.info(DEFAULT_EVENTS_STREAM, "core-data")).num_ack_pending === 0, { message: "acks sent" });
    assert.equal(await eventCount(service, "gap-dev"), 201);
    await service.stop();
  });

  it("acknowledges a redelivered event that is already stored without storing it twice", async () => {
    const service = await start(dir());
    const req = addEventRequest("dup-dev", 5n, 2);
    const posted = await httpJson("POST", `${service.url}/api/v3/event/prof/dup-dev/src`, JSON.parse(stringifyJson(req)) as unknown);
    assert.equal(posted.status, 201, posted.text);
    await bus.publish(subject("dup-dev"), req);
    const metrics = async () => (await httpJson<string>("GET", `${service.url}/api/v3/metrics`)).text;
    await waitFor(async () => metricValue(await metrics(), "brink_core_data_jetstream_redelivered_total") === 1, { message: "redelivery counted" });
    assert.equal(await eventCount(service, "dup-dev"), 1);
    await waitFor(async () => (await jsm.consumers.info(DEFAULT_EVENTS_STREAM, "core-data")).num_ack_pending === 0, { message: "acked" });
    await service.stop();
  });

  it("terminates invalid messages, counts them as dropped and goes on with the next ones", async () => {
    const logs: LogLine[] = [];
    const service = await start(dir(), logs);
    raw.publish(subject("bad-dev"), "{ not json");
    await bus.publish(subject("bad-dev"), { apiVersion: "v3", event: { id: "x" } } as never);
    await bus.publish(subject("bad-dev"), addEventRequest("other-name", 1n, 1));
    await bus.publish(subject("bad-dev"), addEventRequest("bad-dev", 2n, 1));
    await waitFor(async () => (await eventCount(service, "bad-dev")) === 1, { message: "the valid event stored" });
    const text = (await httpJson<string>("GET", `${service.url}/api/v3/metrics`)).text;
    assert.equal(metricValue(text, 'brink_core_data_events_dropped_total{reason="invalid"}'), 3);
    await waitFor(async () => (await jsm.consumers.info(DEFAULT_EVENTS_STREAM, "core-data")).num_ack_pending === 0, { message: "terminated, not pending" });
    assert.ok(logs.some((l) => l.subject === subject("bad-dev") && l.reason === "invalid"));
    await service.stop();
  });

  it("reads from an existing stream that captures the events, whatever its name, and creates no other", async () => {
    const other = await startNatsServer({ jetstream: true });
    const otherBus = new NatsBus({ servers: other.url, name: "other", logger: new MemoryLogger() });
    await otherBus.connect();
    const nc = await connect({ servers: other.url });
    cleanups.push(async () => {
      await nc.close();
      await otherBus.close();
      await other.stop();
    });
    const otherJsm = await jetstreamManager(nc);
    await otherJsm.streams.add({ name: "SITE_EVENTS", subjects: ["edgex.events.>"] });
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const service = await startCoreData(otherBus, tmp.dir, [], { ingest: { jetstream: { enabled: true } }, bus: { url: other.url } });
    cleanups.push(() => service.stop());
    await otherBus.publish(subject("site-dev"), addEventRequest("site-dev", 1n, 1));
    await waitFor(async () => (await eventCount(service, "site-dev")) === 1, { message: "stored from SITE_EVENTS" });
    const names: string[] = [];
    for await (const name of otherJsm.streams.names()) names.push(name);
    assert.deepEqual(names, ["SITE_EVENTS"]);
    assert.equal((await otherJsm.consumers.info("SITE_EVENTS", "core-data")).config.filter_subject, "edgex.events.device.>");
    await service.stop();
  });

  it("fails to start with JETSTREAM_UNAVAILABLE when the server has no JetStream", async () => {
    const plain = await startNatsServer();
    const plainBus = new NatsBus({ servers: plain.url, name: "plain", logger: new MemoryLogger() });
    await plainBus.connect();
    cleanups.push(async () => {
      await plainBus.close();
      await plain.stop();
    });
    await assert.rejects(
      startCoreData(plainBus, dir(), [], { ingest: { jetstream: { enabled: true } }, bus: { url: plain.url } }),
      (err: ServiceError) => err.code === CoreDataErrorCode.JetStreamUnavailable && err.kind === "ServiceUnavailable",
    );
  });

  it("refuses JetStream ingest on the in-process bus with CONFIG_INVALID naming the key", async () => {
    const inProcess = new InProcessBus();
    await inProcess.connect();
    cleanups.push(() => inProcess.close());
    await assert.rejects(startCoreData(inProcess, dir(), [], durable(nats)), (err: ServiceError & { problems?: { path: string }[] }) => {
      return err.code === ErrorCode.ConfigInvalid && err.problems?.[0]?.path === "ingest.jetstream.enabled";
    });
  });
});
