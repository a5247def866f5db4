/** The live hub subscribes to the bus only while someone watches, and fans events out per device. */
import { strict as assert } from "node:assert";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { InProcessBus, type MessageBus, type MessageHandler, type Subscription } from "@brink/bus";
import { API_VERSION, eventSubject, type AddEventRequest, type Subject } from "@brink/contracts";
import { LiveHub, streamEventOf } from "../src/live-hub.js";
import { SseStream } from "../src/sse.js";
import { readSse, type SseMessage } from "../src/sse-reader.js";
import { waitFor } from "../../../test/harness/index.js";

/** An InProcessBus that counts live subscriptions. */
class CountingBus extends InProcessBus {
  live = new Set<string>();
  override subscribe<T>(pattern: Subject<T>, handler: MessageHandler<T>): Subscription {
    const sub = super.subscribe(pattern, handler);
    const id = `${pattern}#${Math.random()}`;
    this.live.add(id);
    return {
      subject: sub.subject,
      unsubscribe: () => {
        this.live.delete(id);
        sub.unsubscribe();
      },
    };
  }
}

function eventOf(device: string, readings: AddEventRequest["event"]["readings"]): AddEventRequest {
  return { apiVersion: API_VERSION, event: { id: "e", deviceName: device, profileName: "P", sourceName: "S", origin: 5n, readings } };
}

describe("LiveHub", () => {
  const bus = new CountingBus();
  let hub: LiveHub;
  let server: Server;
  const pendingResponses: ((res: ServerResponse) => void)[] = [];

  before(async () => {
    await bus.connect();
    hub = new LiveHub({ bus: bus as MessageBus, logger: pino({ level: "silent" }), summaryIntervalMs: 20 });
    server = createServer((_req, res) => pendingResponses.shift()?.(res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    hub.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await bus.close();
  });

  /** Opens a real HTTP stream; `attach` hands the server side to the hub. */
  async function stream(attach: (s: SseStream) => void): Promise<{ messages: SseMessage[]; close: () => void }> {
    pendingResponses.push((res) => attach(new SseStream(res, { queueFrames: 100, heartbeatMs: 60_000 })));
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: controller.signal });
    const messages: SseMessage[] = [];
    readSse(res.body!, (m) => {
      messages.push(m);
    }).catch(() => undefined);
    await waitFor(() => messages.some((m) => m.event === "hello"));
    return { messages, close: () => controller.abort() };
  }

  it("holds no subscription while nobody watches, and drops it when the last stream closes", async () => {
    assert.equal(bus.live.size, 0);
    const a = await stream((s) => hub.watchReadings(s, ["A"]));
    assert.equal(bus.live.size, 1, "one events subscription");
    const b = await stream((s) => hub.watchDeviceList(s));
    assert.equal(bus.live.size, 2, "the device list adds the system events subscription");
    a.close();
    b.close();
    await waitFor(() => bus.live.size === 0 && hub.streamCount === 0);
  });

  it("sends each reading stream its devices' events, Binary readings without their bytes", async () => {
    const a = await stream((s) => hub.watchReadings(s, ["A"]));
    const ab = await stream((s) => hub.watchReadings(s, ["A", "B"]));
    await bus.publish(eventSubject("svc", "P", "B", "S"), eventOf("B", [{ origin: 5n, deviceName: "B", resourceName: "Pic", profileName: "P", valueType: "Binary", binaryValue: "AAAA", mediaType: "image/png" }]));
    await bus.publish(eventSubject("svc", "P", "A", "S"), eventOf("A", [{ origin: 5n, deviceName: "A", resourceName: "T", profileName: "P", valueType: "Int8", value: "7" }]));
    await waitFor(() => ab.messages.filter((m) => m.event === "reading").length === 2 && a.messages.some((m) => m.event === "reading"));
    const aReadings = a.messages.filter((m) => m.event === "reading").map((m) => JSON.parse(m.data) as { deviceName: string });
    assert.deepEqual(aReadings.map((e) => e.deviceName), ["A"]);
    const binary = JSON.parse(ab.messages.find((m) => m.event === "reading")!.data) as { readings: Record<string, unknown>[] };
    assert.deepEqual(binary.readings[0], { resourceName: "Pic", valueType: "Binary", origin: 5, mediaType: "image/png", size: 3 });
    a.close();
    ab.close();
    await waitFor(() => hub.streamCount === 0);
  });

  it("closes every stream on stop", async () => {
    const other = new LiveHub({ bus: bus as MessageBus, logger: pino({ level: "silent" }), summaryIntervalMs: 20 });
    const s = await stream((st) => other.watchReadings(st, ["A"]));
    other.stop();
    await waitFor(() => other.streamCount === 0 && bus.live.size === 0);
    s.close();
  });
});

describe("streamEventOf", () => {
  it("takes the device from the subject when the event lacks it, and rejects what is not an event", () => {
    const payload = { apiVersion: API_VERSION, event: { readings: [], origin: 1n } };
    assert.equal(streamEventOf(eventSubject("svc", "Prof", "Dev 1", "Src"), payload)?.deviceName, "Dev 1");
    assert.equal(streamEventOf("edgex.events.device.a.b.c.d", { nope: true }), undefined);
    assert.equal(streamEventOf("not.an.event", { event: { readings: [] } }), undefined);
  });
});
