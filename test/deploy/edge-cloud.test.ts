/**
 * Edge to cloud with two nats-servers and the shipped configs: a cloud hub (docker/nats/hub.conf) and a gateway
 * (docker/compose.yml with BRINK_NATS_CONFIG=leaf.conf, so its nats-server joins the hub as a leaf node) running
 * core-metadata, core-data, core-command, rules-engine and device-virtual as local processes. The leaf link runs
 * through a proxy the test can cut.
 *
 * Readings and rules-engine alerts flow north over the link; commands come south. With the link cut for 30 s the
 * gateway works alone (polling, core-data, rules, commands); once restored, everything published north during the cut reaches the hub's
 * stream (docker/nats/streams.json, applied with docker/nats/apply-streams.mjs), each message exactly once.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { NatsBus } from "@brink/bus";
import { MemoryLogger } from "@brink/bus/testing";
import { commandRequestSubject, type CommandReplyPayload, type Subject } from "@brink/contracts";
import { freePort, requireBinary, startProcess, waitFor, type ProcessHandle } from "../harness/index.js";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { loadCompose } from "./compose.js";
import { GatewayApi } from "./gateway.js";
import { CuttableLink } from "./link.js";
import { startLocalCompose, type LocalCompose } from "./local-compose.js";

const GATEWAY = "gw-test";
const HUB_STREAM = `BRINK_NORTH_${GATEWAY}`;
const CUT_MS = 30_000;
const EDGE_SERVICES = ["core-metadata", "core-data", "core-command", "rules-engine", "device-virtual"];
const RULE = "edge-heartbeat";
/** Fires on every other reading of the fast device (it clears on the next one), publishing an alert each time. */
const HEARTBEAT_RULE = {
  name: RULE,
  source: { device: "Edge-Float-Device" },
  when: "Float64 == Float64",
  clear: "Float64 == Float64",
  actions: [{ type: "alert", severity: "MINOR" }],
};

/** `Nats-Stream-Source` of a sourced message -> [origin stream, origin sequence]. */
function sourceOf(header: string | undefined): [string, number] {
  const m = /^(\S+?)(?::\S+)?\s+(\d+)/.exec(header ?? "");
  if (!m) throw new Error(`not a Nats-Stream-Source header: ${header}`);
  return [m[1] as string, Number(m[2])];
}

/** Every message of the hub stream as [origin stream, origin sequence, subject]. */
async function hubMessages(nc: NatsConnection, jsm: JetStreamManager): Promise<[string, number, string][]> {
  const info = await jsm.streams.info(HUB_STREAM);
  const out: [string, number, string][] = [];
  if (info.state.messages === 0) return out;
  const consumer = await jetstream(nc).consumers.get(HUB_STREAM);
  const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 10_000 });
  for await (const m of messages) {
    const [stream, seq] = sourceOf(m.headers?.get("Nats-Stream-Source"));
    out.push([stream, seq, m.subject]);
    if (m.info.streamSequence >= info.state.last_seq) break;
  }
  return out;
}

describe("edge to cloud over a leaf node (shipped NATS configs)", function () {
  this.timeout(240_000);
  const tmp = mkdtempSync(join(tmpdir(), "brink-hub-"));
  // Starting with a digit: nats-server must read it as a string (the variable holds it in double quotes).
  const hubToken = "7hub-token-for-tests";
  let hub: ProcessHandle;
  let hubPort: number;
  let hubMonitor: number;
  let link: CuttableLink;
  let edge: LocalCompose;
  let api: GatewayApi;
  let hubNc: NatsConnection;
  let hubJsm: JetStreamManager;
  let hubBus: NatsBus;
  let edgeJsm: JetStreamManager;
  let edgeNc: NatsConnection;
  const live: string[] = [];

  const applyStreams = (side: "edge" | "hub", port: number, token: string): void => {
    const args = [join(REPO_ROOT, "docker/nats/apply-streams.mjs"), side, "--server", `nats://127.0.0.1:${port}`, "--token", token, "--gateway", GATEWAY];
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  };

  before(async () => {
    hubPort = await freePort();
    hubMonitor = await freePort();
    const leafPort = await freePort();
    // The uplink: gateways reach the hub's leaf listener through it (and the hub advertises it as its address).
    link = await CuttableLink.open(leafPort);
    hub = await startProcess({
      name: "nats-hub",
      cmd: requireBinary("nats-server", "nats-server"),
      args: ["-c", join(REPO_ROOT, "docker/nats/hub.conf"), "--store_dir", join(tmp, "hub"), "-a", "127.0.0.1", "-p", String(hubPort), "-m", String(hubMonitor)],
      env: {
        BRINK_HUB_TOKEN: `"${hubToken}"`,
        BRINK_HUB_LEAF_PORT: String(leafPort),
        BRINK_HUB_LEAF_ADVERTISE: `127.0.0.1:${link.port}`,
        BRINK_LEAF_USER: GATEWAY,
        BRINK_LEAF_PASSWORD: '"leaf-secret"',
      },
      readyWhen: { port: hubPort },
    });
    const compose = loadCompose(join(REPO_ROOT, "docker/compose.yml"), {
      BRINK_LOG_LEVEL: "warn",
      BRINK_GATEWAY: GATEWAY,
      BRINK_NATS_CONFIG: "leaf.conf",
      BRINK_NATS_HUB_URL: `nats-leaf://${GATEWAY}:leaf-secret@127.0.0.1:${link.port}`,
    });
    edge = await startLocalCompose(compose, { services: ["nats", "nats-streams", ...EDGE_SERVICES] });
    const urls: Record<string, string> = {};
    for (const s of EDGE_SERVICES) urls[s] = `http://127.0.0.1:${edge.port(s)}`;
    api = new GatewayApi(urls, edge.secrets.api_token);

    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${hubMonitor}/leafz`)).json()) as { leafs?: unknown[] }).leafs?.length === 1, {
      timeoutMs: 15_000,
      message: "the gateway joins the hub as a leaf node",
    });
    applyStreams("hub", hubPort, hubToken);
    hubNc = await connect({ servers: `nats://127.0.0.1:${hubPort}`, token: hubToken });
    hubJsm = await jetstreamManager(hubNc);
    hubBus = new NatsBus({ servers: `nats://127.0.0.1:${hubPort}`, token: hubToken, name: "cloud", logger: new MemoryLogger() });
    await hubBus.connect();
    hubBus.subscribe("edgex.>" as Subject<unknown>, (msg) => void live.push(msg.subject));
    await hubBus.flush();
    const edgeUrl = `nats://127.0.0.1:${edge.port("nats")}`;
    edgeNc = await connect({ servers: edgeUrl, token: edge.secrets.bus_token });
    edgeJsm = await jetstreamManager(edgeNc);
    await api.addFastDevice("Edge-Float-Device", "200ms");
  });

  after(async () => {
    await edgeNc?.close();
    await hubBus?.close();
    await hubNc?.close();
    await edge?.stop();
    await link?.cut();
    await hub?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("carries readings north as they are published", async () => {
    await waitFor(() => live.some((s) => s.startsWith("edgex.events.device.device-virtual.Random-Float-Device.Edge-Float-Device.")), {
      timeoutMs: 15_000,
      message: "a reading of Edge-Float-Device at the hub",
    });
    await api.waitForEvents("Edge-Float-Device", 2);
  });

  it("carries rules-engine alerts north as they are published", async () => {
    const put = await api.call("PUT", "rules-engine", `/rule/name/${RULE}`, HEARTBEAT_RULE);
    assert.equal(put.status, 201, put.text);
    await waitFor(() => live.some((s) => s.startsWith(`edgex.rules.alerts.${RULE}.Edge-Float-Device`)), { timeoutMs: 15_000, message: "an alert at the hub" });
  });

  it("takes commands from the cloud south to the device service", async () => {
    const set = commandRequestSubject("device-virtual", "Random-Float-Device", "WriteFloat32Value", "set");
    await hubBus.request(set, { EnableRandomization_Float32: "false", Float32: "17.25" });
    const get = commandRequestSubject("device-virtual", "Random-Float-Device", "Float32", "get");
    const reply = await hubBus.request<Record<string, unknown>, CommandReplyPayload>(get, {});
    assert.equal(Number.parseFloat(String(reply.event?.readings[0] && "value" in reply.event.readings[0] ? reply.event.readings[0].value : "")), 17.25);
  });

  it("sources the gateway's streams into the hub's stream", async () => {
    await waitFor(async () => (await hubJsm.streams.info(HUB_STREAM)).state.messages > 0, { timeoutMs: 15_000, message: "sourced messages at the hub" });
    const sources = (await hubJsm.streams.info(HUB_STREAM)).sources?.map((s) => s.name).sort();
    assert.deepEqual(sources, ["BRINK_ALERTS", "BRINK_EVENTS"]);
  });

  it("keeps the gateway working alone through a 30 s cut, then delivers everything published during it exactly once", async () => {
    // The rule pauses around the two counts, so the firings and the alerts they published can be compared.
    const firings = async (): Promise<number> => (await api.call<{ totalCount: number }>("GET", "rules-engine", `/rule/name/${RULE}/firing?limit=1`)).body.totalCount;
    const alertsSeq = async (): Promise<number> => (await edgeJsm.streams.info("BRINK_ALERTS")).state.last_seq;
    const pauseRule = async (): Promise<[number, number]> => {
      assert.equal((await api.call("POST", "rules-engine", `/rule/name/${RULE}/disable`)).status, 200);
      let last = "";
      const counts = await waitFor(async () => {
        const now = [await firings(), await alertsSeq()] as [number, number];
        const same = JSON.stringify(now) === last;
        last = JSON.stringify(now);
        if (!same) await new Promise((resolve) => setTimeout(resolve, 300));
        return same ? now : undefined;
      }, { timeoutMs: 10_000, message: "the rule at rest" });
      return counts;
    };
    const [firingsBefore, alertsBefore] = await pauseRule();
    const eventsBefore = (await edgeJsm.streams.info("BRINK_EVENTS")).state.last_seq;
    const storedBefore = await api.eventCount("Edge-Float-Device");
    await link.cut();
    await waitFor(async () => (((await (await fetch(`http://127.0.0.1:${hubMonitor}/leafz`)).json()) as { leafs?: unknown[] | null }).leafs ?? []).length === 0, {
      timeoutMs: 10_000,
      message: "the hub sees the leaf gone",
    });
    const cutAt = Date.now();
    const liveAtCut = live.length;

    // Alone: devices are polled, core-data stores, the rule fires and publishes alerts, commands run.
    assert.equal((await api.call("POST", "rules-engine", `/rule/name/${RULE}/enable`)).status, 200);
    await api.assertCommandRoundTrip(33.5);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CUT_MS - (Date.now() - cutAt))));
    await api.assertCommandRoundTrip(34.5);
    const [firingsAfter, alertsAtRestore] = await pauseRule();
    const eventsAtRestore = (await edgeJsm.streams.info("BRINK_EVENTS")).state.last_seq;
    const storedDuringCut = (await api.eventCount("Edge-Float-Device")) - storedBefore;
    const alertsDuringCut = alertsAtRestore - alertsBefore;
    assert.ok(storedDuringCut >= 50, `core-data kept storing the polled readings alone (${storedDuringCut})`);
    assert.ok(firingsAfter - firingsBefore >= 10, `the rule kept firing alone (${firingsAfter - firingsBefore} firings)`);
    assert.equal(alertsDuringCut, firingsAfter - firingsBefore, "every firing's alert is kept at the edge");
    assert.equal(live.length, liveAtCut, "nothing reached the hub while the link was cut");
    await link.restore();

    // Everything published north during the cut arrives, and nothing twice.
    const expected = eventsAtRestore - eventsBefore;
    let messages: [string, number, string][] = [];
    await waitFor(
      async () => {
        messages = await hubMessages(hubNc, hubJsm);
        const events = new Set(messages.filter(([s, seq]) => s === "BRINK_EVENTS" && seq > eventsBefore && seq <= eventsAtRestore).map(([, seq]) => seq));
        const alerts = messages.filter(([s, seq]) => s === "BRINK_ALERTS" && seq > alertsBefore && seq <= alertsAtRestore);
        return events.size === expected && alerts.length === alertsDuringCut;
      },
      { timeoutMs: 60_000, intervalMs: 500, message: `${expected} events and ${alertsDuringCut} alerts of the cut at the hub` },
    );
    const cutEvents = messages.filter(([s, seq]) => s === "BRINK_EVENTS" && seq > eventsBefore && seq <= eventsAtRestore);
    assert.equal(cutEvents.length, expected, `exactly ${expected} events of the cut, none twice`);
    const keys = messages.map(([s, seq]) => `${s}:${seq}`);
    assert.equal(new Set(keys).size, keys.length, "no message twice at the hub");
    assert.ok(cutEvents.some(([, , subject]) => subject.includes(".Edge-Float-Device.")), "the polled device's readings are among them");
    // Live traffic flows north again.
    const liveAtRestore = live.length;
    await waitFor(() => live.length > liveAtRestore, { timeoutMs: 15_000, message: "live readings at the hub again" });
  });
});
