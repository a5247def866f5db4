/**
 * The rules engine, embedded (every service in this process on the in-process bus, compiled code):
 * - reaction latency: device-modbus polls a temperature register of a loopback pymodbus server; the bench moves the
 *   register across a threshold and measures from the moment the crossing reading is published on the bus to the
 *   moment the rule's write of a coil is acknowledged by device-modbus (written to pymodbus and answered). The poll
 *   interval is not counted. Baseline: a bare modbus-serial coil write to the same server.
 * - CPU: 100 rules over 1,000 devices at 50,000 readings/s (5,000 events of 10 readings), reading evaluations per
 *   second from the engine's /metrics. CPU of this process by process.cpuUsage(), minus the same publisher feeding a
 *   no-op subscriber (the baseline), so the figure is the engine's. Also its capacity: readings/s published flat out.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import modbusSerial from "modbus-serial";
import { stringify } from "yaml";
import { ALL_EVENTS, API_VERSION, eventSubject, type AddEventRequest, type SimpleReading } from "@brink/contracts";
import { InProcessBus, type MessageBus } from "@brink/bus";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { deviceModbusService } from "@brink/device-modbus";
import { rulesEngineService } from "@brink/rules-engine";
import { startPymodbusServer } from "../test/harness/index.js";
import { fmt, machineLine, median, percentile, table, writeSection } from "./report.js";

const ModbusRTU = modbusSerial.default;
const LATENCY_SAMPLES = Number(process.env.BENCH_RULES_SAMPLES ?? 1000);
const WARMUP_SAMPLES = 20;
const POLL_INTERVAL = "5ms";
const DEVICES = 1000;
const RESOURCES = 10;
const RULES = 100;
const TARGET_READINGS_PER_SEC = 50_000;
const WARMUP_MS = 3000;
const MEASURE_MS = Number(process.env.BENCH_RULES_MEASURE_MS ?? 10_000);
const RUNS = 3;
const quiet = { port: 0, host: "127.0.0.1", logLevel: "silent" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- reaction latency -------------------------------------------------------------------------------------------

/** The bus the rules engine gets: the real one, noting when each request it sends leaves and is answered. */
function instrumented(bus: MessageBus, onSend: (subject: string) => void, onAck: (subject: string) => void): MessageBus {
  return new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop === "request") {
        return async (subject: string, payload: unknown, options?: object) => {
          onSend(subject);
          const reply: unknown = await target.request(subject, payload, options);
          onAck(subject);
          return reply;
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const BOILER_PROFILE = {
  name: "Bench-Rules-Boiler",
  manufacturer: "Brink",
  model: "bench",
  deviceResources: [
    { name: "temperature", attributes: { primaryTable: "HOLDING_REGISTERS", startingAddress: 0, rawType: "INT16" }, properties: { valueType: "Float32", readWrite: "R", scale: 0.1 } },
    { name: "fan", attributes: { primaryTable: "COILS", startingAddress: 0 }, properties: { valueType: "Bool", readWrite: "RW" } },
  ],
};

const LATENCY_RULES = [
  { name: "fan-on", source: { device: "boiler-1" }, when: "temperature > 80", actions: [{ type: "command", command: "fan", body: { fan: "true" } }] },
  { name: "fan-off", source: { device: "boiler-1" }, when: "temperature < 70", actions: [{ type: "command", command: "fan", body: { fan: "false" } }] },
];

interface Latency {
  /** Reading published -> write acknowledged, ms. */
  samples: number[];
  /** Reading published -> write request sent by the rules engine, ms. */
  engine: number[];
  /** Write request sent -> acknowledged by device-modbus, ms. */
  device: number[];
  /** Bare coil writes, ms. */
  raw: number[];
}

async function reactionLatency(): Promise<Latency> {
  const server = await startPymodbusServer({ units: { 1: { hr: { 0: [500] }, co: { 0: [0] } } } });
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-rules-latency-"));
  const bus = new InProcessBus();
  await bus.connect();
  const client = new ModbusRTU();
  const services: RunningService[] = [];
  try {
    await client.connectTCP("127.0.0.1", { port: server.ports[0]! });
    client.setID(1);
    // Baseline: a bare coil write, answered by the same server.
    const raw: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t0 = performance.now();
      await client.writeCoil(1, i % 2 === 0);
      raw.push(performance.now() - t0);
    }

    // The crossing reading: noted by a subscriber registered before any service, so it runs first on publish.
    let expecting: "high" | "low" | undefined;
    let publishedAt = 0;
    let sentAt = 0;
    let ackAt = 0;
    let acked: (() => void) | undefined;
    bus.subscribe<AddEventRequest>(ALL_EVENTS, (msg) => {
      if (expecting === undefined || publishedAt !== 0) return;
      const r = msg.envelope.payload.event.readings.find((x) => x.resourceName === "temperature") as SimpleReading | undefined;
      const t = Number(r?.value);
      if ((expecting === "high" && t > 80) || (expecting === "low" && t < 70)) publishedAt = performance.now();
    });
    const rulesBus = instrumented(
      bus,
      (subject) => {
        if (subject.endsWith(".fan.set") && publishedAt !== 0) sentAt = performance.now();
      },
      (subject) => {
        if (!subject.endsWith(".fan.set") || publishedAt === 0) return;
        ackAt = performance.now();
        acked?.();
      },
    );
    const profilesDir = join(dataDir, "profiles");
    const devicesDir = join(dataDir, "devices");
    mkdirSync(profilesDir);
    mkdirSync(devicesDir);
    writeFileSync(join(profilesDir, "boiler.yaml"), stringify(BOILER_PROFILE));
    writeFileSync(
      join(devicesDir, "boiler.yaml"),
      stringify({
        deviceList: [
          {
            name: "boiler-1",
            profileName: BOILER_PROFILE.name,
            protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: String(server.ports[0]), UnitID: "1", Timeout: "1s", IdleTimeout: "0" } },
            autoEvents: [{ interval: POLL_INTERVAL, onChange: false, sourceName: "temperature" }],
          },
        ],
      }),
    );
    const logger = createLogger({ name: "bench", level: "warn" });
    const start = async (def: Parameters<typeof startService>[0], b: MessageBus, overrides: Record<string, unknown>): Promise<RunningService> => {
      const s = await startService(def, { bus: b, env: {}, logger, overrides: { service: quiet, ...overrides } });
      services.push(s);
      return s;
    };
    const metadata = await start(coreMetadataService, bus, { dataDir: join(dataDir, "metadata") });
    const clients = { coreMetadataUrl: metadata.url };
    await start(deviceModbusService, bus, { clients, dataDir: join(dataDir, "modbus"), device: { profilesDir, devicesDir, metadataWaitMs: 0 } });
    const rules = await start(rulesEngineService, rulesBus, { clients, dataDir: join(dataDir, "rules") });
    const res = await fetch(`${rules.url}/api/v3/rule`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(LATENCY_RULES.map((rule) => ({ apiVersion: API_VERSION, rule }))),
    });
    if (res.status !== 207) throw new Error(`adding rules answered ${res.status}`);
    await sleep(500);

    const samples: number[] = [];
    const engine: number[] = [];
    const device: number[] = [];
    for (let i = 0; i < WARMUP_SAMPLES + LATENCY_SAMPLES; i++) {
      expecting = i % 2 === 0 ? "high" : "low";
      publishedAt = 0;
      const done = new Promise<void>((resolve) => (acked = resolve));
      await client.writeRegister(0, expecting === "high" ? 855 : 650);
      await Promise.race([done, sleep(2000).then(() => Promise.reject(new Error(`no write acknowledged for sample ${i}`)))]);
      if (i >= WARMUP_SAMPLES) {
        samples.push(ackAt - publishedAt);
        engine.push(sentAt - publishedAt);
        device.push(ackAt - sentAt);
      }
    }
    expecting = undefined;
    return { samples, engine, device, raw };
  } finally {
    for (const s of services.reverse()) await s.stop({ force: true });
    await bus.close();
    client.close(() => undefined);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- CPU at 50,000 readings/s -------------------------------------------------------------------------------------

/** 100 rules: rule i watches resource r(i % 10) of the 100 devices dev-<i / 10>xx, with a mix of conditions. */
function benchRules(): Record<string, unknown>[] {
  const alert = [{ type: "alert", severity: "MINOR" }];
  return Array.from({ length: RULES }, (_, i) => {
    const group = Math.floor(i / RESOURCES);
    const k = i % RESOURCES;
    const base = { name: `bench-${i}`, source: { device: `dev-${group}??` }, actions: i % 20 === 0 ? [...alert, { type: "notify", category: "bench", content: "${$device}" }] : alert };
    switch (k) {
      case 4:
      case 5:
        return { ...base, when: `avg(r${k}) > 90`, window: { type: "sliding", count: 10 } };
      case 6:
        return { ...base, when: "delta(r6) > 99.5" };
      case 7:
        return { ...base, when: "r7 > 99.9 and r8 < 0.5" };
      case 8:
        return { ...base, when: "r8 < 0.05", for: "1s" };
      case 9:
        return { ...base, when: "max(r9) - min(r9) > 99.99", window: { type: "sliding", duration: "1s" } };
      default:
        return { ...base, when: `r${k} > 99.9`, hysteresis: 1, cooldown: "5s" };
    }
  });
}

/** Events of 10 readings (r0..r9, uniform 0..100) of devices dev-000..dev-999, made before the clock starts. */
function makeEvents(count: number): { subject: string; payload: AddEventRequest }[] {
  const out: { subject: string; payload: AddEventRequest }[] = [];
  const origin = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < count; i++) {
    const device = `dev-${String(i % DEVICES).padStart(3, "0")}`;
    const readings: SimpleReading[] = [];
    for (let r = 0; r < RESOURCES; r++) {
      readings.push({ id: randomUUID(), origin, deviceName: device, resourceName: `r${r}`, profileName: "bench", valueType: "Float64", value: (Math.random() * 100).toExponential() });
    }
    out.push({ subject: eventSubject("bench-svc", "bench", device, "all"), payload: { apiVersion: API_VERSION, event: { apiVersion: API_VERSION, id: randomUUID(), deviceName: device, profileName: "bench", sourceName: "all", origin, readings } } });
  }
  return out;
}

/** Publishes at `readingsPerSec` (or flat out when 0) for `ms`; returns the readings published. */
async function publish(bus: MessageBus, events: { subject: string; payload: AddEventRequest }[], readingsPerSec: number, ms: number, from: { i: number }): Promise<number> {
  const t0 = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed >= ms) break;
    const due = readingsPerSec === 0 ? sent + 1000 * RESOURCES : Math.floor((elapsed / 1000) * readingsPerSec);
    while (sent < due) {
      const e = events[from.i++ % events.length]!;
      void bus.publish(e.subject, e.payload);
      sent += RESOURCES;
    }
    if (readingsPerSec === 0) await bus.flush();
    else await sleep(2);
  }
  await bus.flush();
  return sent;
}

interface CpuRun {
  /** CPU of the whole process while publishing at the target rate, % of one core. */
  total: number;
  /** The same publisher feeding a no-op subscriber. */
  baseline: number;
  readingsPerSec: number;
  evaluationsPerSec: number;
  firingsPerSec: number;
  /** Readings/s taken by the engine with the publisher flat out (one core for both). */
  capacity: number;
}

interface Counts {
  readings: number;
  evaluations: number;
  firings: number;
}

async function counts(url: string): Promise<Counts> {
  const text = await (await fetch(`${url}/api/v3/metrics`)).text();
  const lines = text.split("\n");
  const value = (name: string): number => Number(lines.find((l) => l.startsWith(`${name} `))?.split(" ")[1] ?? Number.NaN);
  const firings = lines.filter((l) => l.startsWith("brink_rules_firings_total{")).reduce((sum, l) => sum + Number(l.split(" ")[1]), 0);
  return { readings: value("brink_rules_readings_total"), evaluations: value("brink_rules_evaluations_total"), firings };
}

async function cpuRun(events: { subject: string; payload: AddEventRequest }[]): Promise<CpuRun> {
  const from = { i: 0 };
  /** Warms up, then publishes for MEASURE_MS and answers the process's CPU over that time, % of one core. */
  const measure = async (bus: MessageBus, readingsPerSec: number): Promise<{ cpu: number; seconds: number }> => {
    await publish(bus, events, readingsPerSec, WARMUP_MS, from);
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await publish(bus, events, readingsPerSec, MEASURE_MS, from);
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { cpu: ((c.user + c.system) / 1e6 / seconds) * 100, seconds };
  };

  // Baseline: the publisher alone, into a subscriber that does nothing.
  const baseBus = new InProcessBus();
  await baseBus.connect();
  baseBus.subscribe(ALL_EVENTS, () => undefined);
  const baseline = (await measure(baseBus, TARGET_READINGS_PER_SEC)).cpu;
  await baseBus.close();

  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-rules-cpu-"));
  const bus = new InProcessBus();
  await bus.connect();
  const rules = await startService(rulesEngineService, { bus, env: {}, logger: createLogger({ name: "bench", level: "warn" }), overrides: { service: quiet, dataDir } });
  try {
    const res = await fetch(`${rules.url}/api/v3/rule`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(benchRules().map((rule) => ({ apiVersion: API_VERSION, rule }))),
    });
    const answers = (await res.json()) as { statusCode: number }[];
    if (answers.some((a) => a.statusCode !== 201)) throw new Error(`adding rules: ${JSON.stringify(answers.filter((a) => a.statusCode !== 201))}`);
    await publish(bus, events, TARGET_READINGS_PER_SEC, WARMUP_MS, from);
    const before = await counts(rules.url);
    const run = await measure(bus, TARGET_READINGS_PER_SEC);
    const after = await counts(rules.url);
    // The counts span the measure's warm-up as well as its measured time.
    const seconds = run.seconds + WARMUP_MS / 1000;
    const flat0 = await counts(rules.url);
    const tf = performance.now();
    await publish(bus, events, 0, 3000, from);
    const flatSeconds = (performance.now() - tf) / 1000;
    const flat1 = await counts(rules.url);
    return {
      total: run.cpu,
      baseline,
      readingsPerSec: (after.readings - before.readings) / seconds,
      evaluationsPerSec: (after.evaluations - before.evaluations) / seconds,
      firingsPerSec: (after.firings - before.firings) / seconds,
      capacity: (flat1.readings - flat0.readings) / flatSeconds,
    };
  } finally {
    await rules.stop({ force: true });
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const load0 = loadavg()[0]!;
  const { samples, engine, device, raw } = await reactionLatency();
  const load1 = loadavg()[0]!;
  const p50 = percentile(samples, 50);
  const p99 = percentile(samples, 99);
  console.log(
    `reaction: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms, max ${fmt(Math.max(...samples), 2)} ms over ${samples.length} (engine p50 ${fmt(percentile(engine, 50), 3)} / p99 ${fmt(percentile(engine, 99), 3)} ms); bare coil write p50 ${fmt(percentile(raw, 50), 2)} / p99 ${fmt(percentile(raw, 99), 2)} ms; load ${fmt(load0, 1)} -> ${fmt(load1, 1)}`,
  );

  const events = makeEvents(20_000);
  const runs: CpuRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await cpuRun(events);
    runs.push(r);
    console.log(
      `cpu run ${i + 1}: total ${fmt(r.total, 1)}%, publisher alone ${fmt(r.baseline, 1)}%, engine ${fmt(r.total - r.baseline, 1)}% of one core; ${fmt(r.readingsPerSec)} readings/s, ${fmt(r.evaluationsPerSec)} evaluations/s, ${fmt(r.firingsPerSec, 1)} firings/s; flat out ${fmt(r.capacity)} readings/s`,
    );
  }
  const m = (f: (r: CpuRun) => number): number => median(runs.map(f));
  const engineCpu = m((r) => r.total - r.baseline);
  const md = [
    "## Rules engine",
    "",
    `${machineLine()}. Embedded: every service in one process on the in-process bus, compiled code.`,
    "",
    `Reaction latency (load average of the machine, shared with other work: ${fmt(load0, 1)} before, ${fmt(load1, 1)} after, on ${cpus().length} cores): device-modbus polls a temperature register of a loopback pymodbus server every ${POLL_INTERVAL}; the bench moves the register across a threshold (${LATENCY_SAMPLES} crossings, ${WARMUP_SAMPLES} more as warm-up, alternating up and down) and measures from the publication of the first reading past the threshold on the bus to the acknowledgement of the rule's coil write by device-modbus (written to pymodbus and answered). The poll interval is not counted.`,
    "",
    table(
      ["path", "p50 ms", "p99 ms", "max ms"],
      [
        ["baseline: bare modbus-serial coil write to the same server", fmt(percentile(raw, 50), 2), fmt(percentile(raw, 99), 2), fmt(Math.max(...raw), 2)],
        ["reading published → rule → write acknowledged by device-modbus", fmt(p50, 2), fmt(p99, 2), fmt(Math.max(...samples), 2)],
        ["of which: reading published → write sent by the rules engine", fmt(percentile(engine, 50), 3), fmt(percentile(engine, 99), 3), fmt(Math.max(...engine), 3)],
        ["of which: write sent → acknowledged by device-modbus (pymodbus round trip included)", fmt(percentile(device, 50), 2), fmt(percentile(device, 99), 2), fmt(Math.max(...device), 2)],
      ],
    ),
    "",
    "Target: p50 ≤ 2 ms and p99 ≤ 10 ms.",
    "",
    `CPU: ${RULES} rules over ${fmt(DEVICES)} devices (each rule watches one of 10 resources of a group of 100 devices: thresholds with hysteresis and cooldown, sliding count and time windows, delta, two-resource conditions, \`for\`), fed ${fmt(TARGET_READINGS_PER_SEC)} readings/s as events of ${RESOURCES} readings with uniform random values (so alarms are rare, as in a plant). CPU of the whole process over ${MEASURE_MS / 1000} s by process.cpuUsage(), minus the same publisher feeding a no-op subscriber; median of ${RUNS} runs. Capacity: readings/s the engine took with the publisher flat out on the same core.`,
    "",
    table(
      ["figure", "value"],
      [
        ["readings/s taken", fmt(m((r) => r.readingsPerSec))],
        ["evaluations/s", fmt(m((r) => r.evaluationsPerSec))],
        ["firings/s", fmt(m((r) => r.firingsPerSec), 1)],
        ["CPU, whole process, % of one core", fmt(m((r) => r.total), 1)],
        ["CPU, publisher alone (baseline), % of one core", fmt(m((r) => r.baseline), 1)],
        ["**CPU of the rules engine, % of one core**", `**${fmt(engineCpu, 1)}**`],
        ["capacity, readings/s (publisher and engine on one core)", fmt(m((r) => r.capacity))],
      ],
    ),
    "",
    "Target: under 50 % of one core at 50,000 readings/s.",
  ].join("\n");
  writeSection("rules", md);
  console.log(md);
}
