import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@brink/bus";
import { eventSubject } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, startMosquitto, waitFor, type Mosquitto } from "../../../test/harness/index.js";
import { addEventRequest, mqttCounter, startAppService, type MqttCounter } from "./helpers.js";

interface View {
  pipeline: {
    status: { received: number; processed: number; filtered: number; exported: number; errors: number; functions: { name: string; filtered: number }[] };
    exports: { target: string; outbox: { depth: number; dropped: number }; forwarder?: { connected: boolean } }[];
  };
}

describe("app-service end to end: bus -> pipeline -> mosquitto", () => {
  let broker: Mosquitto;
  let dataDir: string;
  let bus: InProcessBus;
  let svc: RunningService | undefined;
  let sub: MqttCounter | undefined;

  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await broker.stop();
  });
  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-e2e-"));
    bus = new InProcessBus();
    await bus.connect();
  });
  afterEach(async () => {
    await sub?.close();
    sub = undefined;
    await svc?.stop();
    svc = undefined;
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("filters and exports exactly the matching events, with exact counters", async () => {
    svc = await startAppService(bus, dataDir);
    sub = await mqttCounter(broker.url, "plant/#");
    const put = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, {
      name: "north",
      trigger: { type: "bus", subjects: ["edgex/events/device/+/thermo/#"] },
      functions: [
        { name: "FilterByDeviceName", params: { patterns: ["boiler-\\d"] } },
        { name: "RangeCheck", params: { minimum: -50, maximum: 150 } },
        { name: "ToEdgeXEvent" },
        { name: "MqttExport", params: { url: broker.url, topic: "plant/{device}/{source}", qos: 1 } },
      ],
    });
    assert.equal(put.status, 201);

    const N = 600;
    const sent = new Set<string>();
    for (let i = 0; i < N; i++) {
      // boiler-1 and boiler-2 pass the filter, boiler-10 does not (patterns are anchored); every 10th boiler-1 value is out of range
      const device = ["boiler-1", "boiler-2", "boiler-10"][i % 3]!;
      const value = device === "boiler-1" && i % 10 === 0 ? 999 : 20 + (i % 7);
      const req = addEventRequest(device, value);
      if (device !== "boiler-10" && value !== 999) sent.add(req.event.id);
      await bus.publish(eventSubject("virtual", "thermo", device, "temp"), req);
    }
    // Another profile: not on the trigger's subjects.
    await bus.publish(eventSubject("virtual", "meter", "boiler-1", "temp"), addEventRequest("boiler-1", 1, { profile: "meter" }));

    await waitFor(() => sub!.ids.size === sent.size, { timeoutMs: 15_000, message: `${sent.size} events at the broker` });
    assert.deepEqual([...sub.ids].sort(), [...sent].sort());
    assert.equal(sub.messages.length, sent.size, "no duplicates without failures");
    assert.ok(sub.messages.every((m) => /^plant\/boiler-[12]\/temp$/.test(m.topic)));

    const view = await waitFor(async () => {
      const v = await httpJson<View>("GET", `${svc!.url}/api/v3/pipeline/name/north`);
      return v.body.pipeline.exports[0]!.outbox.depth === 0 ? v.body : undefined;
    });
    const s = view.pipeline.status;
    const boiler1OutOfRange = Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === 0 && i % 10 === 0).length;
    assert.equal(s.received, N);
    assert.equal(s.processed, sent.size);
    assert.equal(s.exported, sent.size);
    assert.equal(s.errors, 0);
    assert.deepEqual(s.functions.map((f) => [f.name, f.filtered]), [["FilterByDeviceName", N / 3], ["RangeCheck", boiler1OutOfRange], ["ToEdgeXEvent", 0], ["MqttExport", 0]]);
    assert.equal(view.pipeline.exports[0]!.outbox.dropped, 0);
    assert.equal(view.pipeline.exports[0]!.forwarder?.connected, true);
  });

  it("keeps what the outbox acknowledged across a broker outage and delivers it when the broker is back", async function () {
    this.timeout(60_000);
    // A broker that keeps the subscriber's session across its restart, so nothing is lost on the subscriber's side.
    const persistent = await startMosquitto({ persistence: true });
    try {
      await outage(persistent);
    } finally {
      await sub?.close();
      sub = undefined;
      await svc?.stop();
      svc = undefined;
      await persistent.stop();
    }
  });

  async function outage(broker: Mosquitto): Promise<void> {
    svc = await startAppService(bus, dataDir);
    sub = await mqttCounter(broker.url, "outage/#", { persistentSession: true });
    await httpJson("PUT", `${svc.url}/api/v3/pipeline`, {
      name: "outage",
      trigger: { type: "bus" },
      functions: [{ name: "ToEdgeXEvent" }, { name: "MqttExport", params: { url: broker.url, topic: "outage/{device}", backoffInitial: "50ms", backoffMax: "200ms" } }],
    });
    const ids: string[] = [];
    const publish = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const req = addEventRequest("dev1", i);
        ids.push(req.event.id);
        await bus.publish(eventSubject("svc", "thermo", "dev1", "temp"), req);
      }
    };
    await publish(100);
    await waitFor(() => sub!.ids.size === 100, { timeoutMs: 10_000 });
    await broker.pause();
    await publish(200);
    const during = await waitFor(async () => {
      const v = await httpJson<View>("GET", `${svc!.url}/api/v3/pipeline/name/outage`);
      return v.body.pipeline.status.exported === 300 ? v.body : undefined;
    });
    assert.ok(during.pipeline.exports[0]!.outbox.depth > 0, "held in the outbox while the broker is down");
    await broker.start();
    await waitFor(() => sub!.ids.size === 300, { timeoutMs: 30_000, message: "every event after the outage" });
    assert.deepEqual([...sub!.ids].sort(), [...ids].sort());
  }
});
