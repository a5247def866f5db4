/**
 * The engine on NATS (distributed mode): events from another connection, the write sent to a device service on a
 * third connection through a real nats-server, int64 origins intact.
 */
import { strict as assert } from "node:assert";
import { API_VERSION, eventSubject } from "@brink/contracts";
import { NatsBus } from "@brink/bus";
import { startNatsServer, waitFor, type NatsServer } from "../../../../test/harness/index.js";
import { engineHarness, eventOf, type EngineHarness } from "../support/engine-harness.js";

describe("RuleEngine over NATS", function () {
  this.timeout(20_000);
  let server: NatsServer;
  let buses: NatsBus[];
  let h: EngineHarness;

  before(async () => {
    server = await startNatsServer();
    buses = ["rules-engine", "device-service", "publisher"].map((name) => new NatsBus({ servers: server.url, name }));
    for (const b of buses) await b.connect();
    h = await engineHarness({ bus: buses[0]!, deviceBus: buses[1]! });
    h.engine.start();
    await buses[0]!.flush();
    await buses[1]!.flush();
  });

  after(async () => {
    await h?.close();
    for (const b of buses ?? []) await b.close();
    await server?.stop();
  });

  it("fires on an event published by another process and writes to the device service through NATS", async () => {
    h.addRule({ name: "hot", when: "temperature > 80", actions: [{ type: "command", command: "Fan", body: { Fan: "${temperature > 90}" } }] });
    const event = eventOf("boiler-7", { temperature: 95 });
    await buses[2]!.publish(eventSubject("device-x", "Boiler", "boiler-7", "temperature"), { apiVersion: API_VERSION, event });
    await waitFor(() => h.writes.length === 1);
    assert.deepEqual(h.writes[0], { device: "boiler-7", command: "Fan", body: { Fan: "true" } });
    await h.settle();
    assert.equal(h.records[0]!.trigger?.origin, event.readings[0]!.origin);
    assert.equal(h.records[0]!.ok, true);
  });
});
