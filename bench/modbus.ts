/**
 * device-modbus against the same pymodbus TCP server (python3-pymodbus, 10 listeners on 127.0.0.1, unit 1 holding
 * 100 registers), each figure with its baseline in the same run:
 * - register throughput, 10 devices x 100 registers polled as fast as they answer: a bare modbus-serial loop per
 *   connection, ModbusDriver.readValues (device-modbus's Modbus path: planning, queue, codec, one value per resource) and
 *   the whole device service (AutoEvents every 100 µs, shorter than a poll, so each device is polled back to back;
 *   readings, events on the in-process bus), each run paired with a bare loop run just before it;
 * - merging gain: requests and time per poll with merging on and with one request per resource;
 * - isolation: the healthy devices' AutoEvent rate with one of 10 devices dead, against all 10 healthy.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import modbusSerial from "modbus-serial";
import { pino } from "pino";
import { ALL_EVENTS, parseProfile, type Device, type DeviceProfile, type DeviceResource } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { MetadataClient, createLogger, startService, throwOnBatchFailure, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import type { CommandRequest, DeviceServiceSdk } from "@brink/device-sdk";
import { ModbusDriver, deviceModbusService, type ModbusRequest, type Transport, modbusSerialTransport } from "@brink/device-modbus";
import { startPymodbusServer, type PymodbusServer } from "../test/harness/index.js";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const ModbusRTU = modbusSerial.default;
const DEVICES = 10;
const REGISTERS = 100;
const RUN_MS = Number(process.env.BENCH_MODBUS_RUN_MS ?? 3000);
const RUNS = 3;
const PAIRS = 5;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 100 Uint16 holding registers r0..r99 and a command reading them all. */
function benchProfile(): DeviceProfile {
  const deviceResources: DeviceResource[] = Array.from({ length: REGISTERS }, (_, i) => ({
    name: `r${i}`,
    isHidden: false,
    attributes: { primaryTable: "HOLDING_REGISTERS", startingAddress: i },
    properties: { valueType: "Uint16", readWrite: "R" },
  }));
  return {
    name: "Bench-Modbus-100",
    manufacturer: "Brink",
    model: "bench",
    labels: [],
    deviceResources,
    deviceCommands: [{ name: "all", readWrite: "R", isHidden: false, resourceOperations: deviceResources.map((r) => ({ deviceResource: r.name })) }],
  };
}

function device(name: string, port: number, autoEvents: Device["autoEvents"] = [], profileName = "Bench-Modbus-100", timeout = "1s"): Device {
  return {
    name,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName: "device-modbus",
    profileName,
    protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: String(port), UnitID: "1", Timeout: timeout, IdleTimeout: "0" } },
    autoEvents,
  };
}

function requestsOf(profile: DeviceProfile, names?: readonly string[]): CommandRequest[] {
  const chosen = names === undefined ? profile.deviceResources : names.map((n) => profile.deviceResources.find((r) => r.name === n)!);
  return chosen.map((r) => ({ resourceName: r.name, attributes: r.attributes ?? {}, valueType: r.properties.valueType, resource: r }));
}

function sdkOf(profiles: DeviceProfile[]): DeviceServiceSdk {
  return {
    serviceName: "device-modbus",
    logger: pino({ level: "silent" }),
    driverConfig: {},
    dataDir: tmpdir(),
    devices: () => [],
    device: () => undefined,
    profile: (n) => profiles.find((p) => p.name === n),
    pushValues: async () => undefined,
    setOperatingState: async () => undefined,
  };
}

/** Polls per second, and this process's CPU time per poll (user + system), µs. */
interface LoopFigure {
  readonly rate: number;
  readonly cpuUsPerPoll: number;
}

/**
 * A full GC before each measured phase (the bench runs with --expose-gc), so no phase pays for the garbage an earlier
 * one left in the old generation.
 */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs `poll` in a loop on each of `n` workers for RUN_MS. */
async function loops(n: number, poll: (worker: number) => Promise<unknown>): Promise<LoopFigure> {
  collect();
  let count = 0;
  const end = performance.now() + RUN_MS;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      while (performance.now() < end) {
        await poll(w);
        count++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { rate: count / ((performance.now() - t0) / 1000), cpuUsPerPoll: (cpu.user + cpu.system) / count };
}

async function bareLoop(server: PymodbusServer): Promise<LoopFigure> {
  const clients = await Promise.all(
    server.ports.slice(0, DEVICES).map(async (port) => {
      const c = new ModbusRTU();
      await c.connectTCP("127.0.0.1", { port });
      c.setID(1);
      c.setTimeout(2000);
      return c;
    }),
  );
  try {
    return await loops(DEVICES, (w) => clients[w]!.readHoldingRegisters(0, REGISTERS));
  } finally {
    for (const c of clients) c.close(() => undefined);
  }
}

async function driverLoop(server: PymodbusServer, profile: DeviceProfile): Promise<LoopFigure> {
  const driver = new ModbusDriver();
  driver.initialize(sdkOf([profile]));
  await driver.start();
  const devices = server.ports.slice(0, DEVICES).map((port, i) => device(`bench-${i}`, port));
  const requests = requestsOf(profile);
  try {
    return await loops(DEVICES, (w) => driver.readValues(devices[w]!, requests));
  } finally {
    await driver.stop({ force: false });
  }
}

interface Stack {
  readonly events: Map<string, number>;
  readonly client: MetadataClient;
  stop(): Promise<void>;
}

/** core-metadata and device-modbus in this process on an InProcessBus, counting the events each device publishes. */
async function serviceStack(profiles: DeviceProfile[], devices: Device[]): Promise<Stack> {
  const bus = new InProcessBus();
  await bus.connect();
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-modbus-"));
  const logger = createLogger({ name: "bench", level: "error" });
  const running: RunningService[] = [];
  const events = new Map<string, number>();
  const sub = bus.subscribe(ALL_EVENTS, (m) => {
    const name = m.envelope.payload.event.deviceName;
    events.set(name, (events.get(name) ?? 0) + 1);
  });
  const overrides = { service: { port: 0, host: "127.0.0.1", logLevel: "warn" }, dataDir };
  const metadata = await startService(coreMetadataService, { bus, logger, env: {}, overrides });
  running.push(metadata);
  const client = new MetadataClient({ baseUrl: metadata.url });
  running.push(
    await startService(deviceModbusService, {
      bus,
      logger,
      env: {},
      overrides: { ...overrides, clients: { coreMetadataUrl: metadata.url }, device: { metadataWaitMs: 0, profilesDir: dataDir, downProbeIntervalMs: 1000 } },
    }),
  );
  throwOnBatchFailure(await client.addProfiles(profiles));
  throwOnBatchFailure(await client.addDevices(devices));
  return {
    events,
    client,
    stop: async () => {
      sub.unsubscribe();
      for (const s of running.reverse()) await s.stop();
      await bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function total(events: Map<string, number>, names: readonly string[]): number {
  return names.reduce((sum, n) => sum + (events.get(n) ?? 0), 0);
}

/** Events per second of `names` over RUN_MS, after a warm-up, and this process's CPU time per event. */
async function eventRate(stack: Stack, names: readonly string[]): Promise<LoopFigure> {
  collect();
  await sleep(1000);
  const before = total(stack.events, names);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sleep(RUN_MS);
  const cpu = process.cpuUsage(cpu0);
  const count = total(stack.events, names) - before;
  return { rate: count / ((performance.now() - t0) / 1000), cpuUsPerPoll: (cpu.user + cpu.system) / count };
}

async function serviceThroughput(server: PymodbusServer, profile: DeviceProfile): Promise<LoopFigure> {
  const devices = server.ports.slice(0, DEVICES).map((port, i) => device(`svc-${i}`, port, [{ interval: "100us", sourceName: "all", onChange: false }]));
  const stack = await serviceStack([profile], devices);
  try {
    return await eventRate(stack, devices.map((d) => d.name));
  } finally {
    await stack.stop();
  }
}

interface MergeFigure {
  readonly requests: number;
  readonly msPerPoll: number;
}

/** Requests and mean time per poll of one device, merged or not. */
async function mergeGain(port: number, profile: DeviceProfile, names: readonly string[] | undefined, merge: boolean): Promise<MergeFigure> {
  let sent = 0;
  const driver = new ModbusDriver({
    config: { merge },
    transport: (spec): Transport => {
      const t = modbusSerialTransport(spec);
      const send = t.send.bind(t);
      t.send = (unit: number, request: ModbusRequest, cb) => {
        sent++;
        send(unit, request, cb);
      };
      return t;
    },
  });
  driver.initialize(sdkOf([profile]));
  await driver.start();
  const d = device("merge", port, [], profile.name);
  const requests = requestsOf(profile, names);
  try {
    for (let i = 0; i < 20; i++) await driver.read(d, requests);
    sent = 0;
    const polls = merge ? 2000 : 100;
    const t0 = performance.now();
    for (let i = 0; i < polls; i++) await driver.read(d, requests);
    return { requests: sent / polls, msPerPoll: (performance.now() - t0) / polls };
  } finally {
    await driver.stop({ force: false });
  }
}

/** Healthy devices' AutoEvent rate (events/s per device) with `dead` of them on a port that never answers. */
async function isolation(server: PymodbusServer, profile: DeviceProfile, dead: boolean): Promise<number> {
  const every = [{ interval: "20ms", sourceName: "first10", onChange: false }];
  const devices = Array.from({ length: DEVICES }, (_, i) =>
    dead && i === DEVICES - 1 ? device(`iso-${i}`, server.deadPorts[0]!, every, profile.name, "1s") : device(`iso-${i}`, server.ports[i]!, every, profile.name, "1s"),
  );
  const healthy = devices.slice(0, DEVICES - 1).map((d) => d.name);
  const stack = await serviceStack([profile], devices);
  try {
    return (await eventRate(stack, healthy)).rate / healthy.length;
  } finally {
    await stack.stop();
  }
}

export async function run(): Promise<void> {
  const profile = benchProfile();
  const small: DeviceProfile = {
    ...profile,
    name: "Bench-Modbus-10",
    deviceCommands: [{ name: "first10", readWrite: "R", isHidden: false, resourceOperations: profile.deviceResources.slice(0, 10).map((r) => ({ deviceResource: r.name })) }],
  };
  const sdm = parseProfile(readFileSync(fileURLToPath(new URL("../device-profiles/eastron/sdm630.yaml", import.meta.url)), "utf8"));
  const sdmReadings = sdm.deviceCommands!.find((c) => c.name === "Readings")!.resourceOperations.map((o) => o.deviceResource);
  const loadAtStart = loadavg()[0]!;
  const values = Array.from({ length: 400 }, (_, i) => i);
  const server = await startPymodbusServer({ tcp: DEVICES, deadTcp: 1, units: { 1: { hr: { 0: values }, ir: { 0: values } } } });
  const bare: LoopFigure[] = [];
  const viaDriver: LoopFigure[] = [];
  const ratios: number[] = [];
  const viaService: LoopFigure[] = [];
  const serviceRatios: number[] = [];
  const isoHealthy: number[] = [];
  const isoDead: number[] = [];
  try {
    // Bare loop and driver in pairs, alternating which goes first, so load from elsewhere hits both alike.
    for (let i = 0; i < PAIRS; i++) {
      const first = i % 2 === 0 ? await bareLoop(server) : await driverLoop(server, profile);
      const second = i % 2 === 0 ? await driverLoop(server, profile) : await bareLoop(server);
      const [b, d] = i % 2 === 0 ? [first, second] : [second, first];
      bare.push(b);
      viaDriver.push(d);
      ratios.push(d.rate / b.rate);
      console.log(`pair ${i + 1}: bare ${fmt(b.rate * REGISTERS)} reg/s (${fmt(b.cpuUsPerPoll, 1)} µs CPU/request), driver ${fmt(d.rate * REGISTERS)} reg/s (${fmt(d.cpuUsPerPoll, 1)} µs), × ${fmt(d.rate / b.rate, 2)}`);
    }
    for (let i = 0; i < RUNS; i++) {
      const paired = await bareLoop(server);
      viaService.push(await serviceThroughput(server, profile));
      serviceRatios.push(viaService[i]!.rate / paired.rate);
      isoHealthy.push(await isolation(server, small, false));
      isoDead.push(await isolation(server, small, true));
      console.log(`run ${i + 1}: service ${fmt(viaService[i]!.rate * REGISTERS)} reg/s (${fmt(viaService[i]!.cpuUsPerPoll, 1)} µs CPU/poll) (× ${fmt(serviceRatios[i]!, 2)} of the bare loop just before); healthy rate ${fmt(isoHealthy[i]!, 1)}/s, with a dead device ${fmt(isoDead[i]!, 1)}/s`);
    }
    const merged100 = await mergeGain(server.ports[0]!, profile, undefined, true);
    const single100 = await mergeGain(server.ports[0]!, profile, undefined, false);
    const mergedSdm = await mergeGain(server.ports[0]!, sdm, sdmReadings, true);
    const singleSdm = await mergeGain(server.ports[0]!, sdm, sdmReadings, false);
    const b = median(bare.map((f) => f.rate * REGISTERS));
    const d = median(viaDriver.map((f) => f.rate * REGISTERS));
    const bCpu = median(bare.map((f) => f.cpuUsPerPoll));
    const dCpu = median(viaDriver.map((f) => f.cpuUsPerPoll));
    const r = median(ratios);
    const s = median(viaService.map((f) => f.rate * REGISTERS));
    const sCpu = median(viaService.map((f) => f.cpuUsPerPoll));
    const sr = median(serviceRatios);
    const h = median(isoHealthy);
    const x = median(isoDead);
    const md = [
      "## device-modbus",
      "",
      `${machineLine()}. One pymodbus 3.0 TCP server (python3-pymodbus, one process) with ${DEVICES} listeners on 127.0.0.1, unit 1 holding 400 registers; client and server share the machine's cores (1-minute load average at the start: ${fmt(loadAtStart, 1)}). Runs of ${fmt(RUN_MS / 1000, 1)} s.`,
      "",
      `### Register throughput: ${DEVICES} devices × ${REGISTERS} registers, each on its own connection, polled as fast as they answer`,
      "",
      table(
        ["path", "registers/s", "× bare loop", "client CPU per request"],
        [
          [`bare modbus-serial loop: ${DEVICES} clients, readHoldingRegisters(0, ${REGISTERS}) back to back`, fmt(b), "1.00", `${fmt(bCpu, 1)} µs`],
          [`device-modbus driver: ModbusDriver.readValues of ${REGISTERS} Uint16 resources per device, back to back (plan, queue, decode, one value per resource)`, fmt(d), fmt(r, 2), `${fmt(dCpu, 1)} µs`],
          [`whole device service: AutoEvents every 100 µs (shorter than a poll, so back to back) reading a ${REGISTERS}-resource command, each poll an event of ${REGISTERS} readings on the in-process bus`, fmt(s), fmt(sr, 2), `${fmt(sCpu, 1)} µs (with core-metadata)`],
        ],
      ),
      "",
      `Bare loop and driver: median of ${PAIRS} back-to-back pairs (alternating order); "× bare loop" is the median of the pairs' ratios. Whole service: median of ${RUNS} runs, each against a bare loop run just before it (ratios from ${fmt(Math.min(...serviceRatios), 2)} to ${fmt(Math.max(...serviceRatios), 2)}). Target: ≥ 0.85 × the bare loop: ${r >= 0.85 ? "met" : "not met"} by the driver in this run (pairs from ${fmt(Math.min(...ratios), 2)} to ${fmt(Math.max(...ratios), 2)}), ${sr >= 0.85 ? "met" : "not met"} by the whole service. The client and the pymodbus server share the machine's 2 cores, so the rate follows the CPU each side spends per request: ${fmt(dCpu, 1)} µs of client CPU per request of ${REGISTERS} values through the driver, ${fmt(bCpu, 1)} µs in the bare loop, ${fmt(sCpu, 1)} µs per poll through the whole service (medians). The whole-service row adds the device SDK's per-reading work (a reading object with its id and text value, the event, the bus) and the scheduler, which are not Modbus-specific; the process also runs core-metadata.`,
      "",
      "### Merging gain (one device, polls back to back)",
      "",
      table(
        ["poll", "requests per poll", "time per poll", "requests per poll, merging off", "time per poll, merging off", "speed-up"],
        [
          [`${REGISTERS} contiguous Uint16 registers`, fmt(merged100.requests, 1), `${fmt(merged100.msPerPoll, 2)} ms`, fmt(single100.requests, 1), `${fmt(single100.msPerPoll, 2)} ms`, `${fmt(single100.msPerPoll / merged100.msPerPoll, 1)} ×`],
          [`Eastron SDM630 "Readings" (${sdmReadings.length} Float32 input registers with holes)`, fmt(mergedSdm.requests, 1), `${fmt(mergedSdm.msPerPoll, 2)} ms`, fmt(singleSdm.requests, 1), `${fmt(singleSdm.msPerPoll, 2)} ms`, `${fmt(singleSdm.msPerPoll / mergedSdm.msPerPoll, 1)} ×`],
        ],
      ),
      "",
      `### Isolation: ${DEVICES} devices, AutoEvents every 20 ms (10 registers), Timeout 1 s`,
      "",
      table(
        ["case", `AutoEvents/s per healthy device (${DEVICES - 1} devices)`, "× all healthy"],
        [
          [`all ${DEVICES} devices healthy`, fmt(h, 1), "1.00"],
          ["one device on a listener that accepts and never answers", fmt(x, 1), fmt(x / h, 2)],
        ],
      ),
      "",
      `Target: ≥ 0.95 × with one of 10 devices dead: ${x / h >= 0.95 ? "met" : "not met"} in this run.`,
    ].join("\n");
    writeSection("modbus", md);
    console.log(md);
  } finally {
    await server.stop();
  }
}
