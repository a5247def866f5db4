import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Registry } from "prom-client";
import { AppSdkErrorCode } from "../../src/errors.js";
import type { SqliteOutboxOptions } from "../../src/outbox/options.js";
import { BATCH_MAX_MESSAGES, OUTBOX_SCHEMA_VERSION } from "../../src/outbox/schema.js";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox.js";
import { bytes, memoryLogger, tempDir, text } from "./helpers.js";

describe("SqliteOutbox", () => {
  let tmp: ReturnType<typeof tempDir>;
  const open: SqliteOutbox[] = [];

  function outbox(options: Partial<SqliteOutboxOptions> = {}): SqliteOutbox {
    const o = new SqliteOutbox({ dataDir: tmp.dir, logger: memoryLogger(), ...options });
    o.start();
    open.push(o);
    return o;
  }

  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.stop();
    tmp.remove();
  });

  it("stores in <dataDir>/app-service/outbox.db and returns messages in order per target", async () => {
    const o = outbox();
    assert.ok(existsSync(path.join(tmp.dir, "app-service", "outbox.db")));
    await Promise.all([
      o.enqueue("a", bytes("a1"), { topic: "t/1" }),
      o.enqueue("b", bytes("b1"), {}),
      o.enqueue("a", bytes("a2"), { topic: "t/2" }),
    ]);
    await o.enqueue("a", bytes("a3"), {});
    const a = o.peek("a", 10);
    assert.deepEqual(a.map(text), ["a1", "a2", "a3"]);
    assert.deepEqual(a[0]!.meta, { topic: "t/1" });
    assert.equal(a[0]!.target, "a");
    assert.equal(a[0]!.attempts, 0);
    assert.ok(a[0]!.seq < a[1]!.seq && a[1]!.seq < a[2]!.seq);
    assert.deepEqual(o.peek("b", 10).map(text), ["b1"]);
    assert.deepEqual(o.peek("a", 2).map(text), ["a1", "a2"]);
    assert.deepEqual(o.peek("a", 10, a[0]!.seq).map(text), ["a2", "a3"]);
    assert.deepEqual(o.peek("none", 10), []);
    assert.equal(o.stats("a").depth, 3);
    assert.equal(o.stats().depth, 4);
  });

  it("commits the enqueues of one tick in one transaction (one notice per commit)", async () => {
    const o = outbox();
    let notices = 0;
    o.watch("a", () => notices++);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => o.enqueue("a", bytes(String(i)), {})));
    assert.equal(notices, 1);
    assert.equal(o.stats("a").depth, 1000);
    await o.enqueue("a", bytes("late"), {});
    assert.equal(notices, 2);
  });

  it("deletes acknowledged messages and keeps the rest across a reopen", async () => {
    let o = outbox();
    await Promise.all(["m1", "m2", "m3", "m4"].map((m) => o.enqueue("a", bytes(m), {})));
    const seqs = o.peek("a", 10).map((m) => m.seq);
    o.ack("a", seqs[1]!);
    assert.deepEqual(o.peek("a", 10).map(text), ["m3", "m4"]);
    assert.equal(o.stats("a").depth, 2);
    assert.equal(o.stats("a").bytes, 2 * (2 + 2));
    o.stop();
    o = outbox();
    assert.deepEqual(o.peek("a", 10).map(text), ["m3", "m4"]);
    await o.enqueue("a", bytes("m5"), {});
    const after = o.peek("a", 10);
    assert.ok(after[2]!.seq > seqs[3]!, "seqs are never reused");
  });

  it("drop-oldest evicts the oldest messages to make room, counted and logged", async () => {
    const registry = new Registry();
    const logger = memoryLogger();
    // each message: 10 payload bytes + 2 meta bytes ("{}") = 12
    const o = outbox({ registry, logger, limits: { a: { maxBytes: 12 * 5, dropPolicy: "drop-oldest" } } });
    for (let i = 0; i < 8; i++) await o.enqueue("a", bytes(`msg-${String(i).padStart(6, "0")}`.slice(0, 10)), {});
    const left = o.peek("a", 100).map(text);
    assert.equal(left.length, 5);
    assert.deepEqual(left, ["msg-000003", "msg-000004", "msg-000005", "msg-000006", "msg-000007"]);
    const s = o.stats("a");
    assert.equal(s.dropped, 3);
    assert.equal(s.droppedByReason.full, 3);
    assert.equal(s.bytes, 60);
    const metric = await registry.getSingleMetric("brink_outbox_dropped_total")!.get();
    assert.deepEqual(metric.values.map((v) => [v.labels, v.value]), [[{ target: "a", reason: "full" }, 3]]);
    assert.ok(logger.lines.some((l) => l.level === "warn" && (l.obj as { reason?: string }).reason === "full"));
  });

  it("reject-new refuses enqueues when full with OUTBOX_FULL, counted, keeping what is stored", async () => {
    const registry = new Registry();
    const o = outbox({ registry, limits: { a: { maxBytes: 12 * 3, dropPolicy: "reject-new" } } });
    for (let i = 0; i < 3; i++) await o.enqueue("a", bytes(`message-0${i}`), {});
    const results = await Promise.allSettled([o.enqueue("a", bytes("message-03"), {}), o.enqueue("a", bytes("message-04"), {})]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.equal((r as PromiseRejectedResult).reason.code, AppSdkErrorCode.OutboxFull);
      assert.equal((r as PromiseRejectedResult).reason.kind, "LimitExceeded");
    }
    assert.deepEqual(o.peek("a", 10).map(text), ["message-00", "message-01", "message-02"]);
    assert.equal(o.stats("a").droppedByReason.rejected, 2);
    const metric = await registry.getSingleMetric("brink_outbox_dropped_total")!.get();
    assert.deepEqual(metric.values.map((v) => [v.labels, v.value]), [[{ target: "a", reason: "rejected" }, 2]]);
    // other targets are not affected
    await o.enqueue("b", bytes("message-05"), {});
    assert.equal(o.stats("b").depth, 1);
  });

  it("refuses a message larger than the whole limit with OUTBOX_MESSAGE_TOO_LARGE", async () => {
    const o = outbox({ defaultLimits: { maxBytes: 100 } });
    await assert.rejects(o.enqueue("a", new Uint8Array(200), {}), (err: { code: string }) => err.code === AppSdkErrorCode.OutboxMessageTooLarge);
    assert.equal(o.stats("a").droppedByReason["too-large"], 1);
    assert.equal(o.stats("a").depth, 0);
  });

  it("drops messages older than maxAgeMs, counted as expired", async () => {
    let now = 1_000_000;
    const o = outbox({ now: () => now, limits: { a: { maxAgeMs: 60_000 } } });
    await o.enqueue("a", bytes("old1"), {});
    await o.enqueue("a", bytes("old2"), {});
    now += 30_000;
    await o.enqueue("a", bytes("young"), {});
    now += 40_000;
    assert.deepEqual(o.peek("a", 10).map(text), ["young"]);
    assert.equal(o.stats("a").droppedByReason.expired, 2);
    now += 60_000;
    assert.equal(o.expireAll(), 1);
    assert.equal(o.stats("a").depth, 0);
    assert.equal(o.stats("a").dropped, 3);
  });

  it("moves refused messages to the dead letters, and lists, retries and deletes them", async () => {
    const o = outbox();
    await Promise.all(["m1", "m2", "m3"].map((m) => o.enqueue("a", bytes(m), { topic: "x" })));
    await o.enqueue("b", bytes("b1"), {});
    const [m1, m2] = o.peek("a", 10);
    o.deadLetter("a", m2!.seq, "HTTP 400: bad");
    o.deadLetter("b", o.peek("b", 1)[0]!.seq, "refused");
    o.deadLetter("a", 999_999, "not queued: ignored");
    assert.deepEqual(o.peek("a", 10).map(text), ["m1", "m3"]);
    assert.equal(o.stats("a").deadLettered, 1);
    assert.equal(o.stats().deadLettered, 2);
    const page = o.listDeadLetters("a");
    assert.equal(page.totalCount, 1);
    const dl = page.deadLetters[0]!;
    assert.equal(dl.reason, "HTTP 400: bad");
    assert.equal(dl.seq, m2!.seq);
    assert.equal(dl.attempts, 1);
    assert.deepEqual(dl.meta, { topic: "x" });
    assert.equal(Buffer.from(dl.payload).toString(), "m2");
    assert.equal(o.listDeadLetters().totalCount, 2);
    assert.deepEqual(o.targetNames(), ["a", "b"]);

    const newSeq = o.retryDeadLetter(dl.id);
    assert.ok(newSeq > m1!.seq);
    assert.deepEqual(o.peek("a", 10).map(text), ["m1", "m3", "m2"]);
    assert.equal(o.peek("a", 10)[2]!.attempts, 1);
    assert.equal(o.stats("a").deadLettered, 0);
    assert.throws(() => o.retryDeadLetter(dl.id), (err: { code: string; kind: string }) => err.code === AppSdkErrorCode.DeadLetterNotFound && err.kind === "NotFound");

    const other = o.listDeadLetters("b").deadLetters[0]!;
    o.deleteDeadLetter(other.id);
    assert.equal(o.stats().deadLettered, 0);
    assert.throws(() => o.deleteDeadLetter(other.id), (err: { code: string }) => err.code === AppSdkErrorCode.DeadLetterNotFound);
  });

  it("keeps at most maxDeadLetters per target, dropping the oldest (counted)", async () => {
    const o = outbox({ maxDeadLetters: 2 });
    await Promise.all(["m1", "m2", "m3"].map((m) => o.enqueue("a", bytes(m), {})));
    for (const m of o.peek("a", 10)) o.deadLetter("a", m.seq, `no ${text(m)}`);
    assert.deepEqual(o.listDeadLetters("a").deadLetters.map((d) => d.reason), ["no m2", "no m3"]);
    assert.equal(o.stats("a").droppedByReason["dead-letter-overflow"], 1);
  });

  it("counts failed attempts", async () => {
    const o = outbox();
    await Promise.all(["m1", "m2", "m3"].map((m) => o.enqueue("a", bytes(m), {})));
    const [m1, m2] = o.peek("a", 10);
    o.countAttempt("a", m1!.seq, m2!.seq);
    o.countAttempt("a", m2!.seq, m2!.seq);
    assert.deepEqual(o.peek("a", 10).map((m) => m.attempts), [1, 2, 0]);
  });

  it("fails with OUTBOX_CLOSED before start and after stop, and rejects bad limits with CONFIG_INVALID", async () => {
    const o = new SqliteOutbox({ dataDir: tmp.dir });
    await assert.rejects(o.enqueue("a", bytes("x"), {}), (err: { code: string }) => err.code === AppSdkErrorCode.OutboxClosed);
    assert.throws(() => o.peek("a", 1), (err: { code: string }) => err.code === AppSdkErrorCode.OutboxClosed);
    assert.throws(() => o.setLimits("a", { maxBytes: -1, dropPolicy: "keep-all" as never }), (err: { code: string; problems: unknown[] }) => err.code === "CONFIG_INVALID" && err.problems.length === 2);
    o.start();
    const pending = o.enqueue("a", bytes("x"), {});
    o.stop();
    await pending;
    await assert.rejects(o.enqueue("a", bytes("y"), {}), (err: { code: string }) => err.code === AppSdkErrorCode.OutboxClosed);
    const again = outbox();
    assert.deepEqual(again.peek("a", 10).map(text), ["x"], "stop() commits what was queued");
  });

  describe("storage in batches", () => {
    /** Rows of the batches table, read with a connection of the test's own. */
    function batchRows(o: SqliteOutbox): Array<{ target: string; firstSeq: number; lastSeq: number }> {
      const db = new Database(o.file, { readonly: true });
      try {
        return db.prepare<[], { target: string; firstSeq: number; lastSeq: number }>("SELECT target, firstSeq, lastSeq FROM batches ORDER BY id").all();
      } finally {
        db.close();
      }
    }

    it("writes one row per target and commit, at most BATCH_MAX_MESSAGES each, and keeps a partly acknowledged batch's rest across a reopen", async () => {
      let o = outbox();
      const n = 2 * BATCH_MAX_MESSAGES + 500;
      await Promise.all([
        ...Array.from({ length: n }, (_, i) => o.enqueue("a", bytes(`a${i}`), { i: String(i) })),
        o.enqueue("b", bytes("b0"), {}),
      ]);
      const rows = batchRows(o);
      assert.deepEqual(rows.map((r) => [r.target, r.lastSeq - r.firstSeq + 1]), [["a", BATCH_MAX_MESSAGES], ["a", BATCH_MAX_MESSAGES], ["a", 500], ["b", 1]]);
      const all = o.peek("a", n);
      assert.equal(all.length, n);
      assert.deepEqual(all.slice(0, 3).map(text), ["a0", "a1", "a2"]);
      assert.deepEqual(all[n - 1]!.meta, { i: String(n - 1) });
      // Acknowledge into the middle of the second batch: the first row goes, the second stays with its rest queued.
      o.ack("a", all[1500]!.seq);
      o.flush();
      assert.equal(batchRows(o).filter((r) => r.target === "a").length, 2);
      assert.equal(o.stats("a").depth, n - 1501);
      const bytesLeft = all.slice(1501).reduce((sum, m) => sum + m.payload.byteLength + JSON.stringify(m.meta).length, 0);
      assert.equal(o.stats("a").bytes, bytesLeft);
      o.stop();
      o = outbox();
      assert.equal(o.stats("a").depth, n - 1501);
      assert.equal(o.stats("a").bytes, bytesLeft);
      const left = o.peek("a", n);
      assert.deepEqual([text(left[0]!), text(left[left.length - 1]!)], ["a1501", `a${n - 1}`]);
      assert.deepEqual(o.peek("a", 2, left[0]!.seq).map(text), ["a1502", "a1503"]);
      assert.deepEqual(o.peek("b", 10).map(text), ["b0"]);
    });

    it("appends a trickle of small commits to the newest row while it is under 8 KiB, each message keeping its own time", async () => {
      let now = 1_000_000;
      let o = outbox({ now: () => now });
      // 100 commits of one message of 100 payload bytes and 2 meta bytes: 10.2 kB, two rows.
      for (let i = 0; i < 100; i++) {
        await o.enqueue("a", bytes(`m${String(i).padStart(3, "0")}`.padEnd(100, ".")), {});
        now += 1000;
      }
      assert.deepEqual(batchRows(o).map((r) => r.lastSeq - r.firstSeq + 1), [80, 20]);
      const all = o.peek("a", 1000);
      assert.equal(all.length, 100);
      assert.deepEqual([all[0]!.enqueuedAt, all[99]!.enqueuedAt], [1_000_000, 1_099_000]);
      // Older than 60 s at 1,122,000: the first 62 messages expire, from the middle of the first row.
      now = 1_122_000;
      o.stop();
      o = outbox({ now: () => now, limits: { a: { maxAgeMs: 60_000 } } });
      assert.equal(o.expireAll(), 62);
      const left = o.peek("a", 1000);
      assert.equal(left.length, 38);
      assert.equal(text(left[0]!).slice(0, 4), "m062");
      assert.equal(o.stats("a").bytes, 38 * 102);
      o.stop();
      o = outbox({ now: () => now, limits: { a: { maxAgeMs: 60_000 } } });
      assert.equal(o.stats("a").depth, 38);
      assert.equal(o.stats("a").bytes, 38 * 102);
    });

    it("keeps a dead letter taken from the middle of a batch and the attempts of the others across a reopen", async () => {
      let o = outbox();
      await Promise.all(["m1", "m2", "m3", "m4"].map((m) => o.enqueue("a", bytes(m), {})));
      const [m1, m2, m3] = o.peek("a", 10);
      o.countAttempt("a", m1!.seq, m3!.seq);
      o.deadLetter("a", m2!.seq, "refused");
      o.deadLetter("a", m2!.seq, "again: ignored");
      assert.deepEqual(o.peek("a", 10).map(text), ["m1", "m3", "m4"]);
      assert.equal(o.listDeadLetters("a").deadLetters[0]!.attempts, 2);
      o.stop();
      o = outbox();
      assert.deepEqual(o.peek("a", 10).map((m) => [text(m), m.attempts]), [["m1", 1], ["m3", 1], ["m4", 0]]);
      assert.equal(o.stats("a").depth, 3);
      assert.equal(o.stats("a").bytes, 3 * (2 + 2));
      o.ack("a", m3!.seq);
      o.stop();
      o = outbox();
      assert.deepEqual(o.peek("a", 10).map((m) => [text(m), m.attempts]), [["m4", 0]]);
    });

    it("migrates a schema-1 outbox (one row per message) with its order, meta, attempts and seq counter", () => {
      const file = path.join(tmp.dir, "app-service", "outbox.db");
      mkdirSync(path.dirname(file), { recursive: true });
      const old = new Database(file);
      old.pragma("journal_mode = WAL");
      old.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, payload BLOB NOT NULL, meta TEXT NOT NULL,
        enqueuedAt INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL);
        CREATE INDEX messages_target_seq ON messages (target, seq);
        CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, seq INTEGER NOT NULL, payload BLOB NOT NULL,
        meta TEXT NOT NULL, enqueuedAt INTEGER NOT NULL, attempts INTEGER NOT NULL, reason TEXT NOT NULL, failedAt INTEGER NOT NULL);`);
      const insert = old.prepare("INSERT INTO messages (target, payload, meta, enqueuedAt, attempts, size) VALUES (?, ?, ?, ?, ?, ?)");
      insert.run("a", Buffer.from("a1"), '{"topic":"t/1"}', 1000, 0, 2 + 15);
      insert.run("b", Buffer.from("b1"), "{}", 1000, 3, 4);
      insert.run("a", Buffer.from("a2"), "{}", 2000, 1, 4);
      insert.run("a", Buffer.from("gone"), "{}", 2000, 0, 6);
      old.prepare("DELETE FROM messages WHERE seq = 4").run(); // the counter stays at 4
      old.pragma("user_version = 1");
      old.close();

      const o = outbox({ now: () => 3000 });
      assert.deepEqual(o.peek("a", 10).map((m) => [m.seq, text(m), m.meta, m.enqueuedAt, m.attempts]), [
        [1, "a1", { topic: "t/1" }, 1000, 0],
        [3, "a2", {}, 2000, 1],
      ]);
      assert.deepEqual(o.peek("b", 10).map((m) => [m.seq, text(m), m.attempts]), [[2, "b1", 3]]);
      assert.equal(o.stats().depth, 3);
      assert.equal(o.stats("a").bytes, 2 + 15 + 4);
      const db = new Database(o.file, { readonly: true });
      try {
        assert.equal(db.pragma("user_version", { simple: true }), OUTBOX_SCHEMA_VERSION);
        assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages'").pluck().get(), 0);
      } finally {
        db.close();
      }
      return o.enqueue("a", bytes("a3"), {}).then(() => {
        assert.equal(o.peek("a", 10)[2]!.seq, 5, "seqs continue after the old counter, never reusing one");
      });
    });
  });

  it("refuses a file that is not an outbox database with STORE_CORRUPT", () => {
    const file = path.join(tmp.dir, "app-service", "outbox.db");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "this is not a database, but it is long enough to have a header of sorts.".repeat(20));
    const o = new SqliteOutbox({ dataDir: tmp.dir, logger: memoryLogger() });
    assert.throws(() => o.start(), (err: { code: string; message: string }) => err.code === "STORE_CORRUPT" && err.message.includes(file));
  });

  it("answers STORE_CORRUPT when a stored batch vanished from the file behind its back", async () => {
    const o = outbox();
    await o.enqueue("a", bytes("m1"), {});
    const other = new Database(o.file);
    other.exec("DELETE FROM batches");
    other.close();
    assert.throws(() => o.peek("a", 10), (err: { code: string; message: string }) => err.code === "STORE_CORRUPT" && err.message.includes(o.file));
  });

  it("rejects the enqueues of a commit that cannot be written with OUTBOX_WRITE_FAILED, keeping what was stored", async function () {
    this.timeout(30_000);
    const logger = memoryLogger();
    const o = outbox({ logger });
    await Promise.all(["m1", "m2"].map((m) => o.enqueue("a", bytes(m), {})));
    o.ack("a", o.peek("a", 1)[0]!.seq);
    // Another connection holds the write lock past SQLite's busy timeout (5 s): the next commit fails.
    const other = new Database(o.file);
    other.exec("BEGIN IMMEDIATE");
    try {
      await assert.rejects(o.enqueue("a", bytes("m3"), {}), (err: { code: string; kind: string }) => err.code === AppSdkErrorCode.OutboxWriteFailed && err.kind === "DatabaseError");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    assert.ok(logger.lines.some((l) => l.level === "error" && l.msg === "outbox: commit failed"));
    // The failed commit changed nothing: the acknowledgement it carried is re-applied later (at least once).
    assert.deepEqual(o.peek("a", 10).map(text), ["m1", "m2"]);
    assert.equal(o.stats("a").depth, 2);
    await o.enqueue("a", bytes("m4"), {});
    assert.deepEqual(o.peek("a", 10).map(text), ["m1", "m2", "m4"]);
  });
});
