import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FiringRecord } from "../../src/engine/firing.js";
import { decodeRecord, encodeRecord } from "../../src/store/codec.js";
import { FiringStore, ScheduleRunStore } from "../../src/store/firing-store.js";
import { openHistoryDatabase } from "../../src/store/history-db.js";

function record(i: number, rule = "r"): FiringRecord {
  return { id: `f${i}`, rule, device: "d", firedAt: 1_717_243_200_123_456_789n + BigInt(i), inputs: { t: i }, actions: [], ok: true, durationMs: 1 };
}

describe("stores", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "brink-rules-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("encodeRecord keeps every bigint exact, whatever its field", () => {
    const value = { firedAt: 1_717_243_200_123_456_789n, nested: [{ updated: -9_007_199_254_740_993n }], n: 1.5, s: "$bigint" };
    assert.deepEqual(decodeRecord(encodeRecord(value)), value);
  });

  it("FiringStore answers newest first per rule and keeps at most maxRecords", () => {
    const db = openHistoryDatabase(dir);
    try {
      const store = new FiringStore(db, 150);
      for (let i = 0; i < 300; i++) store.record(record(i, i % 2 === 0 ? "even" : "odd"));
      const all = store.list(undefined, 0, 5);
      assert.ok(all.totalCount >= 150 && all.totalCount <= 250, `kept ${all.totalCount}`);
      assert.deepEqual(all.items.map((r) => r.id), ["f299", "f298", "f297", "f296", "f295"]);
      assert.equal(all.items[0]!.firedAt, 1_717_243_200_123_456_789n + 299n);
      assert.deepEqual(store.list("odd", 1, 2).items.map((r) => r.id), ["f297", "f295"]);
      store.deleteRule("odd");
      assert.equal(store.list("odd", 0, 10).totalCount, 0);
    } finally {
      db.close();
    }
  });

  it("ScheduleRunStore keeps the last run across reopening", () => {
    let db = openHistoryDatabase(dir);
    new ScheduleRunStore(db).setLastRun("nightly", 1_717_200_000_000);
    db.close();
    db = openHistoryDatabase(dir);
    const runs = new ScheduleRunStore(db);
    assert.equal(runs.lastRun("nightly"), 1_717_200_000_000);
    runs.forget("nightly");
    assert.equal(runs.lastRun("nightly"), undefined);
    db.close();
  });
});
