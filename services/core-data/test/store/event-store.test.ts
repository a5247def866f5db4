import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Event, Reading } from "@brink/contracts";
import { EventStore, type CommitResult, type EventStoreOptions } from "../../src/index.js";
import { makeEvent, tempDir } from "./fixtures.js";

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

describe("EventStore", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: EventStore | undefined;
  const commits: CommitResult[] = [];

  function openStore(options: Partial<EventStoreOptions> = {}): EventStore {
    store = new EventStore({ dataDir: tmp.dir, flushIntervalMs: 60_000, onCommit: (c) => commits.push(c), ...options });
    store.open();
    return store;
  }

  beforeEach(() => {
    tmp = tempDir();
    commits.length = 0;
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    tmp.remove();
  });

  describe("batching", () => {
    it("creates <dataDir>/core-data/events.db in WAL mode", () => {
      const s = openStore();
      assert.equal(s.file, path.join(tmp.dir, "core-data", "events.db"));
      s.add(makeEvent("d", T0));
      s.flush();
      assert.ok(fs.existsSync(`${s.file}-wal`));
    });

    it("queues events until the batch holds batchSize readings, then commits them in one go", () => {
      const s = openStore({ batchSize: 25 });
      s.add(makeEvent("d", T0, 10));
      s.add(makeEvent("d", T0 + 1n, 10));
      assert.equal(s.pending, 2);
      assert.equal(s.countReadings(), 0);
      s.add(makeEvent("d", T0 + 2n, 10));
      assert.equal(s.pending, 0);
      assert.equal(s.countReadings(), 30);
      assert.deepEqual(commits.map((c) => [c.events, c.readings]), [[3, 30]]);
    });

    it("commits a partial batch after flushIntervalMs", async () => {
      let resolveCommit: (c: CommitResult) => void = () => undefined;
      const committed = new Promise<CommitResult>((resolve) => (resolveCommit = resolve));
      const s = openStore({ flushIntervalMs: 2, onCommit: (c) => resolveCommit(c) });
      s.add(makeEvent("d", T0, 2));
      const result = await committed;
      assert.equal(result.readings, 2);
      assert.equal(s.countEvents(), 1);
    });

    it("commits on the next turn of the event loop when flushIntervalMs is 0", async () => {
      const s = openStore({ flushIntervalMs: 0 });
      await s.insert(makeEvent("d", T0, 1));
      assert.equal(s.countEvents(), 1);
    });

    it("insert() commits on the next turn of the event loop, not after flushIntervalMs", async () => {
      const s = openStore({ flushIntervalMs: 3_600_000 });
      s.add(makeEvent("d", T0, 1));
      await s.insert(makeEvent("d", T0 + 1n, 1));
      assert.equal(s.countEvents(), 2);
    });

    it("flush() commits what is queued before returning", () => {
      const s = openStore();
      s.add(makeEvent("d", T0, 4));
      s.flush();
      assert.equal(s.countReadings(), 4);
    });

    it("insert() resolves after the commit and rejects a duplicate id with EVENT_DUPLICATE, storing the rest", async () => {
      const s = openStore();
      const first = makeEvent("d", T0);
      const stored = s.insert(first);
      s.flush();
      await stored;
      const again = s.insert({ ...makeEvent("d", T0 + 1n), id: first.id });
      const other = s.insert(makeEvent("d", T0 + 2n));
      s.flush();
      await assert.rejects(again, (err: { code: string; kind: string }) => err.code === "EVENT_DUPLICATE" && err.kind === "DuplicateName");
      await other;
      assert.equal(s.countEvents(), 2);
      assert.equal(s.countReadings(), 6);
      assert.equal(commits.at(-1)?.rejected.length, 1);
    });

    it("rejects one event SQLite refuses with STORE_WRITE_FAILED and stores the others of its batch", async () => {
      const s = openStore();
      const bad = makeEvent("d", T0);
      (bad.readings[1] as { resourceName: unknown }).resourceName = undefined;
      const badInsert = s.insert(bad);
      const good = s.insert(makeEvent("d", T0 + 1n));
      s.flush();
      await assert.rejects(badInsert, { code: "STORE_WRITE_FAILED" });
      await good;
      assert.equal(s.countEvents(), 1);
      assert.equal(s.countReadings(), 3);
    });

    it("close() commits the queue; the data survives a reopen", async () => {
      const s = openStore();
      const e = makeEvent("d", T0, 2);
      s.add(e);
      await s.close();
      const again = openStore();
      assert.equal(again.countReadings(), 2);
      assert.equal(again.eventById(e.id)?.readings.length, 2);
    });

    it("add() on a closed store throws STORE_CLOSED", async () => {
      const s = openStore();
      await s.close();
      assert.throws(() => s.add(makeEvent("d", T0)), { code: "STORE_CLOSED", kind: "ServiceUnavailable" });
      assert.throws(() => s.countEvents(), { code: "STORE_CLOSED" });
    });

    it("fails to open a file that is not a database with STORE_CORRUPT", () => {
      const file = path.join(tmp.dir, "core-data", "events.db");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, "this is not sqlite, just some text that is long enough to look like a header.".repeat(20));
      assert.throws(() => openStore(), { code: "STORE_CORRUPT", kind: "DatabaseError" });
      store = undefined;
    });
  });

  describe("values", () => {
    it("keeps an origin above 2^53 exact, in events and readings, across a reopen", async () => {
      const origin = 9007199254740993n;
      const s = openStore();
      const e = makeEvent("d", origin, 2);
      s.add(e);
      await s.close();
      const again = openStore();
      const back = again.eventById(e.id);
      assert.equal(back?.origin, origin);
      assert.equal(back?.readings[0]?.origin, origin);
      assert.equal(again.readings({ start: origin, end: origin }, { offset: 0, limit: -1 }).length, 2);
      assert.equal(again.readings({ end: origin - 1n }, { offset: 0, limit: -1 }).length, 0);
    });

    it("round-trips simple, binary and object readings with units and tags, and leaves absent fields out", () => {
      const s = openStore();
      const base = { origin: T0, deviceName: "d", profileName: "p" };
      const readings: Reading[] = [
        { ...base, id: "r-1", resourceName: "temp", valueType: "Float32", value: "21.5", units: "degC", tags: { line: 3 } },
        { ...base, id: "r-2", resourceName: "img", valueType: "Binary", binaryValue: Buffer.from([1, 2, 255]).toString("base64"), mediaType: "image/png" },
        { ...base, id: "r-3", resourceName: "obj", valueType: "Object", objectValue: { a: [1, "x"], b: { c: true } } },
      ];
      const e: Event = { id: randomUUID(), deviceName: "d", profileName: "p", sourceName: "s", origin: T0, readings, tags: { site: "north" } };
      s.add(e);
      s.flush();
      const back = s.eventById(e.id);
      assert.deepEqual(back, { apiVersion: "v3", ...e });
      assert.equal("units" in (back?.readings[1] ?? {}), false);
      assert.equal("tags" in (back?.readings[2] ?? {}), false);
    });
    it("keeps the binary value of a Binary reading that also carries an empty value, as EdgeX's Go DTOs send it", () => {
      const s = openStore();
      const e = makeEvent("d", T0, 1);
      e.readings[0] = { ...e.readings[0], valueType: "Binary", value: "", binaryValue: "AQID", mediaType: "application/octet-stream" } as unknown as Reading;
      s.add(e);
      s.flush();
      const back = s.eventById(e.id)?.readings[0];
      assert.deepEqual(back && { ...back }, { id: e.readings[0]?.id, origin: T0, deviceName: "d", resourceName: "r0", profileName: "prof", valueType: "Binary", binaryValue: "AQID", mediaType: "application/octet-stream" });
    });
  });

  describe("queries", () => {
    let s: EventStore;
    beforeEach(() => {
      s = openStore();
      // dev-a at T0, T0+1s, T0+2s; dev-b at T0+3s; each event has readings r0, r1.
      for (let i = 0; i < 3; i++) s.add(makeEvent("dev-a", T0 + BigInt(i) * SEC, 2));
      s.add(makeEvent("dev-b", T0 + 3n * SEC, 2));
      s.flush();
    });

    it("lists events newest first with their readings, paged by offset and limit", () => {
      const all = s.events({}, { offset: 0, limit: -1 });
      assert.deepEqual(all.map((e) => e.origin), [T0 + 3n * SEC, T0 + 2n * SEC, T0 + SEC, T0]);
      assert.deepEqual(all[0]?.readings.map((r) => r.resourceName), ["r0", "r1"]);
      const page = s.events({}, { offset: 1, limit: 2 });
      assert.deepEqual(page.map((e) => e.origin), [T0 + 2n * SEC, T0 + SEC]);
      assert.equal(s.events({}, { offset: 10, limit: 5 }).length, 0);
    });

    it("filters events by device and by inclusive time range, and counts them", () => {
      assert.equal(s.events({ deviceName: "dev-a" }, { offset: 0, limit: 20 }).length, 3);
      assert.equal(s.countEvents({ deviceName: "dev-b" }), 1);
      assert.equal(s.countEvents({ deviceName: "nobody" }), 0);
      const range = s.events({ start: T0 + SEC, end: T0 + 3n * SEC }, { offset: 0, limit: 20 });
      assert.deepEqual(range.map((e) => e.deviceName), ["dev-b", "dev-a", "dev-a"]);
      assert.equal(s.countEvents({ start: T0 + SEC, end: T0 + 2n * SEC }), 2);
      assert.equal(s.countEvents(), 4);
    });

    it("filters readings by device, resource, both, time range and resource list", () => {
      const page = { offset: 0, limit: -1 };
      assert.equal(s.readings({}, page).length, 8);
      assert.equal(s.countReadings(), 8);
      assert.equal(s.readings({ deviceName: "dev-a" }, page).length, 6);
      assert.equal(s.countReadings({ deviceName: "dev-b" }), 2);
      assert.equal(s.readings({ resourceName: "r1" }, page).length, 4);
      const both = s.readings({ deviceName: "dev-a", resourceName: "r0" }, page);
      assert.deepEqual(both.map((r) => r.origin), [T0 + 2n * SEC, T0 + SEC, T0]);
      assert.equal(s.readings({ start: T0 + 3n * SEC, end: T0 + 3n * SEC }, page).length, 2);
      assert.equal(s.readings({ resourceName: "r0", start: T0, end: T0 + SEC }, page).length, 2);
      assert.equal(s.countReadings({ deviceName: "dev-a", resourceName: "r1", start: T0 + SEC, end: T0 + 9n * SEC }), 2);
      assert.equal(s.readings({ deviceName: "dev-a", resourceNames: ["r1"], start: T0, end: T0 + SEC }, page).length, 2);
      assert.equal(s.readings({ deviceName: "dev-a", resourceNames: [], start: T0, end: T0 + SEC }, page).length, 4);
      assert.equal(s.readings({}, { offset: 6, limit: 5 }).length, 2);
    });

    it("deletes an event by id with its readings, and reports a missing id", () => {
      const [newest] = s.events({}, { offset: 0, limit: 1 });
      assert.ok(newest);
      assert.equal(s.deleteEventById(newest.id), true);
      assert.equal(s.deleteEventById(newest.id), false);
      assert.equal(s.eventById(newest.id), undefined);
      assert.equal(s.countReadings(), 6);
    });

    it("deletes a device's events and readings, including ones still queued", async () => {
      s.add(makeEvent("dev-a", T0 + 9n * SEC, 2));
      const removed = await s.deleteByDevice("dev-a");
      assert.deepEqual(removed, { events: 4, readings: 8 });
      assert.equal(s.countEvents(), 1);
      assert.equal(s.countReadings({ deviceName: "dev-a" }), 0);
    });

    it("deletes by age against its clock", async () => {
      await s.close();
      const t = openStore({ now: () => T0 + 10n * SEC });
      const removed = await t.deleteByAge(8n * SEC + 1n);
      assert.deepEqual(removed, { events: 2, readings: 4 });
      assert.deepEqual(t.events({}, { offset: 0, limit: -1 }).map((e) => e.origin), [T0 + 3n * SEC, T0 + 2n * SEC]);
    });
  });

  describe("retention", () => {
    it("deletes by age in chunks, including readings older than their event", async () => {
      let now = T0;
      const s = openStore({ now: () => now, deleteChunkRows: 3, retention: { maxAgeMs: 60_000 } });
      for (let i = 0; i < 10; i++) s.add(makeEvent("d", T0 + BigInt(i) * SEC, 2));
      const skewed = makeEvent("d", T0 + 100n * SEC, 2);
      (skewed.readings[0] as { origin: bigint }).origin = T0;
      s.add(skewed);
      s.flush();
      assert.deepEqual((await s.enforceRetention()).byAge, { events: 0, readings: 0 });
      now = T0 + 65n * SEC; // cutoff T0+5s: events 0..4 go, and the skewed reading
      const result = await s.enforceRetention();
      assert.deepEqual(result.byAge, { events: 5, readings: 11 });
      assert.equal(s.countEvents(), 6);
      assert.equal(s.eventById(skewed.id)?.readings.length, 1);
    });

    it("keeps the newest maxCount readings and deletes events left without readings", async () => {
      const s = openStore({ deleteChunkRows: 4, retention: { maxCount: 7 } });
      for (let i = 0; i < 5; i++) s.add(makeEvent("d", T0 + BigInt(i) * SEC, 3));
      s.flush();
      const result = await s.enforceRetention();
      assert.deepEqual(result.byCount, { events: 2, readings: 8 });
      assert.equal(s.countReadings(), 7);
      const events = s.events({}, { offset: 0, limit: -1 });
      assert.deepEqual(events.map((e) => e.readings.length), [3, 3, 1]);
      assert.equal((await s.enforceRetention()).byCount.readings, 0);
    });

    it("runs on its timer when enabled", async () => {
      const s = openStore({ retention: { enabled: true, intervalMs: 5, maxCount: 4 } });
      for (let i = 0; i < 5; i++) s.add(makeEvent("d", T0 + BigInt(i) * SEC, 2));
      s.flush();
      while (s.countReadings() > 4) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(s.countReadings(), 4);
      assert.deepEqual(s.events({}, { offset: 0, limit: -1 }).map((e) => e.origin), [T0 + 4n * SEC, T0 + 3n * SEC]);
    });
  });
});
