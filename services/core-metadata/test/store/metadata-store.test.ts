import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJson } from "@brink/contracts";
import type { Device, DeviceProfile, DeviceService, ProvisionWatcher } from "@brink/contracts";
import { MetadataStore } from "../../src/store/metadata-store.js";
import type { MetadataDocument } from "../../src/store/document.js";

function service(name: string, labels: string[] = []): DeviceService {
  return { name, baseAddress: `http://localhost:1/${name}`, adminState: "UNLOCKED", labels };
}

function profile(name: string, extra: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    name,
    manufacturer: "Acme",
    model: "M1",
    deviceResources: [{ name: "Temp", properties: { valueType: "Float32", readWrite: "R" } }],
    deviceCommands: [{ name: "All", readWrite: "R", resourceOperations: [{ deviceResource: "Temp" }] }],
    ...extra,
  };
}

function device(name: string, serviceName: string, profileName: string, extra: Partial<Device> = {}): Device {
  return { name, serviceName, profileName, adminState: "UNLOCKED", operatingState: "UP", protocols: { other: { Address: name } }, ...extra };
}

function watcher(name: string, serviceName: string, profileName: string): ProvisionWatcher {
  return { name, serviceName, identifiers: { address: ".*" }, adminState: "UNLOCKED", discoveredDevice: { profileName, adminState: "UNLOCKED" } };
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: { code?: string }) => {
    assert.equal(err.code, code);
    return true;
  });
}

describe("MetadataStore", () => {
  let dataDir: string;
  let store: MetadataStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "brink-metadata-"));
    store = new MetadataStore({ dataDir });
  });

  afterEach(async () => {
    await store.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts empty on a missing file and writes nothing until a change", async () => {
    await store.start();
    assert.equal(store.query("device").length, 0);
    await assert.rejects(readFile(store.file), { code: "ENOENT" });
    assert.equal(store.file, join(dataDir, "core-metadata", "metadata.json"));
  });

  it("writes durably with exact int64 timestamps and leaves no temp file", async () => {
    await store.start();
    const added = await store.add("deviceservice", service("svc"));
    assert.match(added.id, /^[0-9a-f-]{36}$/);
    assert.equal(typeof added.created, "bigint");
    const text = await readFile(store.file, "utf8");
    assert.ok(text.includes(`"created": ${added.created.toString()}`), "created is written as a bare integer");
    const doc = parseJson<MetadataDocument>(text);
    assert.equal(doc.deviceServices[0]?.created, added.created);
    assert.deepEqual(await readdir(join(dataDir, "core-metadata")), ["metadata.json"]);
  });

  it("coalesces mutations made in one tick into one file write", async () => {
    await store.start();
    await Promise.all([store.add("deviceservice", service("a")), store.add("deviceservice", service("b")), store.add("deviceprofile", profile("p"))]);
    assert.equal(store.writeCount, 1);
    await store.add("deviceservice", service("c"));
    assert.equal(store.writeCount, 2);
    const doc = parseJson<MetadataDocument>(await readFile(store.file, "utf8"));
    assert.deepEqual(doc.deviceServices.map((s) => s.name), ["a", "b", "c"]);
  });

  it("reloads data and indexes after a restart", async () => {
    await store.start();
    await store.add("deviceservice", service("svc"));
    await store.add("deviceprofile", profile("prof"));
    const d = await store.add("device", device("dev", "svc", "prof", { labels: ["x"] }));
    await store.stop();
    store = new MetadataStore({ dataDir });
    await store.start();
    assert.deepEqual(store.get("device", "dev"), d);
    assert.equal(store.getById("device", d.id)?.name, "dev");
    assert.equal(store.count("device", "profile", "prof"), 1);
    assert.deepEqual(store.query("device", { labels: ["x"] }).map((x) => x.name), ["dev"]);
  });

  it("reports a file that is not JSON as STORE_CORRUPT and leaves it byte-identical", async () => {
    await mkdir(join(dataDir, "core-metadata"), { recursive: true });
    const bytes = Buffer.from('{"deviceServices": [ oops');
    await writeFile(store.file, bytes);
    await assert.rejects(store.start(), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, "STORE_CORRUPT");
      assert.ok(err.message?.includes(store.file), "names the file");
      return true;
    });
    assert.deepEqual(await readFile(store.file), bytes);
  });

  it("reports a file of the wrong shape as STORE_CORRUPT and leaves it byte-identical", async () => {
    await mkdir(join(dataDir, "core-metadata"), { recursive: true });
    const bytes = Buffer.from(JSON.stringify({ deviceServices: [{ name: "x" }], devices: {} }));
    await writeFile(store.file, bytes);
    await rejectsWithCode(store.start(), "STORE_CORRUPT");
    assert.deepEqual(await readFile(store.file), bytes);
  });

  it("refuses duplicate names and ids", async () => {
    await store.start();
    const a = await store.add("deviceservice", service("a"));
    await rejectsWithCode(store.add("deviceservice", service("a")), "DUPLICATE_NAME");
    await rejectsWithCode(store.add("deviceservice", { ...service("b"), id: a.id }), "DUPLICATE_NAME");
  });

  it("checks that referenced services, profiles and AutoEvent sources exist", async () => {
    await store.start();
    await store.add("deviceservice", service("svc"));
    await store.add("deviceprofile", profile("prof"));
    await rejectsWithCode(store.add("device", device("d1", "nosvc", "prof")), "NOT_FOUND");
    await rejectsWithCode(store.add("device", device("d1", "svc", "noprof")), "NOT_FOUND");
    await rejectsWithCode(store.add("device", device("d1", "svc", "prof", { autoEvents: [{ interval: "1s", sourceName: "Nope" }] })), "DEVICE_INVALID");
    await store.add("device", device("d1", "svc", "prof", { autoEvents: [{ interval: "1s", sourceName: "All" }] }));
    await rejectsWithCode(store.add("provisionwatcher", watcher("w", "svc", "noprof")), "NOT_FOUND");
    await store.add("provisionwatcher", watcher("w", "svc", "prof"));
  });

  it("refuses to delete a service or profile still in use", async () => {
    await store.start();
    await store.add("deviceservice", service("svc"));
    await store.add("deviceprofile", profile("prof"));
    await store.add("device", device("d1", "svc", "prof"));
    await rejectsWithCode(store.remove("deviceprofile", "prof"), "ENTITY_IN_USE");
    await rejectsWithCode(store.remove("deviceservice", "svc"), "ENTITY_IN_USE");
    await store.remove("device", "d1");
    await store.remove("deviceprofile", "prof");
    await store.remove("deviceservice", "svc");
    await rejectsWithCode(store.remove("deviceservice", "svc"), "NOT_FOUND");
  });

  it("updates keep id and created, move modified forward and re-index", async () => {
    await store.start();
    await store.add("deviceservice", service("svc"));
    await store.add("deviceprofile", profile("p1"));
    await store.add("deviceprofile", profile("p2", { manufacturer: "Other" }));
    const d = await store.add("device", device("d", "svc", "p1"));
    const { previous, current } = await store.update("device", { ...device("d", "svc", "p2"), adminState: "LOCKED" });
    assert.equal(previous.adminState, "UNLOCKED");
    assert.equal(current.id, d.id);
    assert.equal(current.created, d.created);
    assert.ok(current.modified > d.modified);
    assert.equal(store.count("device", "profile", "p1"), 0);
    assert.equal(store.count("device", "profile", "p2"), 1);
    await rejectsWithCode(store.update("device", device("zz", "svc", "p2")), "NOT_FOUND");
    await rejectsWithCode(store.update("device", { ...device("d", "svc", "p2"), id: "00000000-0000-4000-8000-000000000000" }), "REQUEST_INVALID");
  });

  it("queries by label intersection and secondary index, newest first", async () => {
    await store.start();
    await store.add("deviceprofile", profile("a", { labels: ["x", "y"] }));
    await store.add("deviceprofile", profile("b", { labels: ["x"], model: "M2" }));
    await store.add("deviceprofile", profile("c", { labels: ["y"], manufacturer: "Other" }));
    assert.deepEqual(store.query("deviceprofile").map((p) => p.name), ["c", "b", "a"]);
    assert.deepEqual(store.query("deviceprofile", { labels: ["x"] }).map((p) => p.name), ["b", "a"]);
    assert.deepEqual(store.query("deviceprofile", { labels: ["x", "y"] }).map((p) => p.name), ["a"]);
    assert.deepEqual(store.query("deviceprofile", { where: { manufacturer: "Acme" } }).map((p) => p.name), ["b", "a"]);
    assert.deepEqual(store.query("deviceprofile", { where: { manufacturer: "Acme", model: "M2" } }).map((p) => p.name), ["b"]);
    assert.deepEqual(store.query("deviceprofile", { labels: ["nope"] }), []);
  });

  it("hands out frozen entities", async () => {
    await store.start();
    const s = await store.add("deviceservice", service("svc", ["a"]));
    assert.throws(() => {
      (s.labels as string[]).push("b");
    }, TypeError);
  });

  it("reports changes to listeners after they are written", async () => {
    await store.start();
    const seen: string[] = [];
    store.onChange((c) => seen.push(`${c.kind}:${c.action}:${c.entity.name}`));
    await store.add("deviceservice", service("svc"));
    await store.update("deviceservice", { ...service("svc"), adminState: "LOCKED" });
    await store.remove("deviceservice", "svc");
    assert.deepEqual(seen, ["deviceservice:add:svc", "deviceservice:update:svc", "deviceservice:delete:svc"]);
  });

  it("rejects a mutation with STORE_WRITE_FAILED when the file cannot be written", async () => {
    await store.start();
    await mkdir(join(dataDir, "core-metadata", ".metadata.json.tmp"), { recursive: true });
    await rejectsWithCode(store.add("deviceservice", service("svc")), "STORE_WRITE_FAILED");
  });
});
