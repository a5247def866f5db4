/**
 * A Sparkplug B edge node as a host application sees it at a real mosquitto, with app-service run as `brink run
 * app-service` (a child process on NATS): NBIRTH/DBIRTH/DDATA, a rebirth asked by NCMD, the NDEATH the broker
 * publishes from the will when the gateway dies (SIGKILL), a new bdSeq session after the restart, and the NDEATH the
 * node publishes itself on a graceful stop.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeSparkplug, encodeSparkplug, fromLong, REBIRTH_METRIC } from "@brink/app-sdk";
import { envelopeOf, eventSubject, stringifyJson } from "@brink/contracts";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import mqtt, { type MqttClient } from "mqtt";
import { freePort, httpJson, startMosquitto, startNatsServer, waitFor, type Mosquitto, type NatsServer, type ProcessHandle } from "../../../test/harness/index.js";
import { addEventRequest, startAppServiceProcess } from "./helpers.js";


interface Seen {
  readonly type: string;
  readonly device: string | undefined;
  readonly bdSeq: bigint | undefined;
  readonly metrics: readonly string[];
}

describe("app-service Sparkplug B edge node at a real broker", function () {
  this.timeout(120_000);
  let nats: NatsServer;
  let broker: Mosquitto;
  let dataDir: string;
  let nc: NatsConnection;
  let host: MqttClient;
  let child: ProcessHandle | undefined;
  let env: Record<string, string>;
  const seen: Seen[] = [];

  before(async () => {
    nats = await startNatsServer();
    broker = await startMosquitto();
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-spb-"));
    const file = path.join(dataDir, "pipelines.yaml");
    writeFileSync(
      file,
      [
        "pipelines:",
        "  - name: sparkplug",
        "    trigger: { type: bus, subjects: [edgex/events/device/#] }",
        "    functions:",
        "      - name: SparkplugB",
        "        params: { groupId: plant, edgeNodeId: gw1 }",
        "      - name: MqttExport",
        `        params: { url: "${broker.url}", qos: 1 }`,
        "",
      ].join("\n"),
    );
    env = {
      BRINK_BUS_URL: nats.url,
      BRINK_DATA_DIR: dataDir,
      BRINK_LOG_LEVEL: "info",
      BRINK_APP_SERVICE_SERVICE_PORT: String(await freePort()),
      BRINK_APP_SERVICE_PIPELINES_FILE: file,
      BRINK_APP_SERVICE_PROFILES_FROM_METADATA: "false",
    };
    nc = await connect({ servers: nats.url });
    // The host application: sees every message of the group.
    host = await mqtt.connectAsync(broker.url, { clientId: "spb-host", reconnectPeriod: 200 });
    host.on("message", (topic, payload) => {
      const [, , type, , device] = topic.split("/");
      const p = decodeSparkplug(payload);
      const bd = (p.metrics ?? []).find((m) => m.name === "bdSeq");
      seen.push({ type: type!, device, bdSeq: bd === undefined ? undefined : fromLong(bd.value, true), metrics: (p.metrics ?? []).map((m) => m.name ?? "") });
    });
    await host.subscribeAsync("spBv1.0/plant/+/gw1/#", { qos: 1 });
  });

  after(async () => {
    await child?.stop("SIGTERM");
    await host?.endAsync();
    await nc?.close();
    await broker?.stop();
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const startChild = (): Promise<ProcessHandle> => startAppServiceProcess(env);

  const publish = (device: string, value: number): void => {
    const req = addEventRequest(device, value);
    nc.publish(eventSubject("svc", "thermo", device, "temp"), stringifyJson(envelopeOf(req, { correlationID: req.requestId! })));
  };
  const of = (type: string, from = 0): Seen[] => seen.slice(from).filter((s) => s.type === type);

  it("registers NDEATH as the will, rebirths on NCMD, and starts a new bdSeq session after the gateway dies", async () => {
    child = await startChild();
    publish("boiler-1", 20);
    await waitFor(() => of("DDATA").length === 1, { timeoutMs: 20_000, message: "first DDATA" });
    assert.deepEqual(
      seen.map((s) => `${s.type} ${s.device ?? ""}`.trim()),
      ["NBIRTH", "DBIRTH boiler-1", "DDATA boiler-1"],
    );
    const first = of("NBIRTH")[0]!.bdSeq!;
    assert.deepEqual(of("DBIRTH")[0]!.metrics, ["temp"]);

    // A host application asks for a rebirth: NBIRTH again with the same bdSeq, and the device's DBIRTH with its metrics.
    const mark = seen.length;
    await host.publishAsync("spBv1.0/plant/NCMD/gw1", Buffer.from(encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: REBIRTH_METRIC, type: "Boolean", value: true }] })), { qos: 1 });
    await waitFor(() => of("DBIRTH", mark).length === 1, { timeoutMs: 10_000, message: "rebirth after NCMD" });
    assert.deepEqual(of("NBIRTH", mark).map((s) => s.bdSeq), [first]);
    assert.deepEqual(of("DBIRTH", mark)[0]!.metrics, ["temp"]);
    // Other NCMDs are not rebirth requests.
    await host.publishAsync("spBv1.0/plant/NCMD/gw1", Buffer.from(encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: REBIRTH_METRIC, type: "Boolean", value: false }] })), { qos: 1 });

    // Delivery is at least once: what the outbox has not yet deleted when the process dies is sent again after the
    // restart. Let it empty, so the messages seen after the restart are the new session's alone.
    await waitFor(
      async () => {
        const view = await httpJson<{ pipeline: { exports: { outbox: { depth: number } }[] } }>("GET", `http://127.0.0.1:${env.BRINK_APP_SERVICE_SERVICE_PORT}/api/v3/pipeline/name/sparkplug`);
        return view.body.pipeline.exports[0]?.outbox.depth === 0;
      },
      { timeoutMs: 10_000, message: "the outbox empties" },
    );

    // The gateway dies: the broker publishes the will, which is the NDEATH of the session.
    const beforeKill = seen.length;
    await child.kill9();
    child = undefined;
    await waitFor(() => of("NDEATH", beforeKill).length === 1, { timeoutMs: 10_000, message: "NDEATH from the will" });
    assert.equal(of("NDEATH", beforeKill)[0]!.bdSeq, first, "the will's NDEATH carries the session's bdSeq");
    assert.equal(of("NBIRTH", mark).length, 1, "the NCMD that was no rebirth request caused none");

    // Back up: a new session with the next bdSeq, births ahead of data.
    const restart = seen.length;
    child = await startChild();
    publish("boiler-1", 21);
    await waitFor(() => of("DDATA", restart).length === 1, { timeoutMs: 20_000, message: "DDATA after the restart" });
    const second = of("NBIRTH", restart).map((s) => s.bdSeq);
    assert.deepEqual(second, [(first + 1n) % 256n]);
    assert.deepEqual(
      seen.slice(restart).map((s) => s.type),
      ["NBIRTH", "DBIRTH", "DDATA"],
    );

    // A graceful stop: the node publishes its NDEATH itself before it disconnects.
    const beforeStop = seen.length;
    await child.stop("SIGTERM");
    child = undefined;
    await waitFor(() => of("NDEATH", beforeStop).length === 1, { timeoutMs: 10_000, message: "NDEATH on a graceful stop" });
    assert.equal(of("NDEATH", beforeStop)[0]!.bdSeq, second[0]);
  });
});
