/**
 * Distributed mode's durability: core-data (`brink run core-data`, JetStream ingest on, as compose.yml runs it, with
 * the streams of docker/nats/streams.json in place) is killed with SIGKILL while a device publishes events, stays down while events keep coming, and is started again.
 * Every event published reaches the database exactly once: the count is exact.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { NatsBus } from "@brink/bus";
import { MemoryLogger } from "@brink/bus/testing";
import { API_VERSION, eventSubject, type AddEventRequest } from "@brink/contracts";
import { freePort, httpJson, startNatsServer, waitFor, type NatsServer } from "../harness/index.js";
import { REPO_ROOT, startBrink, tempDataDir } from "../e2e/brink-process.js";

const DEVICE = "Durable-Device";
const RATE_PER_S = 400;

function event(i: number): AddEventRequest {
  const origin = BigInt(Date.now()) * 1_000_000n + BigInt(i);
  return {
    apiVersion: API_VERSION,
    requestId: randomUUID(),
    event: {
      apiVersion: API_VERSION, id: randomUUID(), deviceName: DEVICE, profileName: "Durable-Profile", sourceName: "Float64", origin,
      readings: [{ id: randomUUID(), origin, deviceName: DEVICE, profileName: "Durable-Profile", resourceName: "Float64", valueType: "Float64", value: `${i}.5` }],
    },
  };
}

describe("core-data killed with SIGKILL while events flow (distributed, JetStream ingest)", function () {
  this.timeout(120_000);
  let nats: NatsServer;
  let bus: NatsBus;
  const procs: Awaited<ReturnType<typeof startBrink>>[] = [];

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    // As compose does before any service starts: the streams exist before the first event is published.
    const streams = spawnSync(process.execPath, [join(REPO_ROOT, "docker/nats/apply-streams.mjs"), "edge", "--server", nats.url], { encoding: "utf8" });
    assert.equal(streams.status, 0, streams.stderr);
    bus = new NatsBus({ servers: nats.url, name: "durable-device", logger: new MemoryLogger() });
    await bus.connect();
  });

  after(async () => {
    for (const p of procs) await p.stop();
    await bus?.close();
    await nats?.stop();
  });

  it("stores every event published before, during and after the outage, exactly once", async () => {
    const port = await freePort();
    const env = {
      BRINK_BUS_URL: nats.url,
      BRINK_CORE_DATA_SERVICE_PORT: String(port),
      BRINK_DATA_DIR: tempDataDir("brink-durable-"),
      BRINK_CORE_DATA_INGEST_JETSTREAM_ENABLED: "true",
      // Messages delivered to the killed process come back after the ack wait: 5 s here, 30 s by default.
      BRINK_CORE_DATA_INGEST_JETSTREAM_ACK_WAIT_MS: "5000",
    };
    const count = async (): Promise<number> => (await httpJson<{ count: number }>("GET", `http://127.0.0.1:${port}/api/v3/event/count/device/name/${DEVICE}`)).body.count;
    const first = await startBrink(["run", "core-data"], env, port, "core-data#1");
    procs.push(first);

    let published = 0;
    let publishing = true;
    const subject = eventSubject("device-durable", "Durable-Profile", DEVICE, "Float64");
    const device = (async () => {
      const started = Date.now();
      while (publishing) {
        await bus.publish(subject, event(published));
        published++;
        // A steady rate: wait for the time this event is due.
        const due = started + (published * 1000) / RATE_PER_S;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
    })();

    await waitFor(async () => (await count()) >= 200, { timeoutMs: 15_000, message: "core-data stores events before the kill" });
    await first.kill9();
    const deadAt = published;
    // Down while the device goes on publishing.
    await waitFor(() => published >= deadAt + 800, { timeoutMs: 15_000, message: "800 events published while core-data is down" });
    const atRestart = published;
    const second = await startBrink(["run", "core-data"], env, port, "core-data#2");
    procs.push(second);
    await waitFor(() => published >= atRestart + 400, { timeoutMs: 15_000, message: "more events after the restart" });
    publishing = false;
    await device;
    await bus.flush();

    assert.ok(atRestart - deadAt >= 800, "events were published while core-data was down");
    await waitFor(async () => (await count()) === published, { timeoutMs: 30_000, intervalMs: 100, message: `all ${published} events stored` }).catch(async (err: unknown) => {
      const nc = await connect({ servers: nats.url });
      const jsm = await jetstreamManager(nc);
      const consumer = await jsm.consumers.info("BRINK_EVENTS", "core-data");
      const stream = await jsm.streams.info("BRINK_EVENTS");
      await nc.close();
      const state = { stored: await count(), stream: stream.state.messages, delivered: consumer.delivered, ackFloor: consumer.ack_floor, pending: consumer.num_pending, ackPending: consumer.num_ack_pending, redelivered: consumer.num_redelivered };
      throw new Error(`${(err as Error).message}: ${JSON.stringify(state)}\n${second.output().slice(-2000)}`);
    });
    // And nothing more arrives: no duplicate from a redelivery.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await count(), published);
  });
});
