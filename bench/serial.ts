/**
 * device-serial on a socat pty pair with the simulated instrument (test/harness/serial-instrument.ts) on the far end.
 * A pty ignores the baud rate, so these figures measure software overhead only.
 *
 * - Polled round trips (`01:READ?1` -> `01:VAL 1 21.5*hh`), one in flight: the baseline is a bare `serialport` on the
 *   same pty end in the same run (write the request, wait for the CRLF of the answer, no parsing); then SerialDriver
 *   alone (framing, checksum, regex, value); then the whole service (a bus command request as core-command sends
 *   it, through the SDK pipeline to an EdgeX event and back) with core-metadata, embedded on the in-process bus.
 * - Streaming: the instrument writes DATA lines back to back; the service frames them, checks their XOR checksum,
 *   reads three CSV fields and publishes one event per frame on the bus. Also measured: SerialDriver alone (values
 *   pushed to a counter, no runtime), and as the baseline the same lines read by a bare `serialport` (CRLF search).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { pino } from "pino";
import { InProcessBus } from "@brink/bus";
import { commandRequestSubject, eventSubject, parseProfile, type Device, type DeviceProfile, type OperatingState } from "@brink/contracts";
import type { CommandValue, DeviceServiceSdk } from "@brink/device-sdk";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { SerialDriver, SERIAL_PROFILES_DIR, deviceSerialService } from "@brink/device-serial";
import { readFileSync } from "node:fs";
import { startSerialInstrument, startSerialPair, waitFor, type SerialInstrument, type SerialPair } from "../test/harness/index.js";
import { fmt, machineLine, median, percentile, table, writeSection } from "./report.js";

const ROUND_TRIPS = Number(process.env.BENCH_SERIAL_ROUND_TRIPS ?? 4000);
const WARMUP = 50;
const BATCHES = 16;
const STREAM_FRAMES = Number(process.env.BENCH_SERIAL_FRAMES ?? 100_000);
const RUNS = 3;
const REQUEST = Buffer.from("01:READ?1\r\n", "latin1");
const SERIAL = { baudRate: 115200, unit: "01", checksum: "xor", checksumEncoding: "hex", checksumSeparator: "*", timeoutMs: 1000 };

interface Latency {
  rate: number;
  p50: number;
  p99: number;
}

/** Latencies and batch rates of one path over the batches of a run. */
class Sample {
  readonly latencies: number[] = [];
  readonly batchRates: number[] = [];
  /** Rate: the median of the batch rates, so a batch slowed by load from elsewhere on the machine does not decide it. */
  result(): Latency {
    return { rate: median(this.batchRates), p50: percentile(this.latencies, 50), p99: percentile(this.latencies, 99) };
  }
}

/** Times `n` sequential calls of `once` as one batch of `sample`. */
async function timed(sample: Sample, n: number, once: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    sample.latencies.push(performance.now() - t);
  }
  sample.batchRates.push(n / ((performance.now() - t0) / 1000));
}

/** Opens the pty end with a bare serialport, retrying while the service still holds it. */
async function openBare(path: string): Promise<SerialPort> {
  for (let attempt = 0; ; attempt++) {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
      return port;
    } catch (err) {
      if (attempt > 200) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function closeBare(port: SerialPort): Promise<void> {
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Bare serialport ping-pong: write the request, resolve at the CRLF of the answer. */
async function bareRoundTrips(path: string, sample: Sample, n: number): Promise<void> {
  const port = await openBare(path);
  let pending: (() => void) | undefined;
  let held: Buffer = Buffer.alloc(0);
  port.on("data", (chunk: Buffer) => {
    held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
    const end = held.indexOf("\r\n");
    if (end >= 0) {
      held = held.subarray(end + 2);
      pending?.();
    }
  });
  const once = () =>
    new Promise<void>((resolve) => {
      pending = resolve;
      port.write(REQUEST);
    });
  try {
    for (let i = 0; i < WARMUP; i++) await once();
    await timed(sample, n, once);
  } finally {
    await closeBare(port);
  }
}

/** Bare serialport reading a burst: counts CRLF-terminated lines, nothing else. */
async function bareStream(path: string, sim: SerialInstrument): Promise<number> {
  const port = await openBare(path);
  let lines = 0;
  let done: (() => void) | undefined;
  port.on("data", (chunk: Buffer) => {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
    if (lines >= STREAM_FRAMES) done?.();
  });
  try {
    const finished = new Promise<void>((resolve) => (done = resolve));
    const t0 = performance.now();
    await sim.burst(STREAM_FRAMES);
    await finished;
    return STREAM_FRAMES / ((performance.now() - t0) / 1000);
  } finally {
    await closeBare(port);
  }
}

/** A minimal SDK handle for SerialDriver alone: no runtime behind it; pushed values are only counted. */
function bareSdk(device: Device, profile: DeviceProfile, onPush: () => void = () => undefined): DeviceServiceSdk {
  return {
    serviceName: "bench",
    logger: pino({ level: "silent" }),
    driverConfig: { reopenInitialDelayMs: 10, reopenMaxDelayMs: 50 },
    dataDir: tmpdir(),
    devices: () => [device],
    device: () => device,
    profile: () => profile,
    pushValues: async (_d: string, _s: string, _v: readonly CommandValue[]) => onPush(),
    setOperatingState: async (_d: string, _s: OperatingState) => undefined,
  };
}

/** SerialDriver alone: framing, checksum, regex and value, no runtime. */
async function driverRoundTrips(device: Device, profile: DeviceProfile, sample: Sample, n: number): Promise<void> {
  const sdk = bareSdk(device, profile);
  const driver = new SerialDriver();
  driver.initialize(sdk);
  await driver.start();
  const resource = profile.deviceResources.find((r) => r.name === "Temperature")!;
  const request = { resourceName: "Temperature", attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource };
  // The service may still hold the port for a moment after its device was removed; the driver reopens it.
  await waitFor(() => driver.read(device, [request]).then(() => true, () => false), { timeoutMs: 10_000, message: "the driver reads" });
  try {
    for (let i = 0; i < WARMUP; i++) await driver.read(device, [request]);
    await timed(sample, n, () => driver.read(device, [request]));
  } finally {
    await driver.stop({ force: true });
  }
}

/** SerialDriver alone reading a burst: frames, checksums and three CSV fields per frame, values pushed to a counter. */
async function driverStream(device: Device, profile: DeviceProfile, sim: SerialInstrument): Promise<number> {
  let pushed = 0;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const driver = new SerialDriver();
  driver.initialize(bareSdk(device, profile, () => {
    if (++pushed === STREAM_FRAMES) done?.();
  }));
  await driver.start();
  const resource = profile.deviceResources.find((r) => r.name === "Counter")!;
  const request = { resourceName: "Counter", attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource };
  await waitFor(() => driver.read(device, [request]).then(() => true, () => false), { timeoutMs: 10_000, message: "the driver reads" });
  try {
    const t0 = performance.now();
    await sim.burst(STREAM_FRAMES);
    await finished;
    return STREAM_FRAMES / ((performance.now() - t0) / 1000);
  } finally {
    await driver.stop({ force: true });
  }
}

/** core-metadata and device-serial embedded on an InProcessBus; the device is added and removed over REST. */
class ServiceStack {
  private readonly dataDir = mkdtempSync(join(tmpdir(), "brink-bench-serial-"));
  private readonly running: RunningService[] = [];
  readonly bus = new InProcessBus();
  private metadataUrl = "";
  serialUrl = "";

  async start(): Promise<void> {
    await this.bus.connect();
    const overrides = { service: { port: 0, logLevel: "warn" }, dataDir: this.dataDir };
    const metadata = await startService(coreMetadataService, { bus: this.bus, env: {}, overrides });
    this.running.push(metadata);
    this.metadataUrl = metadata.url;
    const serial = await startService(deviceSerialService, { bus: this.bus, env: {}, overrides: { ...overrides, clients: { coreMetadataUrl: metadata.url } } });
    this.running.push(serial);
    this.serialUrl = serial.url;
  }

  /** Adds the device and waits until it answers. */
  async attach(path: string): Promise<void> {
    const device = { name: "sim-1", profileName: "Brink-Serial-Instrument", serviceName: "device-serial", adminState: "UNLOCKED", operatingState: "UP", protocols: { serial: { path, ...SERIAL } } };
    const res = await fetch(`${this.metadataUrl}/api/v3/device`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ apiVersion: "v3", device }]) });
    if (res.status !== 207) throw new Error(`adding the device: ${res.status} ${await res.text()}`);
    await waitFor(() => this.bus.request(COMMAND, {}, { timeoutMs: 1000 }).then(() => true, () => false), { timeoutMs: 10_000, message: "sim-1 answers" });
    // core-metadata writes its store (fsync) after the add, on the thread pool the serial port also uses: let it finish.
    await new Promise((r) => setTimeout(r, 300));
  }

  /** Removes the device, so the service closes the port. */
  async detach(): Promise<void> {
    await fetch(`${this.metadataUrl}/api/v3/device/name/sim-1`, { method: "DELETE" });
  }

  async stop(): Promise<void> {
    for (const s of this.running.reverse()) await s.stop();
    await this.bus.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const COMMAND = commandRequestSubject("device-serial", "sim-1", "Temperature", "get");

async function serviceRoundTrips(stack: ServiceStack, path: string, sample: Sample, n: number): Promise<void> {
  await stack.attach(path);
  try {
    for (let i = 0; i < WARMUP; i++) await stack.bus.request(COMMAND, {}, { timeoutMs: 2000 });
    await timed(sample, n, () => stack.bus.request(COMMAND, {}, { timeoutMs: 2000 }));
  } finally {
    await stack.detach();
  }
}

/** Frames/s of a burst through the service, as events counted on the bus; and the frames it dropped. */
async function serviceStream(stack: ServiceStack, path: string, sim: SerialInstrument): Promise<{ frames: number; dropped: number }> {
  await stack.attach(path);
  try {
    let events = 0;
    let done: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const sub = stack.bus.subscribe(eventSubject("device-serial", "Brink-Serial-Instrument", "sim-1", "Stream"), () => {
      if (++events === STREAM_FRAMES) done?.();
    });
    const t0 = performance.now();
    await sim.burst(STREAM_FRAMES);
    await Promise.race([finished, new Promise((_r, reject) => setTimeout(() => reject(new Error(`only ${events} of ${STREAM_FRAMES} events`)), 120_000))]);
    const frames = STREAM_FRAMES / ((performance.now() - t0) / 1000);
    sub.unsubscribe();
    const metrics = await (await fetch(`${stack.serialUrl}/api/v3/metrics`)).text();
    const dropped = [...metrics.matchAll(/^brink_serial_frames_dropped_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
    return { frames, dropped };
  } finally {
    await stack.detach();
  }
}

export async function run(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const profile = parseProfile(readFileSync(join(SERIAL_PROFILES_DIR, "brink.serial.instrument.yaml"), "utf8"));
  let pair: SerialPair | undefined;
  let sim: SerialInstrument | undefined;
  const bare: Latency[] = [];
  const driver: Latency[] = [];
  const commands: Latency[] = [];
  const streams: number[] = [];
  const driverStreams: number[] = [];
  const bareStreams: number[] = [];
  let dropped = 0;
  const perBatch = Math.ceil(ROUND_TRIPS / BATCHES);
  try {
    pair = await startSerialPair();
    sim = await startSerialInstrument({ path: pair.b, protocol: "sim", units: [1], checksum: true });
    const device: Device = { name: "sim-1", profileName: profile.name, serviceName: "bench", adminState: "UNLOCKED", operatingState: "UP", protocols: { serial: { path: pair.a, ...SERIAL } } };
    for (let i = 0; i < RUNS; i++) {
      const stack = new ServiceStack();
      await stack.start();
      try {
        const samples = { bare: new Sample(), driver: new Sample(), service: new Sample() };
        const a = pair.a;
        const paths = [
          () => bareRoundTrips(a, samples.bare, perBatch),
          () => driverRoundTrips(device, profile, samples.driver, perBatch),
          () => serviceRoundTrips(stack, a, samples.service, perBatch),
        ];
        // Interleaved batches, the order rotating, so load from elsewhere on the machine hits every path alike.
        for (let b = 0; b < BATCHES; b++) for (let k = 0; k < paths.length; k++) await paths[(b + k) % paths.length]!();
        const stream = await serviceStream(stack, a, sim);
        driverStreams.push(await driverStream(device, profile, sim));
        bareStreams.push(await bareStream(a, sim));
        bare.push(samples.bare.result());
        driver.push(samples.driver.result());
        commands.push(samples.service.result());
        streams.push(stream.frames);
        dropped += stream.dropped;
      } finally {
        await stack.stop();
      }
      console.log(
        `run ${i + 1}: bare ${fmt(bare[i]!.rate)} rt/s, driver ${fmt(driver[i]!.rate)} rt/s, service ${fmt(commands[i]!.rate)} rt/s; stream bare ${fmt(bareStreams[i]!)} lines/s, driver ${fmt(driverStreams[i]!)} frames/s, service ${fmt(streams[i]!)} frames/s`,
      );
    }
  } finally {
    await sim?.stop();
    await pair?.stop();
  }
  const med = (xs: Latency[], k: keyof Latency) => median(xs.map((x) => x[k]));
  const baseRate = med(bare, "rate");
  const row = (name: string, xs: Latency[]) => [name, fmt(med(xs, "rate")), fmt(med(xs, "rate") / baseRate, 2), `${fmt(med(xs, "p50"), 3)} ms`, `${fmt(med(xs, "p99"), 3)} ms`];
  const streamBare = median(bareStreams);
  const streamService = median(streams);
  const md = [
    "## device-serial on a socat pty pair",
    "",
    `${machineLine()}. The simulated instrument (a separate Node process) on the far end of a socat pty pair; a pty ignores the baud rate, so these are software figures. Median of ${RUNS} runs. Load average ${fmt(loadAtStart, 1)} at the start (other work shares the ${cpus().length} cores; the service rows, which need the most CPU per frame, suffer most from it).`,
    "",
    `Polled round trips \`01:READ?1\` → \`01:VAL 1 21.5*hh\`, one in flight, ${fmt(perBatch * BATCHES)} per path and run in ${BATCHES} interleaved batches (each after ${WARMUP} warm-up round trips); round trips/s is the median of the batch rates, p50/p99 over all round trips:`,
    "",
    table(
      ["path", "round trips/s", "× bare", "p50", "p99"],
      [
        row("bare serialport on the same pty end: write, wait for CRLF", bare),
        row("SerialDriver.read (framing, XOR checksum, regex, value)", driver),
        row("device-serial service: bus command request → SDK pipeline → EdgeX event → reply", commands),
      ],
    ),
    "",
    `Streaming: ${fmt(STREAM_FRAMES)} \`01:DATA,<seq>,<t>,<h>*hh\` lines written back to back by the instrument:`,
    "",
    table(
      ["path", "frames/s"],
      [
        ["bare serialport counting lines (no parsing)", fmt(streamBare)],
        ["SerialDriver alone: frame, XOR checksum, 3 CSV fields → values pushed to a counter", fmt(median(driverStreams))],
        ["device-serial service: the same → SDK pipeline → one EdgeX event of 3 readings per frame on the bus", fmt(streamService)],
      ],
    ),
    "",
    `Frames dropped by the service during the runs: ${dropped}.`,
    "",
    `Service × bare per run (each against the bare batches of the same run): ${commands.map((c, i) => fmt(c.rate / bare[i]!.rate, 2)).join(", ")}. The driver reads and writes the port on the event loop through the serialport binding's poller (docs/device-serial.md, Port I/O); the bare baseline is the \`serialport\` stream, which reads and writes on the thread pool.`,
    "",
    `Targets: polled round trips through device-serial ≥ 0.8 × the bare serialport ping-pong (${med(commands, "rate") / baseRate >= 0.8 ? "met" : "not met"} in this run); ≥ 20,000 streamed frames/s parsed into readings (${streamService >= 20_000 ? "met" : "not met"}).`,
  ].join("\n");
  writeSection("serial", md);
  console.log(md);
}
