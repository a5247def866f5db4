/// <reference types="mocha" />
/**
 * The MessageBus behaviour suite: one set of mocha tests that every implementation passes unchanged, so the
 * embedded and distributed buses cannot drift apart (as MQTT.js re-runs one suite per transport).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ErrorKind, ServiceError, type Subject } from "@brink/contracts";
import type { BusMessage, MessageBus, Subscription } from "../types.js";

/** What the suite's factory returns. */
export interface BusFixture {
  /** The bus under test, connected. */
  bus: MessageBus;
  /** A second connection to the same broker, used as the publisher/requester for cross-connection cases. */
  bus2?: MessageBus;
  /** Closes the buses and stops whatever the factory started. */
  teardown(): Promise<void>;
}

const WAIT_MS = 5000;

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function rejectsWith(p: Promise<unknown>, kind: string, code: string): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.kind, kind);
    return err;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/**
 * Registers the behaviour suite under `describe(name)`. `factory` runs once before the tests; subjects are unique
 * per run, so a shared broker is fine. The last test closes `bus`.
 */
export function busBehaviourSuite(name: string, factory: () => Promise<BusFixture>): void {
  describe(`MessageBus behaviour: ${name}`, function () {
    let fx: BusFixture | undefined;
    let sub: MessageBus;
    let pub: MessageBus;
    let seq = 0;
    const runId = `bs${randomBytes(4).toString("hex")}`;
    const subs: Subscription[] = [];
    const releases: Array<() => void> = [];
    const base = (): string => `${runId}.t${++seq}`;

    function collect<T>(bus: MessageBus, pattern: string, queue?: string): BusMessage<T>[] {
      const got: BusMessage<T>[] = [];
      subs.push(bus.subscribe<T>(pattern, (m) => void got.push(m), queue === undefined ? undefined : { queue }));
      return got;
    }

    before(async function () {
      fx = await factory();
      sub = fx.bus;
      pub = fx.bus2 ?? fx.bus;
    });

    afterEach(function () {
      for (const s of subs.splice(0)) s.unsubscribe();
      for (const release of releases.splice(0)) release();
    });

    after(async function () {
      await fx?.teardown();
    });

    it("is connected", function () {
      assert.equal(sub.status(), "connected");
      assert.equal(pub.status(), "connected");
    });

    it("delivers a published payload in an EdgeX envelope", async function () {
      const s = `${base()}.a`;
      const got = collect<{ n: number }>(sub, s);
      await sub.flush();
      await pub.publish<{ n: number }>(s, { n: 1 }, { correlationID: "corr-1", queryParams: { ds: "x" } });
      await until(() => got.length === 1, "the message");
      const m = got[0]!;
      assert.equal(m.subject, s);
      assert.deepEqual(m.envelope.payload, { n: 1 });
      assert.equal(m.envelope.correlationID, "corr-1");
      assert.equal(m.envelope.apiVersion, "v3");
      assert.equal(m.envelope.errorCode, 0);
      assert.equal(m.envelope.contentType, "application/json");
      assert.equal(m.envelope.receivedTopic, s);
      assert.deepEqual(m.envelope.queryParams, { ds: "x" });
    });

    it("runs handlers after publish returns, never inside its call stack", async function () {
      const s = `${base()}.a`;
      const got = collect(sub, s);
      await sub.flush();
      const p = pub.publish(s, 1);
      assert.equal(got.length, 0);
      await p;
      await until(() => got.length === 1, "the message");
    });

    it("`*` matches exactly one token", async function () {
      const b = base();
      const got = collect(sub, `${b}.*.c`);
      await sub.flush();
      for (const s of [`${b}.x.c`, `${b}.x.y.c`, `${b}.c`, `${b}.x.d`, `${b}.z.c`]) await pub.publish(s, s);
      await until(() => got.length >= 2, "two messages");
      await pub.flush();
      await sub.flush();
      assert.deepEqual(got.map((m) => m.subject), [`${b}.x.c`, `${b}.z.c`]);
    });

    it("`>` matches one or more trailing tokens", async function () {
      const b = base();
      const got = collect(sub, `${b}.>`);
      await sub.flush();
      for (const s of [b, `${b}.a`, `${runId}.other.a`, `${b}.a.b.c`, `${b}.end`]) await pub.publish(s, s);
      await until(() => got.length >= 3, "three messages");
      assert.deepEqual(got.map((m) => m.subject), [`${b}.a`, `${b}.a.b.c`, `${b}.end`]);
    });

    it("does not deliver subjects that do not match", async function () {
      const b = base();
      const got = collect(sub, `${b}.a`);
      await sub.flush();
      for (const s of [`${b}.b`, `${b}.a.b`, b, `${b}.A`, `${b}.a`]) await pub.publish(s, s);
      await until(() => got.length >= 1, "the matching message");
      assert.deepEqual(got.map((m) => m.subject), [`${b}.a`]);
    });

    it("gives every plain subscriber its own copy", async function () {
      const s = `${base()}.a`;
      const one = collect(sub, s);
      const two = collect(pub, s);
      const three = collect(sub, s.replace(/\.a$/, ".*"));
      await sub.flush();
      await pub.flush();
      for (let i = 0; i < 5; i++) await pub.publish(s, i);
      await until(() => one.length === 5 && two.length === 5 && three.length === 5, "five copies each");
      assert.deepEqual(one.map((m) => m.envelope.payload), [0, 1, 2, 3, 4]);
    });

    it("splits a queue group's work so each message is handled exactly once per group", async function () {
      const s = `${base()}.work`;
      const N = 60;
      const workers = [collect<number>(sub, s, "workers"), collect<number>(sub, s, "workers"), collect<number>(pub, s, "workers")];
      const audit = [collect<number>(sub, s, "audit"), collect<number>(pub, s, "audit")];
      const all = collect<number>(sub, s);
      await sub.flush();
      await pub.flush();
      for (let i = 0; i < N; i++) await pub.publish(s, i);
      const total = (group: BusMessage<number>[][]): number => group.reduce((n, g) => n + g.length, 0);
      await until(() => all.length === N && total(workers) >= N && total(audit) >= N, "every message in every group");
      await sub.flush();
      await pub.flush();
      for (const group of [workers, audit]) {
        const seen = group.flatMap((g) => g.map((m) => m.envelope.payload));
        assert.equal(seen.length, N, "each message once per group");
        assert.equal(new Set(seen).size, N, "no message twice");
      }
      for (const w of workers) assert.ok(w.length > 0, "every worker got a share");
      assert.equal(all.length, N, "a plain subscriber still gets everything");
    });

    it("answers a request with the handler's result", async function () {
      const s = `${base()}.echo`;
      let seenCorrelation = "";
      subs.push(sub.serve<{ x: number }, { doubled: number; subject: string }>(s, (m) => {
        seenCorrelation = m.envelope.correlationID;
        return { doubled: m.envelope.payload.x * 2, subject: m.subject };
      }));
      await sub.flush();
      const res = await pub.request<{ x: number }, { doubled: number; subject: string }>(s, { x: 21 }, { correlationID: "corr-req" });
      assert.deepEqual(res, { doubled: 42, subject: s });
      assert.equal(seenCorrelation, "corr-req");
    });

    it("answers from an async handler and from a wildcard server", async function () {
      const b = base();
      subs.push(sub.serve<string, string>(`${b}.svc.*`, async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        return `hi ${m.envelope.payload} on ${m.subject.split(".").pop() ?? ""}`;
      }));
      await sub.flush();
      assert.equal(await pub.request<string, string>(`${b}.svc.one`, "bob"), "hi bob on one");
      assert.equal(await pub.request<string, string>(`${b}.svc.two`, "amy"), "hi amy on two");
    });

    it("balances requests over a queue group of servers, one answer each", async function () {
      const s = `${base()}.svc`;
      const counts = [0, 0];
      const server = (bus: MessageBus, i: number, tag: string): Subscription =>
        bus.serve<number, string>(s, (m) => {
          counts[i]!++;
          return `${tag}${m.envelope.payload}`;
        }, { queue: "q" });
      subs.push(server(sub, 0, "a"), server(pub, 1, "b"));
      await sub.flush();
      await pub.flush();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => pub.request<number, string>(s, i)));
      answers.forEach((a, i) => assert.match(a, new RegExp(`^[ab]${i}$`)));
      assert.equal(counts[0]! + counts[1]!, 20);
    });

    it("keeps order: publishes made before a request are seen before it", async function () {
      const b = base();
      let events = 0;
      subs.push(sub.subscribe(`${b}.ev`, () => void events++));
      subs.push(sub.serve<number, number>(`${b}.count`, () => events));
      await sub.flush();
      for (let i = 0; i < 3; i++) await pub.publish(`${b}.ev`, i);
      assert.equal(await pub.request<number, number>(`${b}.count`, 0), 3);
    });

    it("rejects with Timeout/TIMEOUT when the server does not answer in time", async function () {
      const s = `${base()}.slow`;
      subs.push(sub.serve(s, () => new Promise<string>((resolve) => releases.push(() => resolve("late")))));
      await sub.flush();
      await rejectsWith(pub.request(s, 1, { timeoutMs: 150 }), ErrorKind.Timeout, "TIMEOUT");
    });

    it("rejects with ServiceUnavailable/NO_RESPONDERS when nobody serves the subject", async function () {
      await rejectsWith(pub.request(`${base()}.nobody`, 1, { timeoutMs: 2000 }), ErrorKind.ServiceUnavailable, "NO_RESPONDERS");
    });

    it("carries a remote ServiceError's kind, code, message and details to the requester", async function () {
      const b = base();
      subs.push(sub.serve(`${b}.missing`, () => {
        throw new ServiceError(ErrorKind.EntityDoesNotExist, "NOT_FOUND", "device pump-7 not found", { details: { device: "pump-7" } });
      }));
      subs.push(sub.serve(`${b}.locked`, async () => {
        throw new ServiceError(ErrorKind.ServiceLocked, "LOCKED", "device is locked");
      }));
      subs.push(sub.serve(`${b}.bug`, () => {
        throw new TypeError("cannot read x of undefined");
      }));
      await sub.flush();
      const nf = await rejectsWith(pub.request(`${b}.missing`, 1), ErrorKind.EntityDoesNotExist, "NOT_FOUND");
      assert.equal(nf.message, "device pump-7 not found");
      assert.deepEqual(nf.details, { device: "pump-7" });
      await rejectsWith(pub.request(`${b}.locked`, 1), ErrorKind.ServiceLocked, "LOCKED");
      await rejectsWith(pub.request(`${b}.bug`, 1), ErrorKind.Server, "INTERNAL");
    });

    it("stops delivering after unsubscribe, and unsubscribe is idempotent", async function () {
      const s = `${base()}.a`;
      const gone: unknown[] = [];
      const stays = collect(sub, s);
      const subscription = sub.subscribe(s, (m) => void gone.push(m.envelope.payload));
      assert.equal(subscription.subject, s);
      await sub.flush();
      await pub.publish(s, 1);
      await until(() => gone.length === 1 && stays.length === 1, "the first message");
      subscription.unsubscribe();
      subscription.unsubscribe();
      await sub.flush();
      await pub.publish(s, 2);
      await until(() => stays.length === 2, "the second message");
      assert.deepEqual(gone, [1]);
    });

    it("keeps an int64 origin above 2^53 exact, in events and in replies", async function () {
      const s = `${base()}.ev`;
      const origin = 1_700_000_000_123_456_789n;
      const max = 9_223_372_036_854_775_807n;
      type Ev = { origin: bigint; readings: Array<{ origin: bigint; value: string }> };
      const got = collect<Ev>(sub, s);
      subs.push(sub.serve<Ev, Ev>(`${s}.echo`, (m) => m.envelope.payload));
      await sub.flush();
      const ev: Ev = { origin, readings: [{ origin: max, value: "1" }] };
      await pub.publish<Ev>(s, ev);
      await until(() => got.length === 1, "the event");
      assert.equal(got[0]!.envelope.payload.origin, origin);
      assert.equal(got[0]!.envelope.payload.readings[0]!.origin, max);
      const echoed = await pub.request<Ev, Ev>(`${s}.echo`, ev);
      assert.equal(echoed.origin, origin);
      assert.equal(echoed.readings[0]!.origin, max);
    });

    it("keeps delivering when a handler throws or rejects", async function () {
      const s = `${base()}.a`;
      const seen: number[] = [];
      const before = sub.stats().handlerErrors;
      subs.push(sub.subscribe<number>(s, (m) => {
        const n = m.envelope.payload;
        seen.push(n);
        if (n === 1) throw new Error("sync failure");
        if (n === 2) return Promise.reject(new Error("async failure"));
        return undefined;
      }));
      await sub.flush();
      for (const n of [1, 2, 3]) await pub.publish(s, n);
      await until(() => seen.length === 3, "all three messages");
      assert.deepEqual(seen, [1, 2, 3]);
      await until(() => sub.stats().handlerErrors === before + 2, "both failures counted");
    });

    it("counts published and delivered messages", async function () {
      const s = `${base()}.a`;
      const got = collect(sub, s);
      await sub.flush();
      const p0 = pub.stats().published;
      const d0 = sub.stats().delivered;
      for (let i = 0; i < 4; i++) await pub.publish(s, i);
      await until(() => got.length === 4, "four messages");
      assert.equal(pub.stats().published - p0, 4);
      assert.equal(sub.stats().delivered - d0, 4);
    });

    it("rejects invalid subjects and patterns with BUS_SUBJECT_INVALID", async function () {
      for (const s of ["", "a..b", ".a", "a.", "a b", "a.*", "a.>", "a\tb"]) {
        await rejectsWith(pub.publish(s as Subject<number>, 1), ErrorKind.ContractInvalid, "BUS_SUBJECT_INVALID");
      }
      await rejectsWith(pub.request("a..b", 1), ErrorKind.ContractInvalid, "BUS_SUBJECT_INVALID");
      for (const p of ["", "a.>.b", "a..b", "a b.>"]) {
        assert.throws(() => sub.subscribe(p, () => undefined), (e: unknown) => e instanceof ServiceError && e.code === "BUS_SUBJECT_INVALID");
      }
      assert.throws(() => sub.subscribe("a.b", () => undefined, { queue: "bad queue" }), (e: unknown) => e instanceof ServiceError && e.code === "BUS_SUBJECT_INVALID");
    });

    it("after close: reports closed, refuses use with BUS_CLOSED, and a second close is harmless", async function () {
      const statuses: string[] = [];
      sub.onStatus((st) => statuses.push(st));
      await sub.close();
      assert.equal(sub.status(), "closed");
      assert.ok(statuses.includes("closed"));
      await rejectsWith(sub.publish(`${base()}.a`, 1), ErrorKind.ServiceUnavailable, "BUS_CLOSED");
      await rejectsWith(sub.request(`${base()}.a`, 1), ErrorKind.ServiceUnavailable, "BUS_CLOSED");
      assert.throws(() => sub.subscribe(`${base()}.a`, () => undefined), (e: unknown) => e instanceof ServiceError && e.code === "BUS_CLOSED");
      await sub.close();
    });
  });
}
