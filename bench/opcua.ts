/**
 * device-opcua against the node-opcua test server (test/harness/opcua-server.ts), each figure with its baseline in
 * the same run:
 * - reads/s of the same 100 Double nodes, one Read in flight: a bare node-opcua client, OpcuaDriver.read, and the
 *   whole device service (a command of 100 resources over the in-process bus, as core-command asks: readings,
 *   event, reply);
 * - subscriptions: 1,000 monitored items sampled and published every 100 ms; the notifications device-opcua
 *   receives against the readings it puts on the bus, and its RSS, against a bare node-opcua client subscribed to
 *   the same items (each in its own process, compiled JS);
 * - recovery: time from a restarted server accepting connections until the device is UP and readings flow again;
 * - idle RSS of `brink start` without and with device-opcua and an OPC UA device (compiled JS).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { commandRequestSubject, type Device, type DeviceProfile, type OperatingState } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import type { CommandRequest, CommandValue, DeviceServiceSdk } from "@brink/device-sdk";
import { OpcuaDriver, deviceOpcuaService, profileToYaml } from "@brink/device-opcua";
import { EMBEDDED_ORDER } from "@brink/brink";
import { startOpcuaServer, httpJson, waitFor, type OpcuaServer } from "../test/harness/index.js";
import { BRINK_BIN, REPO_ROOT, portsFor, waitForPings } from "../test/e2e/brink-process.js";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const READ_NODES = 100;
const SUBSCRIBED = 1000;
const INTERVAL_MS = 100;
const RUN_MS = Number(process.env.BENCH_OPCUA_RUN_MS ?? 5000);
const SUB_WINDOW_MS = Number(process.env.BENCH_OPCUA_SUB_MS ?? 10_000);
const RUNS = 3;
/** Length of one turn of a read path, ms. */
const SLICE_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nodeId = (i: number): string => `ns=2;s=Bench.${String(i).padStart(4, "0")}`;

/** 1,000 Double resources on the Bench nodes and a command reading the first 100. */
function benchProfile(): DeviceProfile {
  const deviceResources = Array.from({ length: SUBSCRIBED }, (_, i) => ({
    name: `b${String(i).padStart(4, "0")}`,
    properties: { valueType: "Float64" as const, readWrite: "R" as const },
    attributes: { nodeId: nodeId(i) },
  }));
  return {
    name: "Bench-OPCUA",
    manufacturer: "Brink",
    model: "bench",
    labels: ["OPCUA"],
    deviceResources,
    deviceCommands: [{ name: "read100", readWrite: "R", resourceOperations: deviceResources.slice(0, READ_NODES).map((r) => ({ deviceResource: r.name })) }],
  };
}

function device(name: string, endpoint: string, opcua: Record<string, unknown> = {}): Device {
  return { name, adminState: "UNLOCKED", operatingState: "UP", serviceName: "device-opcua", profileName: "Bench-OPCUA", protocols: { opcua: { Endpoint: endpoint, ...opcua } } };
}

/** Profile and device list files for a device service. */
function seedDirs(root: string, devices: readonly Device[]): { profilesDir: string; devicesDir: string } {
  const profilesDir = join(root, "profiles");
  const devicesDir = join(root, "devices");
  mkdirSync(profilesDir, { recursive: true });
  mkdirSync(devicesDir, { recursive: true });
  writeFileSync(join(profilesDir, "bench.yaml"), profileToYaml(benchProfile()));
  writeFileSync(join(devicesDir, "devices.json"), JSON.stringify({ deviceList: devices.map(({ name, profileName, protocols }) => ({ name, profileName, protocols })) }));
  return { profilesDir, devicesDir };
}

/** A read path: `op` does one read of the 100 nodes; `close` releases it. */
interface ReadPath {
  readonly op: () => Promise<unknown>;
  readonly close: () => Promise<void>;
}

/** A bare node-opcua client reading the 100 nodes in one Read. */
async function barePath(endpoint: string): Promise<ReadPath> {
  const { OPCUAClient, AttributeIds } = await import("node-opcua-client");
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
  await client.connect(endpoint);
  const session = await client.createSession();
  const nodes = Array.from({ length: READ_NODES }, (_, i) => ({ nodeId: nodeId(i), attributeId: AttributeIds.Value }));
  return {
    op: () => session.read(nodes, 0),
    close: async () => {
      await session.close();
      await client.disconnect();
    },
  };
}

function quietSdk(devices: readonly Device[], dataDir: string, onPush?: (v: CommandValue) => void, onState?: (s: OperatingState) => void): DeviceServiceSdk {
  const profile = benchProfile();
  return {
    serviceName: "device-opcua",
    logger: pino({ level: "error" }),
    driverConfig: { reconnectMinDelayMs: 100, reconnectMaxDelayMs: 1000 },
    dataDir,
    devices: () => devices,
    device: (name) => devices.find((d) => d.name === name),
    profile: (name) => (name === profile.name ? profile : undefined),
    pushValues: async (_d, _s, values) => values.forEach((v) => onPush?.(v)),
    setOperatingState: async (_d, state) => onState?.(state),
  };
}

/** OpcuaDriver.read of the same 100 nodes. */
async function driverPath(endpoint: string, dataDir: string): Promise<ReadPath> {
  const dev = device("bench-driver", endpoint);
  const driver = new OpcuaDriver();
  driver.initialize(quietSdk([dev], dataDir));
  await driver.start();
  const requests: CommandRequest[] = benchProfile()
    .deviceResources.slice(0, READ_NODES)
    .map((r) => ({ resourceName: r.name, attributes: r.attributes!, valueType: r.properties.valueType, resource: r }));
  return { op: () => driver.read(dev, requests), close: () => driver.stop({ force: false }) };
}

/** The whole device service: a GET of the 100-resource command over the in-process bus, as core-command sends it. */
function servicePath(bus: InProcessBus): ReadPath {
  const subject = commandRequestSubject("device-opcua", "bench-service", "read100", "get");
  return { op: () => bus.request(subject, {}, { timeoutMs: 10_000 }), close: async () => undefined };
}

/** Throughput and this process's CPU time per read of one path. */
interface PathResult {
  readonly rate: number;
  readonly cpuUsPerRead: number;
}

/**
 * Reads/s of each path, measured in turns of SLICE_MS (order rotating) so that the load of a shared machine falls
 * on every path alike, and the CPU time this process spends per read (which that load does not change).
 */
async function interleaved(paths: readonly ReadPath[], totalMs: number): Promise<PathResult[]> {
  const count = paths.map(() => 0);
  const spent = paths.map(() => 0);
  const cpu = paths.map(() => 0);
  for (const p of paths) {
    const warm = performance.now() + 500;
    while (performance.now() < warm) await p.op();
  }
  const slices = Math.max(1, Math.round(totalMs / SLICE_MS));
  for (let turn = 0; turn < slices; turn++) {
    for (let k = 0; k < paths.length; k++) {
      const i = (turn + k) % paths.length;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      while (performance.now() - t0 < SLICE_MS) {
        await paths[i]!.op();
        count[i]!++;
      }
      spent[i]! += performance.now() - t0;
      const c = process.cpuUsage(c0);
      cpu[i]! += c.user + c.system;
    }
  }
  return count.map((n, i) => ({ rate: n / (spent[i]! / 1000), cpuUsPerRead: cpu[i]! / n }));
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return kb / 1024;
}

interface ChildCounts {
  notifications: number;
  readings: number;
}

/** A compiled-JS child process answering "snapshot" messages with counters. */
async function startChild(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; snapshot(): Promise<ChildCounts>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench child exited (${code}): ${stderr}`)));
    child.on("message", (m: { type?: string }) => m.type === "ready" && resolve());
  });
  const snapshot = () =>
    new Promise<ChildCounts>((resolve) => {
      child.once("message", (m: ChildCounts) => resolve(m));
      child.send("snapshot");
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return { child, snapshot, stop };
}

const DEVICE_OPCUA_CHILD = `
import { InProcessBus } from "@brink/bus";
import { ANY, eventSubject } from "@brink/contracts";
import { startService, createLogger } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { createDeviceService } from "@brink/device-sdk";
import { OpcuaDriver, OPCUA_DRIVER_CONFIG_SCHEMA } from "@brink/device-opcua";
const cfg = JSON.parse(process.env.BENCH_OPCUA_CHILD);
const bus = new InProcessBus();
await bus.connect();
let readings = 0;
bus.subscribe(eventSubject("device-opcua", ANY, ANY, ANY), (m) => { readings += m.envelope.payload.event.readings.length; });
const logger = createLogger({ name: "bench", level: "warn" });
const overrides = { service: { port: 0, logLevel: "warn" }, dataDir: cfg.dataDir };
const meta = await startService(coreMetadataService, { bus, logger, env: {}, overrides });
const driver = new OpcuaDriver();
const def = createDeviceService({ name: "device-opcua", version: "bench", defaultPort: 0, driver: () => driver, configSchema: OPCUA_DRIVER_CONFIG_SCHEMA });
const svc = await startService(def, { bus, logger, env: {}, overrides: { ...overrides, clients: { coreMetadataUrl: meta.url }, device: { profilesDir: cfg.profilesDir, devicesDir: cfg.devicesDir } } });
while ((driver.status("bench-sub")?.subscription.readings ?? 0) < ${SUBSCRIBED}) await new Promise((r) => setTimeout(r, 50));
process.on("message", () => process.send({ notifications: driver.status("bench-sub").subscription.notifications, readings }));
process.on("SIGTERM", async () => { await svc.stop(); await meta.stop(); process.exit(0); });
process.send({ type: "ready" });
`;

const BARE_CHILD = `
import { OPCUAClient, AttributeIds, TimestampsToReturn } from "node-opcua-client";
const cfg = JSON.parse(process.env.BENCH_OPCUA_CHILD);
const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
await client.connect(cfg.endpoint);
const session = await client.createSession();
const subscription = await session.createSubscription2({ requestedPublishingInterval: ${INTERVAL_MS}, requestedMaxKeepAliveCount: 50, requestedLifetimeCount: 300, maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 1 });
const items = Array.from({ length: ${SUBSCRIBED} }, (_, i) => ({ nodeId: "ns=2;s=Bench." + String(i).padStart(4, "0"), attributeId: AttributeIds.Value }));
const group = await subscription.monitorItems(items, { samplingInterval: ${INTERVAL_MS}, queueSize: 1, discardOldest: true }, TimestampsToReturn.Both);
let notifications = 0;
group.on("changed", () => { notifications++; });
while (notifications < ${SUBSCRIBED}) await new Promise((r) => setTimeout(r, 50));
process.on("message", () => process.send({ notifications, readings: notifications }));
process.on("SIGTERM", async () => { await session.close(); await client.disconnect(); process.exit(0); });
process.send({ type: "ready" });
`;

interface SubResult {
  notifications: number;
  readings: number;
  changes: number;
  rssMb: number;
}

/** Counts over a window of SUB_WINDOW_MS while the server ticks; then pauses the server and lets the queues drain. */
async function subscriptionRun(server: OpcuaServer, script: string, env: Record<string, string>): Promise<SubResult> {
  await server.pause(false);
  const child = await startChild(script, env);
  try {
    await sleep(2000);
    const a = await child.snapshot();
    await server.resetStats();
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, rssMb(child.child.pid!))), 250);
    await sleep(SUB_WINDOW_MS);
    await server.pause(true);
    const changes = (await server.stats()).ticks;
    await sleep(1500);
    clearInterval(sampler);
    const b = await child.snapshot();
    return { notifications: b.notifications - a.notifications, readings: b.readings - a.readings, changes, rssMb: rss };
  } finally {
    await child.stop();
    await server.pause(false);
  }
}

/** Seconds from a restarted server accepting connections until the device is UP and a new reading arrives. */
async function recoveryRun(server: OpcuaServer, dataDir: string): Promise<{ upMs: number; readingMs: number }> {
  const dev = device("bench-recovery", server.endpoint, { Resources: "b0000", PublishingInterval: INTERVAL_MS, SamplingInterval: INTERVAL_MS });
  let state: OperatingState = "UP";
  let lastReadingAt = 0;
  const driver = new OpcuaDriver();
  driver.initialize(quietSdk([dev], dataDir, () => (lastReadingAt = performance.now()), (s) => (state = s)));
  await driver.start();
  try {
    await waitFor(() => lastReadingAt > 0, { timeoutMs: 10_000, message: "first reading" });
    await server.kill();
    await waitFor(() => state === "DOWN", { timeoutMs: 10_000, message: "DOWN" });
    await server.restart();
    const t0 = performance.now();
    await waitFor(() => state === "UP", { timeoutMs: 20_000, intervalMs: 5, message: "UP" });
    const upMs = performance.now() - t0;
    await waitFor(() => lastReadingAt > t0, { timeoutMs: 20_000, intervalMs: 5, message: "reading after the restart" });
    return { upMs, readingMs: lastReadingAt - t0 };
  } finally {
    await driver.stop({ force: true });
  }
}

/** Idle RSS of an embedded Brink process (brink start, or the same services plus device-opcua). */
async function idleRss(withOpcua: boolean, endpoint: string, root: string): Promise<{ rssMb: number; deviceUp: boolean }> {
  const services = withOpcua ? [...EMBEDDED_ORDER, "device-opcua"] : [...EMBEDDED_ORDER];
  const { ports, env } = await portsFor(services);
  const dataDir = mkdtempSync(join(root, "brink-"));
  const seeded = seedDirs(join(dataDir, "seed"), [device("plc-1", endpoint, { Resources: "b0000,b0001,b0002,b0003,b0004,b0005,b0006,b0007,b0008,b0009", PublishingInterval: 1000, SamplingInterval: 1000 })]);
  const fullEnv: Record<string, string> = { ...env, BRINK_DATA_DIR: dataDir, BRINK_LOG_LEVEL: "warn" };
  if (withOpcua) Object.assign(fullEnv, { BRINK_DEVICE_OPCUA_DEVICE_PROFILES_DIR: seeded.profilesDir, BRINK_DEVICE_OPCUA_DEVICE_DEVICES_DIR: seeded.devicesDir });
  const args = withOpcua
    ? ["--input-type=module", "-e", `import { startEmbedded, EMBEDDED_ORDER } from "@brink/brink"; const rt = await startEmbedded({ services: [...EMBEDDED_ORDER, "device-opcua"] }); process.on("SIGTERM", async () => { await rt.stop(); process.exit(0); });`]
    : [BRINK_BIN, "start"];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...fullEnv }, stdio: "ignore" });
  try {
    await waitForPings(ports, 30_000);
    let deviceUp = false;
    if (withOpcua) {
      await waitFor(
        async () => {
          const res = await httpJson("GET", `http://127.0.0.1:${ports["core-metadata"]}/api/v3/device/name/plc-1`);
          return (deviceUp = res.status === 200 && (res.body as { device: { operatingState: string } }).device.operatingState === "UP");
        },
        { timeoutMs: 15_000, intervalMs: 200, message: "plc-1 UP" },
      );
    }
    await sleep(5000);
    return { rssMb: rssMb(child.pid!), deviceUp };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  }
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "brink-bench-opcua-"));
  const server = await startOpcuaServer({ benchNodes: SUBSCRIBED, tickMs: INTERVAL_MS, minimumSamplingIntervalMs: 50 });
  const running: RunningService[] = [];
  const bus = new InProcessBus();
  try {
    // Reads: the device service runs in this process on the in-process bus, the peer being the same server.
    await bus.connect();
    const logger = createLogger({ name: "bench", level: "warn" });
    const overrides = { service: { port: 0, logLevel: "warn" }, dataDir: join(root, "svc") };
    const meta = await startService(coreMetadataService, { bus, logger, env: {}, overrides });
    running.push(meta);
    const seeded = seedDirs(join(root, "svc-seed"), [device("bench-service", server.endpoint)]);
    running.push(await startService(deviceOpcuaService, { bus, logger, env: {}, overrides: { ...overrides, clients: { coreMetadataUrl: meta.url }, device: seeded } }));
    await waitFor(async () => (await bus.request(commandRequestSubject("device-opcua", "bench-service", "read100", "get"), {}, { timeoutMs: 10_000 }).then(() => true, () => false)), {
      timeoutMs: 20_000,
      intervalMs: 200,
      message: "bench-service readable",
    });
    await server.pause(true);
    const bare: PathResult[] = [];
    const drv: PathResult[] = [];
    const svc: PathResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const paths = [await barePath(server.endpoint), await driverPath(server.endpoint, join(root, `drv-${i}`)), servicePath(bus)];
      const [b, d, s] = await interleaved(paths, RUN_MS);
      for (const p of paths) await p.close();
      bare.push(b!);
      drv.push(d!);
      svc.push(s!);
      console.log(`reads run ${i + 1}: bare ${fmt(b!.rate)} /s (${fmt(b!.cpuUsPerRead)} µs CPU), driver ${fmt(d!.rate)} /s (${fmt(d!.cpuUsPerRead)} µs), service ${fmt(s!.rate)} /s (${fmt(s!.cpuUsPerRead)} µs)`);
    }
    for (const s of running.reverse()) await s.stop();
    running.length = 0;
    await bus.close();

    // Subscriptions: 1,000 items at 100 ms, device-opcua and a bare client each in its own compiled process.
    const subSeed = seedDirs(join(root, "sub-seed"), [device("bench-sub", server.endpoint, { Resources: "*", PublishingInterval: INTERVAL_MS, SamplingInterval: INTERVAL_MS, QueueSize: 1 })]);
    const subs: SubResult[] = [];
    const bareSubs: SubResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const childEnv = { BENCH_OPCUA_CHILD: JSON.stringify({ ...subSeed, dataDir: join(root, `sub-${i}`), endpoint: server.endpoint }) };
      subs.push(await subscriptionRun(server, DEVICE_OPCUA_CHILD, childEnv));
      bareSubs.push(await subscriptionRun(server, BARE_CHILD, childEnv));
      const s = subs[i]!;
      console.log(`subscription run ${i + 1}: ${fmt(s.changes)} changes, ${fmt(s.notifications)} notifications, ${fmt(s.readings)} readings (${fmt(s.readings / s.notifications, 4)}), RSS ${fmt(s.rssMb, 1)} MB; bare client ${fmt(bareSubs[i]!.notifications)} notifications, RSS ${fmt(bareSubs[i]!.rssMb, 1)} MB`);
    }

    // Recovery after a server restart.
    const recovery: { upMs: number; readingMs: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      recovery.push(await recoveryRun(server, join(root, `rec-${i}`)));
      console.log(`recovery run ${i + 1}: UP after ${fmt(recovery[i]!.upMs)} ms, reading after ${fmt(recovery[i]!.readingMs)} ms`);
    }

    // Idle RSS of brink start without and with device-opcua and one OPC UA device.
    const without: number[] = [];
    const withOpcua: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      without.push((await idleRss(false, server.endpoint, root)).rssMb);
      const w = await idleRss(true, server.endpoint, root);
      if (!w.deviceUp) throw new Error("the OPC UA device of the idle-RSS run never came UP");
      withOpcua.push(w.rssMb);
      console.log(`idle run ${i + 1}: brink start ${fmt(without[i]!, 1)} MB, with device-opcua and an OPC UA device ${fmt(withOpcua[i]!, 1)} MB`);
    }

    const b = median(bare.map((x) => x.rate));
    const d = median(drv.map((x) => x.rate));
    const s = median(svc.map((x) => x.rate));
    const cpuOf = (list: PathResult[]) => fmt(median(list.map((x) => x.cpuUsPerRead)));
    const m = (k: keyof SubResult, list: SubResult[]) => median(list.map((x) => x[k]));
    const ratio = median(subs.map((x) => x.readings / x.notifications));
    const md = [
      "## OPC UA (device-opcua)",
      "",
      `${machineLine()}. node-opcua ${nodeOpcuaVersion()} server (test/harness/opcua-server.ts) on loopback, median of ${RUNS} runs.`,
      "",
      `Reads of the same ${READ_NODES} Double nodes, one request in flight; the three paths take turns of ${SLICE_MS} ms for ${fmt(RUN_MS / 1000)} s each per run, after a warm-up:`,
      "",
      table(
        ["path", "reads/s", "values/s", "× bare client", "client CPU per read"],
        [
          ["bare node-opcua client: `session.read` of 100 nodes", fmt(b), fmt(b * READ_NODES), "1.00", `${cpuOf(bare)} µs`],
          ["OpcuaDriver.read (one Read call, values converted)", fmt(d), fmt(d * READ_NODES), fmt(d / b, 2), `${cpuOf(drv)} µs`],
          ["device service: command of 100 resources over the bus (readings, event, reply)", fmt(s), fmt(s * READ_NODES), fmt(s / b, 2), `${cpuOf(svc)} µs`],
        ],
      ),
      "",
      "Target: reads/s through device-opcua ≥ 0.8 × the bare client. The server runs on the same 2 cores, so CPU the client spends is taken from the server; the CPU column counts this process only and depends less on the machine's load than reads/s.",
      "",
      `Subscriptions: ${fmt(SUBSCRIBED)} monitored items, sampling and publishing every ${INTERVAL_MS} ms, every item changing every ${INTERVAL_MS} ms; counted over ${fmt(SUB_WINDOW_MS / 1000)} s, each client in its own process (compiled JS):`,
      "",
      table(
        ["client", "value changes on the server", "notifications received", "readings on the bus", "readings ÷ notifications", "RSS (max)"],
        [
          ["device-opcua (+ core-metadata, in-process bus)", fmt(m("changes", subs)), fmt(m("notifications", subs)), fmt(m("readings", subs)), fmt(ratio, 4), `${fmt(m("rssMb", subs), 1)} MB`],
          ["bare node-opcua client (counts notifications)", fmt(m("changes", bareSubs)), fmt(m("notifications", bareSubs)), "—", "—", `${fmt(m("rssMb", bareSubs), 1)} MB`],
        ],
      ),
      "",
      "Target: ≥ 0.98 of the notifications become readings on the bus.",
      "",
      table(
        ["recovery after a server restart (from the server accepting connections)", "ms"],
        [
          ["device UP again (new session and subscription)", fmt(median(recovery.map((r) => r.upMs)))],
          ["first reading of the new subscription", fmt(median(recovery.map((r) => r.readingMs)))],
        ],
      ),
      "",
      "Target: session and subscriptions back within 5 s.",
      "",
      table(
        ["idle RSS, 5 s after every service answers (compiled JS)", "MB"],
        [
          [`\`brink start\` (${EMBEDDED_ORDER.join(", ")}): node-opcua not loaded`, fmt(median(without), 1)],
          ["the same services + device-opcua with one OPC UA device (10 items subscribed)", fmt(median(withOpcua), 1)],
        ],
      ),
    ].join("\n");
    writeSection("opcua", md);
    console.log(md);
  } finally {
    for (const svc of running.reverse()) await svc.stop().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function nodeOpcuaVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/node-opcua-client/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "2.x";
  }
}

