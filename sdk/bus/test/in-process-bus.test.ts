import assert from "node:assert/strict";
import { ServiceError, type Subject } from "@brink/contracts";
import { InProcessBus } from "../src/in-process-bus.js";
import { MemoryLogger, busBehaviourSuite } from "../src/testing.js";

busBehaviourSuite("InProcessBus", async () => {
  const bus = new InProcessBus({ logger: new MemoryLogger() });
  await bus.connect();
  return { bus, teardown: () => bus.close() };
});

describe("InProcessBus", function () {
  let bus: InProcessBus;
  let logger: MemoryLogger;

  beforeEach(function () {
    logger = new MemoryLogger();
    bus = new InProcessBus({ logger });
  });

  afterEach(async function () {
    await bus.close();
  });

  it("hands the very same payload object to every subscriber (no copy)", async function () {
    const payload = { readings: [{ value: "1" }] };
    const got: unknown[] = [];
    bus.subscribe("p.a", (m) => void got.push(m.envelope.payload));
    bus.subscribe("p.*", (m) => void got.push(m.envelope.payload));
    await bus.publish("p.a", payload);
    await bus.flush();
    assert.equal(got.length, 2);
    assert.ok(got.every((p) => p === payload));
  });

  it("round-robins a queue group: three members share nine messages three each", async function () {
    const counts = [0, 0, 0];
    counts.forEach((_, i) => bus.subscribe("q.a", () => void counts[i]!++, { queue: "g" }));
    for (let i = 0; i < 9; i++) await bus.publish("q.a", i);
    await bus.flush();
    assert.deepEqual(counts, [3, 3, 3]);
  });

  it("skips an unsubscribed group member and delivers to the rest", async function () {
    const got: string[] = [];
    const first = bus.subscribe("q.b", () => void got.push("first"), { queue: "g" });
    bus.subscribe("q.b", () => void got.push("second"), { queue: "g" });
    first.unsubscribe();
    for (let i = 0; i < 3; i++) await bus.publish("q.b", i);
    await bus.flush();
    assert.deepEqual(got, ["second", "second", "second"]);
  });

  it("does not deliver a queued message to a subscription removed before delivery ran", async function () {
    const got: unknown[] = [];
    const sub = bus.subscribe("u.a", (m) => void got.push(m.envelope.payload));
    const p = bus.publish("u.a", 1);
    sub.unsubscribe();
    await p;
    await bus.flush();
    assert.deepEqual(got, []);
  });

  it("times out, like NATS, a request that only plain subscribers see", async function () {
    const seen: unknown[] = [];
    bus.subscribe("r.a", (m) => void seen.push(m.envelope.payload));
    await assert.rejects(bus.request("r.a", 5, { timeoutMs: 50 }), (e: unknown) => e instanceof ServiceError && e.code === "TIMEOUT");
    assert.deepEqual(seen, [5]);
  });

  it("runs a server's handler for a plain publish and drops the result", async function () {
    let calls = 0;
    bus.serve("s.a", () => ++calls);
    await bus.publish("s.a", 1);
    await bus.flush();
    assert.equal(calls, 1);
  });

  it("fails a pending request with BUS_CLOSED when the bus closes", async function () {
    bus.serve("c.a", () => new Promise(() => undefined));
    const pending = bus.request("c.a", 1, { timeoutMs: 10_000 });
    await bus.flush();
    await bus.close();
    await assert.rejects(pending, (e: unknown) => e instanceof ServiceError && e.code === "BUS_CLOSED" && e.kind === "ServiceUnavailable");
  });

  it("logs a failing handler with its subject and counts it", async function () {
    bus.subscribe("l.a", () => {
      throw new Error("boom");
    });
    await bus.publish("l.a" as Subject<number>, 1);
    await bus.flush();
    const errors = logger.at("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.obj["subject"], "l.a");
    assert.equal(bus.stats().handlerErrors, 1);
  });

  it("still matches after many subscriptions come and go (match cache invalidation)", async function () {
    const got: string[] = [];
    const subs = Array.from({ length: 50 }, (_, i) => bus.subscribe(`m.${i}.>`, (m) => void got.push(m.subject)));
    await bus.publish("m.7.x", 1);
    subs[7]!.unsubscribe();
    await bus.publish("m.7.x", 2);
    bus.subscribe("m.*.x", (m) => void got.push(`star:${m.subject}`));
    await bus.publish("m.7.x", 3);
    await bus.flush();
    assert.deepEqual(got, ["m.7.x", "star:m.7.x"]);
  });
});
