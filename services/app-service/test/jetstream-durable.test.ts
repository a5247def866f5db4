/**
 * Durable input over JetStream, as `brink run app-service` runs it (a child process on NATS): events published to
 * JetStream while app-service is killed with SIGKILL mid-stream, or down, all reach the MQTT broker once it is back.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { envelopeOf, eventSubject, stringifyJson } from "@brink/contracts";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  freePort, httpJson, startMosquitto, startNatsServer, waitFor, type Mosquitto, type NatsServer, type ProcessHandle,
} from "../../../test/harness/index.js";
import { addEventRequest, startAppServiceProcess, mqttCounter, type MqttCounter } from "./helpers.js";

const N = 3000;

describe("app-service JetStream input survives kill -9", function () {
  this.timeout(120_000);
  let nats: NatsServer;
  let broker: Mosquitto;
  let dataDir: string;
  let sub: MqttCounter;
  let nc: NatsConnection;
  let child: ProcessHandle | undefined;
  let env: Record<string, string>;
  let port: number;

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    broker = await startMosquitto();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-js-"));
    const file = path.join(dataDir, "pipelines.yaml");
    writeFileSync(
      file,
      [
        "pipelines:",
        "  - name: durable",
        "    trigger: { type: bus, subjects: [edgex/events/device/#] }",
        "    functions:",
        "      - name: ToEdgeXEvent",
        `      - name: MqttExport`,
        `        params: { url: "${broker.url}", topic: "js/{device}", qos: 1 }`,
        "",
      ].join("\n"),
    );
    port = await freePort();
    env = {
      BRINK_BUS_URL: nats.url,
      BRINK_DATA_DIR: dataDir,
      BRINK_LOG_LEVEL: "info",
      BRINK_APP_SERVICE_SERVICE_PORT: String(port),
      BRINK_APP_SERVICE_PIPELINES_FILE: file,
      BRINK_APP_SERVICE_PROFILES_FROM_METADATA: "false",
      BRINK_APP_SERVICE_JETSTREAM_ENABLED: "true",
      BRINK_APP_SERVICE_JETSTREAM_ACK_WAIT_MS: "2000",
    };
    sub = await mqttCounter(broker.url, "js/#");
    nc = await connect({ servers: nats.url });
  });

  after(async () => {
    await child?.stop("SIGTERM");
    await sub?.close();
    await nc?.close();
    await broker?.stop();
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

    const startChild = (): Promise<ProcessHandle> => startAppServiceProcess(env);

  it("processes every event published to JetStream exactly as published, across a SIGKILL and a restart", async () => {
    child = await startChild();
    const js = jetstream(nc);
    const ids: string[] = [];
    let published = 0;
    const publishAll = (async () => {
      const inFlight = new Set<Promise<unknown>>();
      for (let i = 0; i < N; i++) {
        const device = `dev${i % 5}`;
        const req = addEventRequest(device, i);
        ids.push(req.event.id);
        const p = js.publish(eventSubject("svc", "thermo", device, "temp"), stringifyJson(envelopeOf(req, { correlationID: req.requestId! }))).then(() => published++);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= 32) await Promise.race(inFlight);
        // A steady pace, so the kill lands mid-stream.
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(inFlight);
    })();

    await waitFor(() => sub.ids.size >= 300, { timeoutMs: 30_000, message: "first events at the broker" });
    await child.kill9();
    const atKill = sub.ids.size;
    await publishAll;
    assert.equal(published, N, "JetStream acknowledged every publish");
    // Nothing reaches the broker while app-service is down.
    assert.ok(atKill < N, `the kill landed mid-stream (${atKill} of ${N} delivered)`);

    child = await startChild();
    await waitFor(() => sub.ids.size === N, { timeoutMs: 60_000, intervalMs: 100, message: `all ${N} events at the broker (have ${sub.ids.size})` });
    assert.deepEqual([...sub.ids].sort(), [...ids].sort());
    if (process.env.BRINK_TEST_VERBOSE) console.log(`delivered at kill: ${atKill}; messages at the broker: ${sub.messages.length} for ${N} events`);

    type View = { pipeline: { status: { errors: number; invalidInput: number } } };
    const view = await httpJson<View>("GET", `http://127.0.0.1:${port}/api/v3/pipeline/name/durable`);
    assert.equal(view.body.pipeline.status.errors, 0);
    assert.equal(view.body.pipeline.status.invalidInput, 0);
  });
});
