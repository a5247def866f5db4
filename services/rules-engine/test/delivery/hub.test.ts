/**
 * Store-and-forward delivery on the app-sdk outbox, against real peers: HTTP receivers that are down at first or
 * refuse, the service's own bus, and a real mosquitto.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { InProcessBus } from "@brink/bus";
import { parseJson } from "@brink/contracts";
import { createLogger } from "@brink/service-kit";
import { DeliveryHub } from "../../src/delivery/hub.js";
import { NotificationCenter } from "../../src/notifications/center.js";
import type { Notification, Subscription } from "../../src/notifications/types.js";
import { openHistoryDatabase } from "../../src/store/history-db.js";
import { NotificationStore } from "../../src/store/notification-store.js";
import { freePort, startMosquitto, waitFor, type Mosquitto } from "../../../../test/harness/index.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

function subscription(name: string, channels: Subscription["channels"], categories = ["boiler"]): Subscription {
  return { name, categories, channels, adminState: "UNLOCKED", id: name, created: 0n, modified: 0n };
}

describe("DeliveryHub with the NotificationCenter", function () {
  this.timeout(30_000);
  let dataDir: string;
  let bus: InProcessBus;
  let hub: DeliveryHub;
  let center: NotificationCenter;
  let subscriptions: Subscription[];
  let db: ReturnType<typeof openHistoryDatabase>;
  const receivers: Receiver[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "brink-rules-delivery-"));
    bus = new InProcessBus();
    await bus.connect();
    subscriptions = [];
    db = openHistoryDatabase(dataDir);
    const logger = createLogger({ name: "delivery-test", level: "silent" });
    hub = new DeliveryHub({
      dataDir,
      logger,
      bus,
      backoff: { initialMs: 50, maxMs: 200 },
      reports: { delivered: (...a) => center.delivered(...a), refused: (...a) => center.refused(...a), retrying: (...a) => center.retrying(...a) },
    });
    hub.start();
    center = new NotificationCenter({ store: new NotificationStore(db, 1000), subscriptions: () => subscriptions, delivery: hub, logger });
  });

  afterEach(async () => {
    await hub.stop();
    db.close();
    await bus.close();
    for (const r of receivers.splice(0)) await r.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const statusOf = (id: string): Notification => center.get(id);

  it("delivers to a webhook that is down at first: retried until it is up, and received exactly once", async () => {
    const port = await freePort();
    subscriptions.push(subscription("ops", [{ type: "webhook", url: `http://127.0.0.1:${port}/notify`, headers: { "X-Site": "plant-7" } }]));
    await hub.syncSubscriptions(subscriptions);
    const n = await center.create({ category: "boiler", severity: "CRITICAL", labels: ["hall-2"], content: "boiler-1 at 95 C" });
    assert.equal(n.status, "PENDING");
    await waitFor(() => statusOf(n.id).deliveries[0]!.attempts >= 2, { message: "two failed attempts" });
    assert.match(statusOf(n.id).deliveries[0]!.lastError ?? "", /ECONNREFUSED|refused|connect/i);
    assert.equal(statusOf(n.id).status, "PENDING");

    const receiver = await startReceiver({ port });
    receivers.push(receiver);
    await receiver.waitFor(1);
    await waitFor(() => statusOf(n.id).status === "SENT", { message: "status SENT" });
    // Give a duplicate every chance to show up: several back-off periods.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(receiver.requests.length, 1);
    const req = receiver.requests[0]!;
    assert.equal(req.path, "/notify");
    assert.equal(req.headers["x-site"], "plant-7");
    assert.equal(req.headers["content-type"], "application/json");
    const body = parseJson<Notification>(req.body);
    assert.equal(body.id, n.id);
    assert.equal(body.content, "boiler-1 at 95 C");
    assert.equal(body.severity, "CRITICAL");
    const d = statusOf(n.id).deliveries[0]!;
    assert.equal(d.status, "SENT");
    assert.equal(d.subscription, "ops");
  });

  it("marks a delivery refused for good (HTTP 4xx) FAILED, and only matching subscriptions get deliveries", async () => {
    const refusing = await startReceiver({ status: 400 });
    receivers.push(refusing);
    subscriptions.push(subscription("strict", [{ type: "webhook", url: `${refusing.url}/x` }]));
    subscriptions.push(subscription("other", [{ type: "webhook", url: `${refusing.url}/y` }], ["pumps"]));
    await hub.syncSubscriptions(subscriptions);
    const n = await center.create({ category: "boiler", severity: "NORMAL", content: "c" });
    await waitFor(() => statusOf(n.id).status === "FAILED");
    assert.deepEqual(statusOf(n.id).deliveries.map((d) => d.subscription), ["strict"]);
    assert.match(statusOf(n.id).deliveries[0]!.lastError ?? "", /400/);
    center.acknowledge([n.id], true);
    assert.equal(statusOf(n.id).status, "ACKNOWLEDGED");
    center.acknowledge([n.id], false);
    assert.equal(statusOf(n.id).status, "FAILED");
  });

  it("queues webhook actions and delivers them with their headers", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    await hub.webhook({ url: `${receiver.url}/hook`, method: "PUT", headers: { "X-Rule": "hot" }, body: Buffer.from('{"t":95}') });
    await receiver.waitFor(1);
    assert.equal(receiver.requests[0]!.method, "PUT");
    assert.equal(receiver.requests[0]!.headers["x-rule"], "hot");
    assert.equal(receiver.requests[0]!.body, '{"t":95}');
  });

  it("is SENT at once when no subscription matches", async () => {
    const n = await center.create({ category: "nobody", severity: "MINOR", content: "c" });
    assert.equal(n.status, "SENT");
    assert.deepEqual(n.deliveries, []);
  });

  it("publishes on a NATS subject of the service's own bus, and chooses by label", async () => {
    const got: unknown[] = [];
    bus.subscribe("ops.notifications", (msg) => void got.push(msg.envelope.payload));
    subscriptions.push(subscription("bus", [{ type: "nats", subject: "ops.notifications" }], []));
    subscriptions[0]!.labels = ["hall-2"];
    delete subscriptions[0]!.categories;
    await hub.syncSubscriptions(subscriptions);
    const n = await center.create({ category: "any", severity: "NORMAL", labels: ["hall-2"], content: "via bus" });
    await waitFor(() => got.length === 1 && statusOf(n.id).status === "SENT");
    assert.equal((got[0] as Notification).content, "via bus");
  });

  describe("over MQTT", () => {
    let broker: Mosquitto;
    before(async () => {
      broker = await startMosquitto();
    });
    after(async () => {
      await broker.stop();
    });

    it("delivers notifications to a subscription's MQTT channel and MQTT actions to their topic", async () => {
      const client = await mqtt.connectAsync(broker.url);
      const got: { topic: string; payload: string }[] = [];
      client.on("message", (topic, payload) => got.push({ topic, payload: payload.toString("utf8") }));
      await client.subscribeAsync("plant/#", { qos: 1 });
      try {
        subscriptions.push(subscription("mqtt", [{ type: "mqtt", broker: broker.url, topic: "plant/notifications" }]));
        await hub.syncSubscriptions(subscriptions);
        const n = await center.create({ category: "boiler", severity: "NORMAL", content: "over mqtt" });
        await hub.mqtt({ broker: broker.url, topic: "plant/actions/boiler-1", payload: Buffer.from('{"t":95}'), qos: 1, retain: false });
        await waitFor(() => got.length === 2 && statusOf(n.id).status === "SENT");
        const byTopic = new Map(got.map((m) => [m.topic, m.payload]));
        assert.equal(parseJson<Notification>(byTopic.get("plant/notifications")!).content, "over mqtt");
        assert.equal(byTopic.get("plant/actions/boiler-1"), '{"t":95}');
      } finally {
        await client.endAsync();
      }
    });
  });
});
