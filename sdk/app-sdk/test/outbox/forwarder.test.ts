import { strict as assert } from "node:assert";
import { Registry } from "prom-client";
import { waitFor } from "../../../../test/harness/index.js";
import { PermanentExportError, RetryableExportError } from "../../src/errors.js";
import { Forwarder } from "../../src/outbox/forwarder.js";
import type { ForwarderOptions } from "../../src/outbox/forwarder-options.js";
import { backoffDelayMs } from "../../src/outbox/pacing.js";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox.js";
import { ScriptedTarget, bytes, fakeClock, memoryLogger, tempDir, turn } from "./helpers.js";

describe("Forwarder", () => {
  let tmp: ReturnType<typeof tempDir>;
  let outbox: SqliteOutbox;
  const forwarders: Forwarder[] = [];

  function forwarder(target: ScriptedTarget, options: Partial<ForwarderOptions> = {}): Forwarder {
    const f = new Forwarder({ outbox, target, logger: memoryLogger(), replayRatePerSec: 0, random: () => 0.5, ...options });
    forwarders.push(f);
    return f;
  }

  async function fill(target: string, n: number, from = 0): Promise<void> {
    await Promise.all(Array.from({ length: n }, (_, i) => outbox.enqueue(target, bytes(String(from + i)), {})));
  }

  const range = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => String(from + i));

  /** First occurrences, in order, and how many were repeats. */
  function dedupe(list: readonly string[]): { unique: string[]; duplicates: number } {
    const seen = new Set<string>();
    const unique: string[] = [];
    for (const x of list) {
      if (seen.has(x)) continue;
      seen.add(x);
      unique.push(x);
    }
    return { unique, duplicates: list.length - unique.length };
  }

  beforeEach(() => {
    tmp = tempDir();
    outbox = new SqliteOutbox({ dataDir: tmp.dir, logger: memoryLogger() });
    outbox.start();
  });
  afterEach(async () => {
    for (const f of forwarders.splice(0)) await f.stop();
    outbox.stop();
    tmp.remove();
  });

  it("drains in order, acknowledges in the outbox, and counts", async () => {
    const { forwarderClock } = fakeClock();
    const target = new ScriptedTarget("t", forwarderClock.now);
    const registry = new Registry();
    await fill("t", 500);
    const f = forwarder(target, { clock: forwarderClock, registry, batchSize: 32, maxInFlight: 128 });
    f.start();
    await waitFor(() => outbox.stats("t").depth === 0, { message: "the queue drained" });
    await fill("t", 100, 500);
    await waitFor(() => f.status().acked === 600, { message: "new messages were sent and acknowledged" });
    assert.deepEqual(target.delivered, range(600));
    assert.ok(target.batches.every((n) => n <= 32));
    const s = f.status();
    assert.equal(s.sent, 600);
    assert.equal(s.acked, 600);
    assert.equal(s.retries, 0);
    assert.equal(s.connected, true);
    assert.equal(s.state, "connected");
    assert.equal(typeof s.lastAckAt, "number");
    const acked = await registry.getSingleMetric("brink_export_acked_total")!.get();
    assert.equal(acked.values[0]!.value, 600);
  });

  it("keeps at most maxInFlight messages unacknowledged", async () => {
    const { forwarderClock } = fakeClock();
    const pending: Array<() => void> = [];
    let outstanding = 0;
    let most = 0;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => {
      outstanding += batch.length;
      most = Math.max(most, outstanding);
      return new Promise<number>((resolve) =>
        pending.push(() => {
          outstanding -= batch.length;
          resolve(batch.length);
        }),
      );
    });
    await fill("t", 300);
    const f = forwarder(target, { clock: forwarderClock, batchSize: 10, maxInFlight: 40 });
    f.start();
    await waitFor(() => pending.length === 4);
    await turn();
    assert.equal(f.status().inFlight, 40);
    assert.equal(pending.length, 4, "no fifth batch while 40 are in flight");
    while (target.delivered.length < 300) {
      await waitFor(() => pending.length > 0);
      pending.shift()!();
      await turn();
    }
    assert.equal(most, 40);
    assert.deepEqual(target.delivered, range(300));
  });

  it("backs off exponentially with jitter between failed connects, then delivers", async () => {
    const { clock, forwarderClock } = fakeClock();
    const target = new ScriptedTarget("t", forwarderClock.now, (attempt) => {
      if (attempt <= 5) throw new RetryableExportError("broker down");
    });
    await fill("t", 10);
    const f = forwarder(target, { clock: forwarderClock, backoff: { initialMs: 1000, maxMs: 5000, jitter: 0.5 }, random: () => 0.5 });
    f.start();
    await clock.tickAsync(0);
    assert.deepEqual(target.connectTimes, [0]);
    assert.equal(f.status().state, "backoff");
    assert.equal(f.status().lastError?.code, "EXPORT_UNAVAILABLE");
    // waits: 0.75 x 1000, 2000, 4000, then capped at 5000
    await clock.tickAsync(20_000);
    assert.deepEqual(target.connectTimes, [0, 750, 2250, 5250, 9000, 12750]);
    await waitFor(() => target.delivered.length === 10);
    assert.equal(f.status().retries, 5);
    assert.equal(f.status().connected, true);
    assert.equal(backoffDelayMs(3, { initialMs: 1000, jitter: 0.5 }, () => 0), 4000, "random 0: the full wait");
    assert.equal(backoffDelayMs(3, { initialMs: 1000, jitter: 0.5 }, () => 0.999), 2002, "random near 1: half the wait");
  });

  it("on a retryable send failure re-sends from the first unacknowledged message after a reconnect", async () => {
    const { clock, forwarderClock } = fakeClock();
    let failed = false;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => {
      if (!failed && batch.some((m) => Buffer.from(m.payload).toString() === "55")) {
        failed = true;
        const at = batch.findIndex((m) => Buffer.from(m.payload).toString() === "55");
        return new RetryableExportError("connection lost", { acked: at });
      }
      return batch.length;
    });
    await fill("t", 200);
    const f = forwarder(target, { clock: forwarderClock, batchSize: 10, maxInFlight: 30, backoff: { initialMs: 100 } });
    f.start();
    await waitFor(() => f.status().state === "backoff");
    assert.ok(target.closes >= 1);
    await clock.tickAsync(100);
    await waitFor(() => outbox.stats("t").depth === 0);
    assert.deepEqual(dedupe(target.delivered).unique, range(200));
    const { duplicates } = dedupe(target.received);
    assert.ok(duplicates <= 30, `${duplicates} messages sent twice, window 30`);
    assert.equal(target.connectTimes.length, 2);
    assert.ok(outbox.peek("t", 1).length === 0);
    assert.equal(f.status().retries, 1);
  });

  it("dead-letters a refused message with its reason and goes on in order", async () => {
    const { forwarderClock } = fakeClock();
    // A serial target, as HttpTarget is: after a refusal, the sends already issued fail unsent until the forwarder
    // starts again from the refused message.
    let poisoned = false;
    let highest = -1;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => {
      const first = Number(Buffer.from(batch[0]!.payload).toString());
      if (poisoned && first > highest) return new RetryableExportError("not sent after an earlier failure");
      poisoned = false;
      highest = Math.max(highest, Number(Buffer.from(batch[batch.length - 1]!.payload).toString()));
      const at = batch.findIndex((m) => ["13", "14"].includes(Buffer.from(m.payload).toString()));
      if (at < 0) return batch.length;
      poisoned = true;
      return new PermanentExportError(`HTTP 400: no ${Buffer.from(batch[at]!.payload).toString()}`, { acked: at });
    });
    await fill("t", 40);
    const f = forwarder(target, { clock: forwarderClock, batchSize: 8, maxInFlight: 16 });
    f.start();
    await waitFor(() => outbox.stats("t").depth === 0);
    assert.deepEqual(target.delivered, range(40).filter((x) => x !== "13" && x !== "14"));
    const dead = outbox.listDeadLetters("t").deadLetters;
    assert.deepEqual(dead.map((d) => [Buffer.from(d.payload).toString(), d.reason]), [["13", "HTTP 400: no 13"], ["14", "HTTP 400: no 14"]]);
    assert.equal(f.status().deadLettered, 2);
    assert.equal(f.status().retries, 0);
    assert.equal(target.connectTimes.length, 1, "a refused message does not reconnect");
  });

  it("dead-letters every refused message of a pipelined batch whose other messages were acknowledged, sending none twice", async () => {
    const { forwarderClock } = fakeClock();
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => {
      const refused = batch.map((m, i) => (["3", "5"].includes(Buffer.from(m.payload).toString()) ? i : -1)).filter((i) => i >= 0);
      if (refused.length === 0) return batch.length;
      return new PermanentExportError("reason code 135", { refused, restAcked: true, details: { reasons: Object.fromEntries(refused.map((i) => [i, `no ${Buffer.from(batch[i]!.payload).toString()}`])) } });
    });
    await fill("t", 20);
    const f = forwarder(target, { clock: forwarderClock, batchSize: 8, maxInFlight: 24 });
    f.start();
    await waitFor(() => outbox.stats("t").depth === 0 && f.status().acked === 18);
    assert.equal(dedupe(target.received).duplicates, 0);
    assert.deepEqual(outbox.listDeadLetters("t").deadLetters.map((d) => d.reason), ["no 3", "no 5"]);
    assert.equal(f.status().deadLettered, 2);
  });

  it("paces the replay of a backlog after connecting at replayRatePerSec", async () => {
    const { clock, forwarderClock } = fakeClock();
    const target = new ScriptedTarget("t", forwarderClock.now);
    await fill("t", 1000);
    const f = forwarder(target, { clock: forwarderClock, replayRatePerSec: 100, batchSize: 10, maxInFlight: 50 });
    f.start();
    await clock.tickAsync(0);
    await turn();
    assert.equal(target.received.length, 10, "a first burst of 10 (rate/10)");
    assert.equal(f.status().replaying, true);
    for (let i = 0; i < 10; i++) {
      await clock.tickAsync(100);
      await turn();
    }
    assert.equal(target.received.length, 110, "then 100 a second");
    await clock.tickAsync(9000);
    await waitFor(() => target.delivered.length === 1000);
    await clock.tickAsync(100);
    assert.equal(f.status().replaying, false);
    assert.deepEqual(target.delivered, range(1000));
  });

  it("treats a send that does not settle in sendTimeoutMs as a retryable failure", async () => {
    const { clock, forwarderClock } = fakeClock();
    let first = true;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => {
      if (first) {
        first = false;
        return new Promise<number>(() => undefined);
      }
      return batch.length;
    });
    await fill("t", 5);
    const f = forwarder(target, { clock: forwarderClock, sendTimeoutMs: 2000, backoff: { initialMs: 100 } });
    f.start();
    await waitFor(() => target.received.length === 5);
    await clock.tickAsync(2000);
    assert.equal(f.status().state, "backoff");
    assert.match(f.status().lastError!.message, /no acknowledgement/);
    await clock.tickAsync(100);
    await waitFor(() => target.delivered.length === 5);
    assert.deepEqual(target.delivered, range(5));
  });

  it("honours a target's retryAfterMs, up to the longest back-off", async () => {
    const { clock, forwarderClock } = fakeClock();
    let calls = 0;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) =>
      ++calls === 1 ? new RetryableExportError("HTTP 429", { retryAfterMs: 3000 }) : batch.length,
    );
    await fill("t", 3);
    const f = forwarder(target, { clock: forwarderClock, backoff: { initialMs: 100, maxMs: 10_000 } });
    f.start();
    await waitFor(() => f.status().state === "backoff");
    assert.equal(f.status().nextAttemptAt, 3000);
    await clock.tickAsync(2999);
    assert.equal(target.connectTimes.length, 1);
    await clock.tickAsync(1);
    await waitFor(() => target.delivered.length === 3);
  });

  it("stop() waits for the messages in flight, acknowledges them, and closes the target", async () => {
    const { forwarderClock } = fakeClock();
    let release: (() => void) | undefined;
    const target = new ScriptedTarget("t", forwarderClock.now, undefined, (batch) => new Promise<number>((resolve) => (release = () => resolve(batch.length))));
    await fill("t", 5);
    const f = forwarder(target, { clock: forwarderClock });
    f.start();
    await waitFor(() => release !== undefined);
    const stopping = f.stop();
    release!();
    await stopping;
    assert.equal(target.closes, 1);
    assert.equal(f.status().state, "stopped");
    assert.equal(outbox.stats("t").depth, 0);
  });
  it("dead-letters a poison message after maxAttempts deliveries failed with it sent alone, and nothing else", async () => {
    // A broker that drops the connection for message 37: every message in flight with it fails, acknowledged or not,
    // and so does every send until the next connect.
    let dropped = false;
    let sentAlone = 0;
    const target = new ScriptedTarget(
      "t",
      Date.now,
      () => void (dropped = false),
      (batch) => {
        if (batch.some((m) => Buffer.from(m.payload).toString() === "37")) {
          dropped = true;
          if (batch.length === 1) sentAlone += 1;
        }
        return dropped ? new RetryableExportError("connection closed") : batch.length;
      },
    );
    await fill("t", 100);
    const f = forwarder(target, { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 2 } });
    f.start();
    await waitFor(() => outbox.stats("t").depth === 0, { message: "the queue drained" });
    assert.deepEqual(dedupe(target.delivered).unique, range(100).filter((x) => x !== "37"), "every other message, in order");
    const dead = outbox.listDeadLetters("t").deadLetters;
    assert.deepEqual(dead.map((d) => Buffer.from(d.payload).toString()), ["37"]);
    assert.match(dead[0]!.reason, /not acknowledged in 3 deliveries, the last one ended by: connection closed/);
    assert.equal(f.status().deadLettered, 1);
    // Given up after exactly maxAttempts deliveries of it alone.
    assert.equal(target.received.filter((x) => x === "37").length >= 3, true);
    assert.equal(sentAlone, 3);
  });

  it("dead-letters nothing for a lost connection followed by an outage, even with maxAttempts 1", async () => {
    // The connection drops at the third send (with it every send in flight), then the broker is away for 6 connects.
    let down = false;
    const target = new ScriptedTarget(
      "t",
      Date.now,
      (attempt) => {
        if (attempt < 8 && down) throw new RetryableExportError("connection refused");
        down = false;
      },
      (batch, call) => {
        if (call === 3) down = true;
        return down ? new RetryableExportError("connection closed") : batch.length;
      },
    );
    await fill("t", 200);
    const f = forwarder(target, { maxAttempts: 1, batchSize: 16, backoff: { initialMs: 1, maxMs: 2 } });
    f.start();
    await waitFor(() => outbox.stats("t").depth === 0, { message: "the queue drained" });
    assert.deepEqual(dedupe(target.delivered).unique, range(200));
    assert.equal(f.status().deadLettered, 0);
    assert.ok(target.connectTimes.length >= 8, "the outage lasted several connects");
  });
});
