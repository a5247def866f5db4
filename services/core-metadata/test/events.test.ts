import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_SYSTEM_EVENTS } from "@brink/contracts";
import type { SystemEvent } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { MetadataStore } from "../src/store/metadata-store.js";
import { SystemEventPublisher } from "../src/events.js";

const silent = { warn: () => undefined };

describe("SystemEventPublisher", () => {
  let dataDir: string;
  let store: MetadataStore;
  let bus: InProcessBus;
  let publisher: SystemEventPublisher;
  let received: { subject: string; event: SystemEvent }[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "brink-metadata-events-"));
    store = new MetadataStore({ dataDir });
    await store.start();
    bus = new InProcessBus();
    await bus.connect();
    received = [];
    bus.subscribe(ALL_SYSTEM_EVENTS, (msg) => void received.push({ subject: msg.subject, event: msg.envelope.payload }));
    publisher = new SystemEventPublisher({ store, bus, logger: silent });
    publisher.start();
  });

  afterEach(async () => {
    publisher.stop();
    await store.stop();
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function seed(): Promise<void> {
    await store.add("deviceservice", { name: "svc-a", baseAddress: "http://a", adminState: "UNLOCKED" });
    await store.add("deviceservice", { name: "svc.b", baseAddress: "http://b", adminState: "UNLOCKED" });
    await store.add("deviceprofile", { name: "prof", deviceResources: [{ name: "R", properties: { valueType: "Int16", readWrite: "RW" } }] });
    await store.add("device", { name: "dev", serviceName: "svc-a", profileName: "prof", adminState: "UNLOCKED", operatingState: "UP", protocols: {} });
    await bus.flush();
  }

  it("publishes add events with owner, source, details and escaped subject tokens", async () => {
    await seed();
    assert.deepEqual(
      received.map((r) => r.subject),
      [
        "edgex.system-events.core-metadata.deviceservice.add.svc-a.-",
        "edgex.system-events.core-metadata.deviceservice.add.svc%2Eb.-",
        "edgex.system-events.core-metadata.deviceprofile.add.core-metadata.prof",
        "edgex.system-events.core-metadata.device.add.svc-a.prof",
      ],
    );
    const dev = received[3]!.event;
    assert.equal(dev.source, "core-metadata");
    assert.equal(dev.owner, "svc-a");
    assert.equal(dev.apiVersion, "v3");
    assert.equal(typeof dev.timestamp, "bigint");
    assert.equal((dev.details as { name: string }).name, "dev");
  });

  it("publishes a LOCKED device update with the full device", async () => {
    await seed();
    received = [];
    const current = store.get("device", "dev")!;
    await store.update("device", { ...current, adminState: "LOCKED" });
    await bus.flush();
    assert.equal(received.length, 1);
    assert.equal(received[0]!.subject, "edgex.system-events.core-metadata.device.update.svc-a.prof");
    assert.equal((received[0]!.event.details as { adminState: string }).adminState, "LOCKED");
  });

  it("splits a device moved to another service into a delete and an add", async () => {
    await seed();
    received = [];
    await store.update("device", { ...store.get("device", "dev")!, serviceName: "svc.b" });
    await bus.flush();
    assert.deepEqual(
      received.map((r) => [r.event.action, r.event.owner]),
      [
        ["delete", "svc-a"],
        ["add", "svc.b"],
      ],
    );
  });

  it("sends a profile update to core-metadata and to each service using it", async () => {
    await seed();
    received = [];
    await store.update("deviceprofile", { ...store.get("deviceprofile", "prof")!, description: "new" });
    await bus.flush();
    assert.deepEqual(
      received.map((r) => r.subject),
      ["edgex.system-events.core-metadata.deviceprofile.update.core-metadata.prof", "edgex.system-events.core-metadata.deviceprofile.update.svc-a.prof"],
    );
  });

  it("publishes delete events carrying the deleted entity", async () => {
    await seed();
    received = [];
    await store.remove("device", "dev");
    await bus.flush();
    assert.equal(received[0]?.event.action, "delete");
    assert.equal((received[0]?.event.details as { name: string }).name, "dev");
  });
});
