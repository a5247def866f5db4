/** The console's live streams over real HTTP, fed by the in-process bus and core-metadata's system events. */
import { strict as assert } from "node:assert";
import { API_VERSION, BASE_TOPIC, eventSubject, nowNanos, parseProfile, type Subject, type SystemEvent } from "@brink/contracts";
import { ConsoleErrorCode } from "../src/index.js";
import { httpJson } from "../../../test/harness/index.js";
import { openStream, type TestStream } from "./support/sse-client.js";
import { AUTH, PROFILE_YAML, SERVICE, TOKEN, eventOf, startConsoleFixture, type ConsoleFixture } from "./support/console-fixture.js";

describe("console live streams", () => {
  let fx: ConsoleFixture;
  let url: string;
  let metadata: ConsoleFixture["metadata"];
  let bus: ConsoleFixture["bus"];

  before(async () => {
    fx = await startConsoleFixture();
    ({ url, metadata, bus } = fx);
    assert.equal((await httpJson("POST", `${metadata.url}/api/v3/deviceprofile`, [{ apiVersion: API_VERSION, profile: parseProfile(PROFILE_YAML) }])).status, 207);
    const device = { name: `${SERVICE}-meter-2`, serviceName: SERVICE, profileName: "Test-Meter", adminState: "UNLOCKED", operatingState: "UP", protocols: { other: { Address: "m2" } } };
    assert.equal((await httpJson("POST", `${metadata.url}/api/v3/device`, [{ apiVersion: API_VERSION, device }])).status, 207);
  });

  after(async () => {
    await fx?.stop();
  });

  let streams: TestStream[] = [];
  afterEach(() => {
    for (const s of streams) s.close();
    streams = [];
  });
  const open = async (path: string): Promise<TestStream> => {
    const s = await openStream(`${url}${path}`, TOKEN);
    streams.push(s);
    return s;
  };

  it("sends a reading stream the events of its devices only, origins exact", async () => {
    const s = await open("/api/console/stream/readings?device=A,B");
    await s.waitForEvents("hello");
    const origin = nowNanos();
    await bus.publish(eventSubject("svc", "Test-Meter", "A", "Power"), eventOf("A", origin, "1.0e+00"));
    await bus.publish(eventSubject("svc", "Test-Meter", "C", "Power"), eventOf("C", origin, "2.0e+00"));
    await bus.publish(eventSubject("svc", "Test-Meter", "B", "Power"), eventOf("B", origin + 1n, "3.0e+00"));
    await s.waitForEvents("reading", 2);
    const events = s.data<{ deviceName: string; origin: bigint; readings: { value: string; origin: bigint }[] }>("reading");
    assert.deepEqual(events.map((e) => e.deviceName), ["A", "B"]);
    assert.equal(events[0]?.origin, origin);
    assert.equal(events[1]?.readings[0]?.value, "3.0e+00");
  });

  it("refuses a reading stream that names no device", async () => {
    const res = await httpJson<{ code: string }>("GET", `${url}/api/console/stream/readings`, undefined, AUTH);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, ConsoleErrorCode.StreamInvalid);
  });

  it("sends the device list last-seen times and device changes", async () => {
    const s = await open("/api/console/stream/devices");
    await s.waitForEvents("hello");
    const origin = nowNanos();
    await bus.publish(eventSubject("svc", "Test-Meter", `${SERVICE}-meter-2`, "Power"), eventOf(`${SERVICE}-meter-2`, origin, "1.0e+00"));
    await s.waitForEvents("seen");
    assert.deepEqual(s.data<{ devices: { deviceName: string; origin: bigint }[] }>("seen")[0]?.devices, [{ deviceName: `${SERVICE}-meter-2`, origin }]);
    const patched = await httpJson("PATCH", `${metadata.url}/api/v3/device`, [{ apiVersion: API_VERSION, device: { name: `${SERVICE}-meter-2`, adminState: "LOCKED" } }]);
    assert.equal(patched.status, 207);
    await s.waitForEvents("changed");
    assert.deepEqual(s.data<{ device: string; action: string }>("changed").map((c) => [c.device, c.action]), [[`${SERVICE}-meter-2`, "update"]]);
  });

  it("sends a discovery stream the service's progress notices and the devices added for it", async () => {
    const s = await open(`/api/console/stream/discovery/${SERVICE}`);
    await s.waitForEvents("hello");
    const progress: SystemEvent = {
      apiVersion: API_VERSION,
      type: "device",
      action: "discovery" as SystemEvent["action"],
      source: SERVICE,
      owner: SERVICE,
      details: { requestId: "r-1", progress: 50, discoveredDeviceCount: 1 },
      timestamp: nowNanos(),
    };
    await bus.publish(`${BASE_TOPIC}.system-events.${SERVICE}.device.discovery.${SERVICE}` as Subject<SystemEvent>, progress);
    await s.waitForEvents("progress");
    assert.deepEqual(s.data<{ details: { progress: number } }>("progress")[0]?.details.progress, 50);
    const device = { name: `${SERVICE}-found-1`, serviceName: SERVICE, profileName: "Test-Meter", adminState: "UNLOCKED", operatingState: "UP", protocols: { other: { Address: "x" } } };
    await httpJson("POST", `${metadata.url}/api/v3/device`, [{ apiVersion: API_VERSION, device }]);
    await s.waitForEvents("device");
    assert.equal(s.data<{ device: string }>("device")[0]?.device, `${SERVICE}-found-1`);
  });

  it("refuses a stream past the limit with 503 STREAM_LIMIT, and takes one again once a stream closes", async () => {
    const opened = [];
    for (let i = 0; i < 4; i++) {
      const s = await open(`/api/console/stream/readings?device=D${i}`);
      await s.waitForEvents("hello");
      opened.push(s);
    }
    const refused = await httpJson<{ code: string }>("GET", `${url}/api/console/stream/readings?device=E`, undefined, AUTH);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, ConsoleErrorCode.StreamLimit);
    opened[0]?.close();
    const again = await waitForStatus(`${url}/api/console/stream/readings?device=E`, 200);
    again.close();
  });
});

/** Retries a stream request until it answers `status` (a closed stream is released asynchronously). */
async function waitForStatus(target: string, status: number): Promise<TestStream> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const s = await openStream(target, TOKEN);
    if (s.status === status) return s;
    s.close();
    if (Date.now() > deadline) throw new Error(`${target} kept answering ${s.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
