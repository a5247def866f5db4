/** The console on NATS (as `brink run console` runs it): live streams from events another process publishes. */
import { strict as assert } from "node:assert";
import { API_VERSION, eventSubject, nowNanos } from "@brink/contracts";
import { NatsBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { consoleService } from "../src/index.js";
import { freePort, startNatsServer, type NatsServer } from "../../../test/harness/index.js";
import { openStream } from "./support/sse-client.js";

describe("console on NATS", function () {
  this.timeout(20_000);
  let nats: NatsServer;
  let consoleBus: NatsBus;
  let publisher: NatsBus;
  let svc: RunningService;

  before(async () => {
    nats = await startNatsServer();
    consoleBus = new NatsBus({ servers: nats.url, name: "console" });
    publisher = new NatsBus({ servers: nats.url, name: "device-test" });
    await Promise.all([consoleBus.connect(), publisher.connect()]);
    const closed = `http://127.0.0.1:${await freePort()}`;
    svc = await startService(consoleService, {
      bus: consoleBus,
      env: {},
      overrides: { service: { port: 0, logLevel: "silent" }, clients: { coreMetadataUrl: closed, coreDataUrl: closed, coreCommandUrl: closed } },
    });
  });

  after(async () => {
    await svc?.stop({ force: true });
    await publisher?.close();
    await consoleBus?.close();
    await nats?.stop();
  });

  it("streams a device's events published by another connection, with exact origins, once hello says it follows", async () => {
    const s = await openStream(`${svc.url}/api/console/stream/readings?device=Pump%201`);
    try {
      await s.waitForEvents("hello");
      const origin = nowNanos();
      const reading = { origin, deviceName: "Pump 1", resourceName: "Speed", profileName: "Pump", valueType: "Uint16" as const, value: "1200" };
      await publisher.publish(eventSubject("device-test", "Pump", "Pump 1", "Speed"), {
        apiVersion: API_VERSION,
        event: { id: "e1", deviceName: "Pump 1", profileName: "Pump", sourceName: "Speed", origin, readings: [reading] },
      });
      await s.waitForEvents("reading");
      const event = s.data<{ deviceName: string; origin: bigint; readings: { value: string }[] }>("reading")[0];
      assert.equal(event?.deviceName, "Pump 1");
      assert.equal(event?.origin, origin);
      assert.equal(event?.readings[0]?.value, "1200");
    } finally {
      s.close();
    }
  });

  it("reports a NATS bus on the health page", async () => {
    const res = await fetch(`${svc.url}/api/console/health`);
    const body = (await res.json()) as { bus: { kind: string; status: string }; services: { name: string; up: boolean }[] };
    assert.equal(body.bus.kind, "nats");
    assert.equal(body.bus.status, "connected");
    assert.equal(body.services.find((x) => x.name === "core-metadata")?.up, false);
    assert.equal(body.services.find((x) => x.name === "console")?.up, true);
  });
});
