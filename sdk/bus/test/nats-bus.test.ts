import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ServiceError, envelopeOf, parseJson, stringifyJson, type MessageEnvelope } from "@brink/contracts";
import { NatsBus } from "../src/nats-bus.js";
import { MemoryLogger, busBehaviourSuite } from "../src/testing.js";
import type { BusStatus } from "../src/index.js";
import { freePort, startNatsServer, waitFor, type NatsServer } from "../../../test/harness/index.js";

function isCode(code: string, kind?: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof ServiceError && e.code === code && (kind === undefined || e.kind === kind);
}

describe("NatsBus", function () {
  this.timeout(30_000);
  let server: NatsServer;

  before(async function () {
    server = await startNatsServer();
  });

  after(async function () {
    await server?.stop();
  });

  busBehaviourSuite("NatsBus on a real nats-server, two connections", async () => {
    const bus = new NatsBus({ servers: server.url, name: "suite-a", logger: new MemoryLogger() });
    const bus2 = new NatsBus({ servers: server.url, name: "suite-b", logger: new MemoryLogger() });
    await bus.connect();
    await bus2.connect();
    return {
      bus,
      bus2,
      teardown: async () => {
        await bus.close();
        await bus2.close();
      },
    };
  });

  describe("against bad input and misuse", function () {
    let bus: NatsBus;
    let logger: MemoryLogger;
    let raw: NatsConnection;

    before(async function () {
      logger = new MemoryLogger();
      bus = new NatsBus({ servers: server.url, name: "garble", logger });
      await bus.connect();
      raw = await connect({ servers: server.url });
    });

    after(async function () {
      await bus?.close();
      await raw?.close();
    });

    it("drops a garbled message, logs it at warn with the subject, and delivers the next valid one", async function () {
      const got: MessageEnvelope<unknown>[] = [];
      bus.subscribe("garble.>", (m) => void got.push(m.envelope));
      await bus.flush();
      const dropped0 = bus.stats().dropped;
      raw.publish("garble.a", "not json {");
      raw.publish("garble.a", '{"hello":1}');
      raw.publish("garble.a", new Uint8Array([0xff, 0xfe, 0x00]));
      raw.publish("garble.a", stringifyJson(envelopeOf({ ok: true, origin: 1_700_000_000_000_000_001n }, { correlationID: "c-ok" })));
      await raw.flush();
      await waitFor(() => got.length === 1, { message: "the valid message" });
      assert.deepEqual(got[0]!.payload, { ok: true, origin: 1_700_000_000_000_000_001n });
      assert.equal(got[0]!.correlationID, "c-ok");
      assert.equal(bus.stats().dropped - dropped0, 3);
      const warns = logger.at("warn").filter((e) => e.obj["subject"] === "garble.a");
      assert.equal(warns.length, 3);
      raw.publish("garble.b", "still garbage");
      raw.publish("garble.b", stringifyJson(envelopeOf(2, { correlationID: "c-2" })));
      await waitFor(() => got.length === 2, { message: "delivery after more garbage" });
    });

    it("answers a garbled request with an error envelope BUS_MESSAGE_INVALID", async function () {
      bus.serve("garble.svc", () => "never");
      await bus.flush();
      const reply = await raw.request("garble.svc", "{{{", { timeout: 2000 });
      const env = parseJson<MessageEnvelope<{ kind: string; code: string }>>(reply.string());
      assert.equal(env.errorCode, 1);
      assert.equal(env.payload.code, "BUS_MESSAGE_INVALID");
      assert.equal(env.payload.kind, "ContractInvalid");
    });

    it("rejects a reply that is not an envelope with BUS_REPLY_INVALID", async function () {
      raw.subscribe("garble.badreply", { callback: (_err, msg) => void msg.respond("nope") });
      await raw.flush();
      await assert.rejects(bus.request("garble.badreply", 1, { timeoutMs: 2000 }), isCode("BUS_REPLY_INVALID", "CommunicationError"));
    });

    it("rejects a payload JSON cannot hold with BUS_PAYLOAD_INVALID", async function () {
      const cyclic: Record<string, unknown> = {};
      cyclic["self"] = cyclic;
      await assert.rejects(bus.publish("garble.cyclic", cyclic), isCode("BUS_PAYLOAD_INVALID", "ContractInvalid"));
    });

    it("refuses use before connect() with BUS_NOT_CONNECTED", async function () {
      const idle = new NatsBus({ servers: server.url, name: "idle" });
      assert.equal(idle.status(), "disconnected");
      await assert.rejects(idle.publish("x.y", 1), isCode("BUS_NOT_CONNECTED", "ServiceUnavailable"));
      await assert.rejects(idle.request("x.y", 1), isCode("BUS_NOT_CONNECTED"));
      assert.throws(() => idle.subscribe("x.y", () => undefined), isCode("BUS_NOT_CONNECTED"));
      await idle.close();
      assert.equal(idle.status(), "closed");
      await assert.rejects(idle.connect(), isCode("BUS_CLOSED"));
    });
  });

  describe("connecting", function () {
    it("fails at once with BUS_CONNECT_FAILED naming the reason when the server refuses the token", async function () {
      const guarded = await startNatsServer({ args: ["--auth", "right-token"] });
      const bus = new NatsBus({ servers: guarded.url, name: "wrong-token", token: "wrong-token", logger: new MemoryLogger() });
      try {
        const t0 = Date.now();
        await assert.rejects(bus.connect(), (e: unknown) => isCode("BUS_CONNECT_FAILED", "CommunicationError")(e) && /authorization/i.test((e as Error).message));
        assert.ok(Date.now() - t0 < 5000, "not retried");
      } finally {
        await bus.close();
        await guarded.stop();
      }
    });

    it("waits for a server that is not up yet, saying so once, and connects when it comes", async function () {
      const port = await freePort();
      const logger = new MemoryLogger();
      const bus = new NatsBus({ servers: `nats://127.0.0.1:${port}`, name: "early", reconnectTimeWaitMs: 100, reconnectJitterMs: 10, logger });
      let late: NatsServer | undefined;
      try {
        const connecting = bus.connect();
        await waitFor(() => logger.entries.some((e) => e.level === "warn" && e.msg === "NATS not reachable yet; waiting for it"), { timeoutMs: 5000, message: "the wait is logged" });
        late = await startNatsServer({ port });
        await connecting;
        assert.equal(bus.status(), "connected");
        assert.equal(logger.entries.filter((e) => e.msg === "NATS not reachable yet; waiting for it").length, 1);
      } finally {
        await bus.close();
        await late?.stop();
      }
    });
  });

  describe("when nats-server goes away and comes back", function () {
    let srv: NatsServer;
    const buses: NatsBus[] = [];

    beforeEach(async function () {
      srv = await startNatsServer();
    });

    afterEach(async function () {
      for (const b of buses.splice(0)) await b.close();
      await srv.stop();
    });

    function newBus(name: string, extra: { outageBufferBytes?: number } = {}): NatsBus {
      const bus = new NatsBus({ servers: srv.url, name, reconnectTimeWaitMs: 100, reconnectJitterMs: 50, logger: new MemoryLogger(), ...extra });
      buses.push(bus);
      return bus;
    }

    it("reconnects the same bus: subscriptions survive, publishes after the restart arrive, its own outage publishes too", async function () {
      const a = newBus("restart-a");
      const b = newBus("restart-b");
      await a.connect();
      await b.connect();
      const statuses: BusStatus[] = [];
      a.onStatus((s) => statuses.push(s));
      const got: string[] = [];
      a.subscribe<string>("r.>", (m) => void got.push(m.envelope.payload));
      await a.flush();
      await b.publish("r.x", "before");
      await waitFor(() => got.includes("before"), { message: "the message before the outage" });

      await srv.pause();
      await waitFor(() => a.status() !== "connected" && b.status() !== "connected", { message: "both buses to notice the outage" });
      await a.publish("r.x", "during-a");
      await b.publish("r.x", "during-b");
      await assert.rejects(a.request("r.svc", 1, { timeoutMs: 500 }), isCode("BUS_DISCONNECTED", "ServiceUnavailable"));
      await assert.rejects(a.flush(), isCode("BUS_DISCONNECTED"));

      await srv.start();
      await waitFor(() => a.status() === "connected" && b.status() === "connected", { timeoutMs: 10_000, message: "both buses to reconnect" });
      await a.flush();
      await b.flush();
      await b.publish("r.x", "after");
      await waitFor(() => got.includes("after"), { message: "the message after the restart" });
      // The subscriber's own held publish is sent after its subscriptions are restored, so it arrives.
      assert.ok(got.includes("during-a"), `got ${JSON.stringify(got)}`);
      assert.ok(statuses.includes("disconnected"), `statuses ${statuses.join(",")}`);
      assert.equal(statuses.at(-1), "connected");
    });

    it("holds outage publishes up to outageBufferBytes, refuses more with BUS_BUFFER_FULL, and closes cleanly while down", async function () {
      const a = newBus("buffer-a", { outageBufferBytes: 2000 });
      await a.connect();
      await srv.pause();
      await waitFor(() => a.status() !== "connected", { message: "the outage to be noticed" });
      const big = "x".repeat(400);
      let accepted = 0;
      let refusal: unknown;
      for (let i = 0; i < 10 && refusal === undefined; i++) {
        await a.publish("b.x", big).then(() => accepted++, (err: unknown) => (refusal = err));
      }
      assert.ok(accepted >= 1 && accepted < 10, `accepted ${accepted}`);
      assert.ok(isCode("BUS_BUFFER_FULL", "ServiceUnavailable")(refusal), String(refusal));
      assert.equal(a.stats().published, accepted);
      await a.close();
      assert.equal(a.status(), "closed");
    });
  });
});
