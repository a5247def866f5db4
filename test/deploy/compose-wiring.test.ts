/**
 * The compose files, run without Docker: every service of docker/compose.yml that `brink run` can start (the list
 * grows as services are registered) is started as a local process with its compose command and environment, against
 * the compose file's own nats-server (docker/nats/nats.conf, JetStream on), and must become healthy by the image's
 * HEALTHCHECK, enforce the API token, and carry readings from device-virtual into core-data (durably, through
 * JetStream) and out through app-service. docker/compose.embedded.yml runs `brink start` the same way.
 */
import { strict as assert } from "node:assert";
import http from "node:http";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { httpJson, waitFor } from "../harness/index.js";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { loadCompose, type ComposeFile } from "./compose.js";
import { GatewayApi } from "./gateway.js";
import { runHealthcheck, startLocalCompose, type LocalCompose } from "./local-compose.js";
import { EDGEX_PORTS, embeddedServices, runnableServices } from "./services.js";

const COMPOSE = join(REPO_ROOT, "docker/compose.yml");
const EMBEDDED = join(REPO_ROOT, "docker/compose.embedded.yml");
const TEST_ENV = { BRINK_LOG_LEVEL: "warn", BRINK_GATEWAY: "wiring-test" };

const compose: ComposeFile = loadCompose(COMPOSE, TEST_ENV);
const brinkServices = Object.keys(compose.services).filter((s) => compose.services[s]?.image.includes("/"));
const runnable = brinkServices.filter((s) => runnableServices().includes(s) && compose.services[s]?.ports.length);

describe("docker/compose.yml wired as local processes", function () {
  this.timeout(120_000);
  let local: LocalCompose;
  let api: GatewayApi;
  let nc: NatsConnection;

  before(async () => {
    const oneShots = brinkServices.filter((s) => compose.services[s]?.ports.length === 0);
    local = await startLocalCompose(compose, { services: ["nats", ...oneShots, ...runnable] });
    const urls: Record<string, string> = {};
    for (const s of runnable) urls[s] = `http://127.0.0.1:${local.port(s)}`;
    api = new GatewayApi(urls, local.secrets.api_token);
    nc = await connect({ servers: `nats://127.0.0.1:${local.port("nats")}`, token: local.secrets.bus_token });
  });

  after(async () => {
    await nc?.close();
    await local?.stop();
  });

  it("runs at least the core services and device-virtual, each as its own process", () => {
    for (const s of ["core-metadata", "core-data", "core-command", "device-virtual"]) assert.ok(runnable.includes(s), `${s} is in compose.yml and runnable`);
    assert.equal(new Set(runnable.map((s) => local.processes[s]?.pid)).size, runnable.length);
  });

  for (const service of runnable) {
    it(`${service} becomes healthy by the image's HEALTHCHECK`, async () => {
      const env = local.envs[service] as Record<string, string>;
      await waitFor(async () => (await runHealthcheck(env)) === 0, { timeoutMs: 20_000, intervalMs: 250, message: `${service} healthy` });
    });
  }

  it("enforces the API token from the compose secret on every service but ping", async () => {
    for (const s of runnable) {
      const base = `http://127.0.0.1:${local.port(s)}/api/v3`;
      assert.equal((await httpJson("GET", `${base}/ping`)).status, 200, `${s} ping is open`);
      assert.equal((await httpJson("GET", `${base}/version`)).status, 401, `${s} refuses a request without the token`);
      assert.equal((await api.call("GET", s, "/version")).status, 200, `${s} takes the token`);
    }
  });

  it("refuses NATS clients without the bus token", async () => {
    await assert.rejects(connect({ servers: `nats://127.0.0.1:${local.port("nats")}`, reconnect: false }));
  });

  it("creates the JetStream streams of nats/streams.json and reads events through core-data's durable consumer", async () => {
    const jsm = await jetstreamManager(nc);
    assert.deepEqual((await jsm.streams.info("BRINK_EVENTS")).config.subjects, ["edgex.events.>"]);
    assert.deepEqual((await jsm.streams.info("BRINK_ALERTS")).config.subjects, ["edgex.rules.alerts.>"]);
    const consumer = await jsm.consumers.info("BRINK_EVENTS", "core-data");
    assert.equal(consumer.config.ack_policy, "explicit");
  });

  it("carries readings from device-virtual into core-data", async () => {
    await api.addFastDevice("Wiring-Float-Device");
    await api.waitForEvents("Wiring-Float-Device", 3);
  });

  it("reads and writes a device through core-command", async () => {
    await api.assertCommandRoundTrip(21.5);
  });

  if (runnable.includes("app-service")) {
    it("sends readings out through app-service (core-data stores them too)", async () => {
      const received: unknown[] = [];
      const receiver = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown);
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      try {
        const port = (receiver.address() as { port: number }).port;
        const pipeline = {
          name: "wiring-north",
          trigger: { type: "bus", subjects: ["edgex.events.device.device-virtual.Random-Float-Device.App-Float-Device.>"] },
          functions: [{ name: "ToEdgeXEvent" }, { name: "HttpExport", params: { url: `http://127.0.0.1:${port}/ingest` } }],
        };
        const put = await api.call("PUT", "app-service", "/pipeline", pipeline);
        assert.ok(put.status === 200 || put.status === 201, put.text);
        await api.addFastDevice("App-Float-Device");
        await waitFor(() => received.length >= 3, { timeoutMs: 20_000, intervalMs: 100, message: "3 exports received" });
        assert.ok(JSON.stringify(received[0]).includes("App-Float-Device"));
        await api.waitForEvents("App-Float-Device", 3);
        // app-service's input is durable too: the pipeline reads through its own JetStream consumer.
        const consumer = await (await jetstreamManager(nc)).consumers.info("BRINK_EVENTS", "app-service-wiring-north");
        assert.equal(consumer.config.ack_policy, "explicit");
      } finally {
        receiver.closeAllConnections();
        await new Promise((resolve) => receiver.close(resolve));
      }
    });
  }
});

describe("docker/compose.embedded.yml wired as a local process", function () {
  this.timeout(90_000);
  const embedded = loadCompose(EMBEDDED, TEST_ENV);
  let local: LocalCompose;
  let api: GatewayApi;

  before(async () => {
    local = await startLocalCompose(embedded, { services: ["brink"] });
    const urls: Record<string, string> = {};
    for (const [port, local_] of Object.entries(local.ports.brink ?? {})) {
      const service = embeddedServices().find((s) => String(portOf(s)) === port);
      if (service !== undefined) urls[service] = `http://127.0.0.1:${local_}`;
    }
    api = new GatewayApi(urls, local.secrets.api_token);
  });

  after(async () => {
    await local?.stop();
  });

  it("runs `brink start` in one process that the HEALTHCHECK finds healthy", async () => {
    await waitFor(async () => (await runHealthcheck(local.envs.brink as Record<string, string>)) === 0, { timeoutMs: 20_000, intervalMs: 250, message: "healthy" });
  });

  it("publishes the port of every embedded service", () => {
    const published = embedded.services.brink?.ports.map((p) => p.containerPort) ?? [];
    for (const s of embeddedServices()) assert.ok(published.includes(portOf(s)), `${s} port ${portOf(s)} published`);
  });

  it("enforces the API token and carries readings into core-data", async () => {
    assert.equal((await httpJson("GET", api.url("core-data", "/version"))).status, 401);
    await api.addFastDevice("Embedded-Float-Device");
    await api.waitForEvents("Embedded-Float-Device", 3).catch((err: unknown) => {
      const brink = local.processes.brink;
      throw new Error(`${(err as Error).message}; brink ${brink?.running() ? "running" : "exited"}, output:\n${brink?.output().slice(-3000)}`);
    });
  });
});

function portOf(service: string): number {
  return EDGEX_PORTS[service] ?? -1;
}
