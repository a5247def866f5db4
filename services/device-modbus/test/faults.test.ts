/**
 * Isolation and recovery with the whole device service (core-metadata + device-modbus, AutoEvents on the bus):
 * the server killed mid-poll and restarted, and one of three devices unreachable while the other two keep polling.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_EVENTS, type Device } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { MetadataClient, startService, throwOnBatchFailure, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { deviceModbusService } from "../src/index.js";
import { startPymodbusServer, waitFor, type PymodbusServer } from "../../../test/harness/index.js";
import { SIMULATOR_UNIT, tcpDevice } from "./fixtures.js";

interface Stack {
  readonly bus: InProcessBus;
  readonly client: MetadataClient;
  /** Events received per device. */
  readonly events: Map<string, number>;
  close(): Promise<void>;
}

async function startStack(devices: readonly Device[]): Promise<Stack> {
  const bus = new InProcessBus();
  await bus.connect();
  const dataDir = mkdtempSync(join(tmpdir(), "brink-modbus-faults-"));
  const running: RunningService[] = [];
  const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown> = {}) => {
    const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent" }, dataDir, ...overrides } });
    running.push(s);
    return s;
  };
  const events = new Map<string, number>();
  const sub = bus.subscribe(ALL_EVENTS, (m) => {
    const name = m.envelope.payload.event.deviceName;
    events.set(name, (events.get(name) ?? 0) + 1);
  });
  const metadata = await start(coreMetadataService);
  const client = new MetadataClient({ baseUrl: metadata.url });
  await start(deviceModbusService, {
    clients: { coreMetadataUrl: metadata.url },
    device: { metadataWaitMs: 0, maxConsecutiveFailures: 3, downProbeIntervalMs: 200, driverTimeoutMs: 3000 },
    driver: { reconnectInitialMs: 50, reconnectMaxMs: 200 },
  });
  throwOnBatchFailure(await client.addDevices(devices));
  return {
    bus,
    client,
    events,
    close: async () => {
      sub.unsubscribe();
      for (const s of running.reverse()) await s.stop();
      await bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function operatingState(client: MetadataClient, name: string): Promise<string> {
  return (await client.getDevice(name)).operatingState;
}

describe("device-modbus isolation and recovery (whole service, AutoEvents)", function () {
  this.timeout(60_000);
  let server: PymodbusServer | undefined;
  let stack: Stack | undefined;

  afterEach(async () => {
    await stack?.close();
    await server?.stop();
    stack = undefined;
    server = undefined;
  });

  it("goes DOWN when the server is killed mid-poll, and UP with polling resumed when it is back", async () => {
    server = await startPymodbusServer({ units: { 1: SIMULATOR_UNIT } });
    const device = tcpDevice("meter", server.ports[0]!, { timeout: "300ms", autoEvents: [{ interval: "50ms", sourceName: "numbers", onChange: false }] });
    stack = await startStack([device]);
    const s = stack;
    await waitFor(async () => (s.events.get("meter") ?? 0) >= 5, { timeoutMs: 10_000, message: "polling started" });

    await server.kill9();
    await waitFor(async () => (await operatingState(s.client, "meter")) === "DOWN", { timeoutMs: 10_000, intervalMs: 50, message: "device DOWN" });
    const whileDown = s.events.get("meter") ?? 0;

    await server.start();
    await waitFor(async () => (await operatingState(s.client, "meter")) === "UP", { timeoutMs: 10_000, intervalMs: 50, message: "device UP again" });
    await waitFor(async () => (s.events.get("meter") ?? 0) >= whileDown + 5, { timeoutMs: 10_000, message: "polling resumed" });
  });

  it("keeps polling two healthy devices while a third, on its own connection, never answers", async () => {
    server = await startPymodbusServer({ tcp: 2, deadTcp: 1, units: { 1: SIMULATOR_UNIT } });
    const every = [{ interval: "100ms", sourceName: "numbers", onChange: false }];
    const devices = [
      tcpDevice("healthy-1", server.ports[0]!, { timeout: "1s", autoEvents: every }),
      tcpDevice("healthy-2", server.ports[1]!, { timeout: "1s", autoEvents: every }),
      tcpDevice("dead", server.deadPorts[0]!, { timeout: "1s", autoEvents: every }),
    ];
    stack = await startStack(devices);
    const s = stack;
    await waitFor(async () => (s.events.get("healthy-1") ?? 0) >= 1 && (s.events.get("healthy-2") ?? 0) >= 1, { timeoutMs: 10_000, message: "polling started" });
    const before = [s.events.get("healthy-1") ?? 0, s.events.get("healthy-2") ?? 0];
    // Four of the dead device's 1 s timeouts: had the healthy devices waited behind it, they would have polled about
    // four times each; on their own connections they poll every 100 ms (about 40 times).
    await new Promise((r) => setTimeout(r, 4000));
    const polls = [(s.events.get("healthy-1") ?? 0) - before[0]!, (s.events.get("healthy-2") ?? 0) - before[1]!];
    for (const n of polls) assert.ok(n >= 20, `a healthy device polled ${n} times in 4 s (schedule: 40)`);
    assert.equal(s.events.get("dead") ?? 0, 0);
    assert.equal(await operatingState(s.client, "dead"), "DOWN");
    assert.deepEqual([await operatingState(s.client, "healthy-1"), await operatingState(s.client, "healthy-2")], ["UP", "UP"]);
  });
});
