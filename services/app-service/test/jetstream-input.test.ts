import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NatsBus } from "@brink/bus";
import { eventSubject } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { httpJson, startNatsServer, waitFor, type NatsServer } from "../../../test/harness/index.js";
import { addEventRequest, startAppService } from "./helpers.js";

type View = { pipeline: { status: { received: number; processed: number; filtered: number } } };

describe("app-service JetStream input (in process)", function () {
  this.timeout(60_000);
  let nats: NatsServer;
  let bus: NatsBus;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let dataDir: string;
  let svc: RunningService | undefined;

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    bus = new NatsBus({ servers: nats.url, name: "test" });
    await bus.connect();
    nc = await connect({ servers: nats.url });
    jsm = await jetstreamManager(nc);
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-jsin-"));
  });
  after(async () => {
    await svc?.stop();
    await bus.close();
    await nc.close();
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (): Promise<RunningService> => startAppService(bus, dataDir, { jetstream: { enabled: true, url: nats.url, stream: "TEST_EVENTS" } });
  const publish = async (device: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await bus.publish(eventSubject("svc", "thermo", device, "temp"), addEventRequest(device, i));
    await bus.flush();
  };
  const status = async (): Promise<View["pipeline"]["status"]> => (await httpJson<View>("GET", `${svc!.url}/api/v3/pipeline/name/js1`)).body.pipeline.status;

  it("creates the stream and a durable consumer, reads what was published while down, and deletes the consumer with the pipeline", async () => {
    svc = await start();
    const info = await jsm.streams.info("TEST_EVENTS");
    assert.deepEqual(info.config.subjects, ["edgex.events.>"]);

    const put = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, {
      name: "js1",
      trigger: { type: "bus", subjects: ["edgex/events/device/+/thermo/#"] },
      functions: [{ name: "FilterByDeviceName", params: { names: ["keep"] } }, { name: "ToEdgeXEvent" }],
    });
    assert.equal(put.status, 201);
    assert.equal((await jsm.consumers.info("TEST_EVENTS", "app-service-js1")).config.durable_name, "app-service-js1");

    await publish("keep", 10);
    await publish("drop", 5);
    await bus.publish(eventSubject("svc", "other", "keep", "temp"), addEventRequest("keep", 1, { profile: "other" }));
    await waitFor(async () => (await status()).received === 15, { message: "15 events read" });
    assert.deepEqual(await status().then((s) => [s.processed, s.filtered]), [10, 5], "the other profile's event is not on the trigger's subjects");

    await svc.stop();
    svc = undefined;
    await publish("keep", 7);
    svc = await start();
    await waitFor(async () => (await status()).processed === 7, { message: "the 7 events published while down" });
    assert.equal((await status()).received, 7, "nothing read twice");

    // Replacing the pipeline keeps the consumer's position.
    await httpJson("PUT", `${svc.url}/api/v3/pipeline`, { name: "js1", trigger: { type: "bus", subjects: ["edgex.events.device.>"] }, functions: [{ name: "ToEdgeXEvent" }] });
    await publish("any", 3);
    await waitFor(async () => (await status()).processed === 3, { message: "3 events after the replacement" });
    assert.equal((await status()).received, 3);

    assert.equal((await httpJson("DELETE", `${svc.url}/api/v3/pipeline/name/js1`)).status, 200);
    await assert.rejects(jsm.consumers.info("TEST_EVENTS", "app-service-js1"));
  });
});
