import { strict as assert } from "node:assert";
import { ALL_EVENTS, commandRequestSubject, type CommandReplyPayload, type Event } from "@brink/contracts";
import { NatsBus, type BusLogger } from "@brink/bus";
import { FakeDriver, fakeDevice } from "@brink/device-sdk/testing";
import { startNatsServer, waitFor, type NatsServer } from "../../../../test/harness/index.js";
import { startStack, type Stack } from "./stack.js";

const quiet: BusLogger = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined };

describe("device service on NATS (real nats-server)", function () {
  this.timeout(30_000);
  const driver = new FakeDriver();
  let nats: NatsServer;
  let stack: Stack | undefined;
  let client: NatsBus;

  before(async () => {
    nats = await startNatsServer();
    const bus = (name: string): NatsBus => new NatsBus({ servers: nats.url, name, logger: quiet });
    client = bus("test-client");
    await client.connect();
    stack = await startStack({
      driver,
      serviceName: "device-fake-nats",
      buses: { metadata: bus("core-metadata"), service: bus("device-fake-nats") },
      seedDevices: [{ ...fakeDevice("n1", "device-fake-nats", { autoEvents: [{ interval: "100ms", sourceName: "climate" }] }) }],
    });
  });

  after(async () => {
    await stack?.close();
    await client?.close();
    await nats?.stop();
  });

  it("publishes AutoEvents and answers command requests across processes' connections", async () => {
    const events: Event[] = [];
    const sub = client.subscribe(ALL_EVENTS, (m) => void events.push(m.envelope.payload.event));
    try {
      driver.set("n1", "temperature", 231);
      await waitFor(() => events.length >= 2, { message: "AutoEvents over NATS" });
      const e = events[events.length - 1];
      assert.equal(e?.deviceName, "n1");
      assert.equal(typeof e?.origin, "bigint");
      const temperature = e?.readings.find((r) => r.resourceName === "temperature");
      assert.equal(temperature !== undefined && "value" in temperature ? temperature.value : undefined, "2.31e+01");

      const reply = await client.request<Record<string, unknown>, CommandReplyPayload>(commandRequestSubject("device-fake-nats", "n1", "counter", "get"), {});
      assert.equal(reply.event?.sourceName, "counter");
      await client.request(commandRequestSubject("device-fake-nats", "n1", "setpoint", "set"), { setpoint: "19.5" });
      assert.equal(driver.get("n1", "setpoint"), 39);
    } finally {
      sub.unsubscribe();
    }
  });
});
