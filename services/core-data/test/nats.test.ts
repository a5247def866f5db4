import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { NatsBus } from "@brink/bus";
import { MemoryLogger } from "@brink/bus/testing";
import { eventSubject, type Event, type Subject } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, startNatsServer, waitFor, type NatsServer } from "../../../test/harness/index.js";
import { tempDir } from "./store/fixtures.js";
import { addEventRequest, metricValue, startCoreData, type LogLine } from "./helpers.js";

describe("core-data on a real nats-server (NatsBus)", () => {
  let nats: NatsServer;
  let serviceBus: NatsBus;
  let deviceBus: NatsBus;
  let raw: NatsConnection;
  let tmp: ReturnType<typeof tempDir>;
  let service: RunningService;
  const logs: LogLine[] = [];
  const busLog = new MemoryLogger();

  before(async () => {
    nats = await startNatsServer();
    serviceBus = new NatsBus({ servers: nats.url, name: "core-data", logger: busLog });
    deviceBus = new NatsBus({ servers: nats.url, name: "device-test", logger: busLog });
    await serviceBus.connect();
    await deviceBus.connect();
    raw = await connect({ servers: nats.url });
    tmp = tempDir();
    service = await startCoreData(serviceBus, tmp.dir, logs);
    // The server has core-data's subscription once it answered a ping sent after it: the garbled message published
    // on another connection right away must not beat it.
    await serviceBus.flush();
  });

  after(async () => {
    await service?.stop();
    await raw?.close();
    await deviceBus?.close();
    await serviceBus?.close();
    await nats?.stop();
    tmp?.remove();
  });

  it("stores events published over NATS, dropping garbled messages and keeping origins exact", async () => {
    const subject = eventSubject("device-virtual", "prof", "nats-dev", "src");
    raw.publish(subject, "{ this is not json");
    await raw.flush();
    await deviceBus.publish(subject as Subject<unknown>, { apiVersion: "v3", event: { id: "x" } });
    const requests = [0n, 1n, 2n, 3n].map((i) => addEventRequest("nats-dev", 9007199254740993n + i, 3));
    for (const req of requests) await deviceBus.publish(subject, req);

    const count = async (): Promise<number> =>
      (await httpJson<{ count: number }>("GET", `${service.url}/api/v3/reading/count/device/name/nats-dev`)).body.count;
    await waitFor(async () => (await count()) === 12, { message: "12 readings stored from NATS" });

    const res = await httpJson<{ totalCount: number; events: Event[] }>("GET", `${service.url}/api/v3/event/device/name/nats-dev?limit=-1`);
    assert.equal(res.body.totalCount, 4);
    assert.deepEqual(res.body.events.map((e) => e.origin), [3n, 2n, 1n, 0n].map((i) => 9007199254740993n + i));
    assert.deepEqual(res.body.events[3], requests[0]?.event);

    const metrics = (await httpJson<string>("GET", `${service.url}/api/v3/metrics`)).text;
    assert.equal(metricValue(metrics, 'brink_core_data_events_dropped_total{reason="invalid"}'), 1);
    assert.ok(logs.some((l) => l.subject === subject && l.reason === "invalid"));
    // The bytes that are not even an envelope never reach core-data: the bus drops them.
    assert.ok(busLog.at("warn").some((e) => e.obj.subject === subject));
  });
});
