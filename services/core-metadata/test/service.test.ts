import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_SYSTEM_EVENTS, ANY, systemEventSubject } from "@brink/contracts";
import type { Device, SystemEvent } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { CORE_METADATA_CONFIG_SCHEMA, CORE_METADATA_PORT, coreMetadataService } from "../src/index.js";
import { call, device, deviceService, mustBatch, profile, startMetadata, watcher } from "./support/metadata-service.js";
import type { MetadataUnderTest } from "./support/metadata-service.js";

describe("coreMetadataService", () => {
  it("is core-metadata on EdgeX port 59881 with a documented config schema", () => {
    assert.equal(coreMetadataService.name, "core-metadata");
    assert.equal(coreMetadataService.defaultPort, CORE_METADATA_PORT);
    assert.equal(CORE_METADATA_PORT, 59881);
    for (const [key, node] of Object.entries(CORE_METADATA_CONFIG_SCHEMA.properties)) {
      assert.ok(node.description.length > 0, `${key} has a description`);
      assert.notEqual(node.default, undefined, `${key} has a default`);
    }
  });

  it("keeps its data across a restart", async () => {
    const first = await startMetadata();
    try {
      await mustBatch(first, "POST", "/api/v3/deviceservice", "service", [deviceService("svc")]);
      await mustBatch(first, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
      const [added] = await mustBatch(first, "POST", "/api/v3/device", "device", [device("d1", "svc", "p1", { labels: ["keep"] })]);
      const before = (await call<{ device: Device }>(first, "GET", "/api/v3/device/name/d1")).body.device;
      await first.stop();
      const second = await startMetadata({ dataDir: first.dataDir, bus: first.bus });
      try {
        const after = await call<{ device: Device }>(second, "GET", "/api/v3/device/name/d1");
        assert.equal(after.status, 200);
        assert.equal(after.body.device.id, added!.id);
        assert.equal(after.body.device.created, before.created);
        assert.equal(after.body.device.modified, before.modified);
        const byLabel = await call<{ totalCount: number }>(second, "GET", "/api/v3/device/all?labels=keep");
        assert.equal(byLabel.body.totalCount, 1);
        const inUse = await call(second, "DELETE", "/api/v3/deviceprofile/name/p1");
        assert.equal(inUse.status, 409, "indexes are rebuilt on start");
      } finally {
        await second.stop();
      }
    } finally {
      await first.close();
    }
  });

  it("refuses to start on a corrupt file with STORE_CORRUPT and leaves the file byte-identical", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "brink-core-metadata-corrupt-"));
    const bus = new InProcessBus();
    try {
      const file = join(dataDir, "core-metadata", "metadata.json");
      await mkdir(join(dataDir, "core-metadata"), { recursive: true });
      const bytes = Buffer.from('{"deviceServices":[],"devices":[\n  {"name": "half-written"');
      await writeFile(file, bytes);
      await assert.rejects(startMetadata({ dataDir, bus }), (err: { code?: string; message?: string; details?: { file?: string } }) => {
        assert.equal(err.code, "STORE_CORRUPT");
        assert.equal(err.details?.file, file);
        assert.ok(err.message?.includes(file));
        return true;
      });
      assert.deepEqual(await readFile(file), bytes);
    } finally {
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("core-metadata system events", () => {
  let m: MetadataUnderTest;
  let events: { subject: string; event: SystemEvent }[];

  before(async () => {
    m = await startMetadata();
    events = [];
    m.bus.subscribe(ALL_SYSTEM_EVENTS, (msg) => void events.push({ subject: msg.subject, event: msg.envelope.payload }));
  });

  after(async () => {
    await m.close();
  });

  async function drain(): Promise<{ subject: string; event: SystemEvent }[]> {
    await m.bus.flush();
    const out = events;
    events = [];
    return out;
  }

  it("announces adds of every entity type on a wildcard subscription", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc")]);
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc", "p1")]);
    await mustBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [watcher("w1", "svc", "p1")]);
    const got = await drain();
    assert.deepEqual(
      got.map((e) => [e.event.type, e.event.action, e.event.owner]),
      [
        ["deviceservice", "add", "svc"],
        ["deviceprofile", "add", "core-metadata"],
        ["device", "add", "svc"],
        ["provisionwatcher", "add", "svc"],
      ],
    );
    assert.ok(got.every((e) => e.event.source === "core-metadata" && typeof e.event.timestamp === "bigint"));
    const added = got[2]!.event.details as Device;
    assert.equal(added.name, "d1");
    assert.equal(typeof added.id, "string");
  });

  it("announces a PATCH that locks a device to its service, with the full device", async () => {
    const mine: SystemEvent[] = [];
    const sub = m.bus.subscribe(systemEventSubject("device", ANY, "svc", ANY), (msg) => void mine.push(msg.envelope.payload));
    try {
      await mustBatch(m, "PATCH", "/api/v3/device", "device", [{ name: "d1", adminState: "LOCKED" }], 200);
      const got = await drain();
      assert.equal(got.length, 1);
      assert.equal(got[0]!.subject, "edgex.system-events.core-metadata.device.update.svc.p1");
      assert.equal(mine.length, 1);
      const details = mine[0]!.details as Device;
      assert.equal(details.adminState, "LOCKED");
      assert.deepEqual(details.protocols, device("d1", "svc", "p1").protocols);
    } finally {
      sub.unsubscribe();
    }
  });

  it("announces updates of profiles, services and watchers", async () => {
    await mustBatch(m, "PUT", "/api/v3/deviceprofile", "profile", [profile("p1", { description: "v2" })], 200);
    await mustBatch(m, "PATCH", "/api/v3/deviceservice", "service", [{ name: "svc", adminState: "LOCKED" }], 200);
    await mustBatch(m, "PATCH", "/api/v3/provisionwatcher", "provisionwatcher", [{ name: "w1", adminState: "LOCKED" }], 200);
    const got = await drain();
    assert.deepEqual(
      got.map((e) => `${e.event.type}.${e.event.action}.${e.event.owner}`),
      ["deviceprofile.update.core-metadata", "deviceprofile.update.svc", "deviceservice.update.svc", "provisionwatcher.update.svc"],
    );
    assert.equal((got[0]!.event.details as { description: string }).description, "v2");
  });

  it("announces deletes with the deleted entity, and nothing for a failed change", async () => {
    assert.equal((await call(m, "DELETE", "/api/v3/deviceprofile/name/p1")).status, 409);
    assert.equal((await call(m, "DELETE", "/api/v3/device/name/d1")).status, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/provisionwatcher/name/w1")).status, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceprofile/name/p1")).status, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceservice/name/svc")).status, 200);
    const got = await drain();
    assert.deepEqual(
      got.map((e) => `${e.event.type}.${e.event.action}`),
      ["device.delete", "provisionwatcher.delete", "deviceprofile.delete", "deviceservice.delete"],
    );
    assert.equal((got[0]!.event.details as Device).name, "d1");
    assert.equal((got[0]!.event.details as Device).adminState, "LOCKED");
  });
});
