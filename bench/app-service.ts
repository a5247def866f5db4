/**
 * app-service's MQTT export against one mosquitto 2 on 127.0.0.1, QoS 1, EdgeX events of 10 readings written as
 * EdgeX JSON (the same payloads on every path), each figure against its baseline in the same run:
 * - forwarding throughput: a durable SqliteOutbox + Forwarder + MqttTarget, enqueuing and forwarding at once (each
 *   message committed to SQLite, published, acknowledged by PUBACK, deleted), against a bare mqtt.js QoS 1 publisher
 *   keeping 256 messages in flight; both count PUBACKs and must get one for every message; median of 3 back-to-back
 *   pairs, alternating which goes first;
 * - replay after an outage: messages queued in the outbox while the broker is stopped, then the broker is started
 *   again on the same port: drain rate and time from the restart until the outbox is empty, unpaced and at the
 *   default replay pace (one run each), against the bare publisher's rate of the first figure;
 * - end-to-end latency with the link healthy: the whole app-service in this process on an InProcessBus, a pipeline
 *   ToEdgeXEvent → MqttExport (QoS 1), events published on the bus at a steady rate with `origin` = publish time; a
 *   subscriber on the broker takes receipt time − origin; against a bare mqtt.js publisher sending the same events
 *   straight to the broker at the same rate.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { nowNanos, stringifyJson } from "@brink/contracts";
import {
  DEFAULT_MAX_IN_FLIGHT, DEFAULT_REPLAY_RATE_PER_SEC, Forwarder, META_CONTENT_TYPE, META_CORRELATION_ID, META_TOPIC, MqttTarget, SqliteOutbox,
  type ExportTarget, type OutboxLogger, type OutboxMessage,
} from "@brink/app-sdk";
import { startMosquitto, type Mosquitto } from "../test/harness/index.js";
import { DEVICES, READINGS_PER_EVENT, connectClient, makeEvent, sleep, within } from "./app-service-events.js";
import { LATENCY_MS, LATENCY_RATE, bareLatency, serviceLatency, type LatencyFigure } from "./app-service-latency.js";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const THROUGHPUT_MESSAGES = Number(process.env.BENCH_APP_MESSAGES ?? 20_000);
const WARM_UP_MESSAGES = 10_000;
const PAIRS = 3;
const BARE_IN_FLIGHT = 256;
const REPLAY_MESSAGES = Number(process.env.BENCH_APP_REPLAY ?? 100_000);
const LATENCY_RUNS = 3;
/** Back-off of the forwarder in the outage figure: short, so the reconnect does not hide the drain. */
const OUTAGE_BACKOFF = { initialMs: 100, maxMs: 500 };
/** The outbox must hold the whole backlog: 100,000 messages of 2.3 kB come close to the default limit of 256 MiB. */
const OUTBOX_MAX_BYTES = 2 * 2 ** 30;

/** Errors on stderr; the warnings of an expected outage (back-off) are not printed. */
const quietLogger: OutboxLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (obj, msg) => console.error(`bench: ${msg ?? ""} ${JSON.stringify(obj)}`),
};


/** Payloads (EdgeX event JSON, as ToEdgeXEvent writes it) reused round-robin by the throughput and replay figures. */
function payloads(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(stringifyJson(makeEvent(i, nowNanos())), "utf8"));
}

/** Meta as MqttExport stores it with each message: topic, content type, correlation id. */
function metaOf(i: number, topicPrefix: string): Record<string, string> {
  return { [META_CORRELATION_ID]: randomUUID(), [META_CONTENT_TYPE]: "application/json", [META_TOPIC]: `${topicPrefix}/bench-device-${i % DEVICES}` };
}


// ---------------------------------------------------------------------------------------------------------------
// Figure 1: throughput

/** Messages per second, and this process's CPU time per message (user + system, all threads), µs. */
interface RateFigure {
  readonly rate: number;
  readonly cpuUsPerMsg: number;
}

/** Times `work` (which handles `n` messages) and its CPU. */
async function timed(n: number, work: () => Promise<void>): Promise<RateFigure> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / n };
}

/** Bare mqtt.js: `n` QoS 1 publishes, at most BARE_IN_FLIGHT awaiting their PUBACK; msgs/s until the last PUBACK. */
async function bareThroughput(url: string, data: readonly Buffer[], n: number): Promise<RateFigure> {
  const client = await connectClient(url, `bench-bare-${randomUUID().slice(0, 8)}`);
  try {
    let next = 0;
    let acked = 0;
    let failed: Error | undefined;
    const figure = await timed(n, () => new Promise<void>((resolve, reject) => {
      const publishNext = (): void => {
        const i = next++;
        client.publish(`bench/bare/bench-device-${i % DEVICES}`, data[i % data.length]!, { qos: 1 }, (err) => {
          if (err) {
            failed ??= err;
            reject(err);
            return;
          }
          acked++;
          if (acked === n) resolve();
          else if (next < n) publishNext();
        });
      };
      for (let k = 0; k < Math.min(BARE_IN_FLIGHT, n); k++) publishNext();
    }));
    if (failed !== undefined || acked !== n) throw new Error(`bare publisher: ${acked} of ${n} acknowledged${failed ? `: ${failed.message}` : ""}`);
    return figure;
  } finally {
    await client.endAsync(true);
  }
}

/** An ExportTarget that counts what its MqttTarget acknowledged and when it (re)connected. */
class CountingTarget implements ExportTarget {
  readonly name: string;
  readonly batchSize: number | undefined;
  acked = 0;
  connects: number[] = [];
  private waiter: { n: number; resolve: () => void } | undefined;

  constructor(private readonly inner: MqttTarget) {
    this.name = inner.name;
    this.batchSize = inner.batchSize;
  }

  async connect(): Promise<void> {
    await this.inner.connect();
    this.connects.push(performance.now());
  }

  async send(messages: readonly OutboxMessage[]): Promise<number> {
    const n = await this.inner.send(messages);
    this.acked += n;
    if (this.waiter !== undefined && this.acked >= this.waiter.n) {
      this.waiter.resolve();
      this.waiter = undefined;
    }
    return n;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Resolves once `n` messages were acknowledged in all, on the next turn of the event loop: by then the forwarder has
   * taken the last acknowledgement (a few microtasks after the send settles) and acknowledged it in the outbox.
   */
  async ackedAtLeast(n: number): Promise<void> {
    if (this.acked < n) await new Promise<void>((resolve) => (this.waiter = { n, resolve }));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface BrinkPath {
  readonly outbox: SqliteOutbox;
  readonly forwarder: Forwarder;
  readonly target: CountingTarget;
  stop(): Promise<void>;
}

/** An outbox in a fresh directory and a forwarder draining target "bench" to the broker, connected. */
async function brinkPath(url: string, forwarder: { replayRatePerSec?: number; backoff?: typeof OUTAGE_BACKOFF } = {}): Promise<BrinkPath> {
  const dir = mkdtempSync(join(tmpdir(), "brink-bench-app-"));
  const outbox = new SqliteOutbox({ dataDir: dir, logger: quietLogger, defaultLimits: { maxBytes: OUTBOX_MAX_BYTES } });
  const target = new CountingTarget(new MqttTarget({ name: "bench", url, clientId: `bench-brink-${randomUUID().slice(0, 8)}`, qos: 1 }));
  let fwd: Forwarder | undefined;
  try {
    outbox.start();
    fwd = new Forwarder({ outbox, target, logger: quietLogger, ...forwarder });
    fwd.start();
    const deadline = performance.now() + 10_000;
    while (!fwd.status().connected) {
      if (performance.now() > deadline) throw new Error(`forwarder did not connect to ${url}: ${fwd.status().lastError?.message ?? fwd.status().state}`);
      await sleep(5);
    }
  } catch (err) {
    await fwd?.stop();
    outbox.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const started = fwd;
  return {
    outbox,
    forwarder: started,
    target,
    stop: async () => {
      await started.stop();
      outbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Enqueues `n` messages, `chunk` per commit, each chunk awaited (committed) before the next. */
async function enqueueAll(outbox: SqliteOutbox, data: readonly Buffer[], n: number, chunk: number, topicPrefix: string): Promise<void> {
  for (let i = 0; i < n; i += chunk) {
    const end = Math.min(n, i + chunk);
    const batch: Promise<void>[] = [];
    for (let k = i; k < end; k++) batch.push(outbox.enqueue("bench", data[k % data.length]!, metaOf(k, topicPrefix)));
    await Promise.all(batch);
  }
}

/** The Brink path: enqueue and forward at once; msgs/s from the first enqueue until the outbox is empty. */
async function brinkThroughput(url: string, data: readonly Buffer[], n: number): Promise<RateFigure> {
  const p = await brinkPath(url);
  try {
    const figure = await timed(n, async () => {
      const all = p.target.ackedAtLeast(n);
      await enqueueAll(p.outbox, data, n, BARE_IN_FLIGHT, "bench/brink");
      await within(all, 120_000, () => `brink path: ${p.target.acked} of ${n} acknowledged after 120 s`);
      p.outbox.flush(); // deletes the acknowledged rows now (else within 20 ms)
    });
    const s = p.forwarder.status();
    if (s.depth !== 0 || s.acked !== n || s.retries !== 0) throw new Error(`brink path: depth ${s.depth}, acked ${s.acked} of ${n}, retries ${s.retries}`);
    return figure;
  } finally {
    await p.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Figure 2: replay after an outage

interface ReplayFigure {
  /** From the broker's restart until the forwarder's reconnect, s. */
  readonly reconnectS: number;
  /** From the reconnect until the outbox is empty, s. */
  readonly drainS: number;
  /** From the broker's restart until the outbox is empty, s. */
  readonly totalS: number;
  /** Messages per second from the reconnect until the outbox is empty. */
  readonly rate: number;
  /** Time to queue the backlog while the broker was down, s. */
  readonly enqueueS: number;
}

async function replay(broker: Mosquitto, data: readonly Buffer[], n: number, replayRatePerSec: number): Promise<ReplayFigure> {
  const p = await brinkPath(broker.url, { replayRatePerSec, backoff: OUTAGE_BACKOFF });
  let brokerDown = false;
  try {
    await broker.pause();
    brokerDown = true;
    const e0 = performance.now();
    await enqueueAll(p.outbox, data, n, 1000, "bench/replay");
    const enqueueS = (performance.now() - e0) / 1000;
    const queued = p.outbox.stats("bench").depth;
    if (queued !== n) throw new Error(`replay: ${queued} of ${n} messages queued during the outage`);
    if (p.target.acked !== 0) throw new Error(`replay: ${p.target.acked} acknowledged while the broker was down`);
    const connectsBefore = p.target.connects.length;
    const all = p.target.ackedAtLeast(n);
    const t0 = performance.now();
    await broker.start();
    brokerDown = false;
    await within(all, 300_000, () => `replay: ${p.target.acked} of ${n} acknowledged 300 s after the restart`);
    p.outbox.flush();
    const t1 = performance.now();
    const s = p.forwarder.status();
    if (s.depth !== 0 || p.target.acked !== n) throw new Error(`replay: depth ${s.depth}, acked ${p.target.acked} of ${n}`);
    const reconnect = p.target.connects[connectsBefore];
    if (reconnect === undefined) throw new Error("replay: no reconnect recorded");
    return { reconnectS: (reconnect - t0) / 1000, drainS: (t1 - reconnect) / 1000, totalS: (t1 - t0) / 1000, rate: n / ((t1 - reconnect) / 1000), enqueueS };
  } finally {
    if (brokerDown) await broker.start();
    await p.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const data = payloads(1000);
  const payloadBytes = median(data.map((b) => b.byteLength));
  const broker = await startMosquitto();
  const bare: RateFigure[] = [];
  const brink: RateFigure[] = [];
  const ratios: number[] = [];
  const bareLat: LatencyFigure[] = [];
  const svcLat: LatencyFigure[] = [];
  let unpaced: ReplayFigure;
  let paced: ReplayFigure;
  try {
    // Warm-up of both paths (JIT, SQLite, connections).
    await bareThroughput(broker.url, data, WARM_UP_MESSAGES);
    await brinkThroughput(broker.url, data, WARM_UP_MESSAGES);
    for (let i = 0; i < PAIRS; i++) {
      const first = i % 2 === 0 ? await bareThroughput(broker.url, data, THROUGHPUT_MESSAGES) : await brinkThroughput(broker.url, data, THROUGHPUT_MESSAGES);
      const second = i % 2 === 0 ? await brinkThroughput(broker.url, data, THROUGHPUT_MESSAGES) : await bareThroughput(broker.url, data, THROUGHPUT_MESSAGES);
      const [b, o] = i % 2 === 0 ? [first, second] : [second, first];
      bare.push(b);
      brink.push(o);
      ratios.push(o.rate / b.rate);
      console.log(`pair ${i + 1}: bare ${fmt(b.rate)} msg/s (${fmt(b.cpuUsPerMsg, 1)} µs CPU/msg), outbox + forwarder ${fmt(o.rate)} msg/s (${fmt(o.cpuUsPerMsg, 1)} µs), × ${fmt(o.rate / b.rate, 2)}`);
    }

    unpaced = await replay(broker, data, REPLAY_MESSAGES, 0);
    console.log(`replay unpaced: ${fmt(REPLAY_MESSAGES)} queued in ${fmt(unpaced.enqueueS, 1)} s; reconnect after ${fmt(unpaced.reconnectS, 2)} s, drained at ${fmt(unpaced.rate)} msg/s, empty ${fmt(unpaced.totalS, 2)} s after the restart`);
    paced = await replay(broker, data, REPLAY_MESSAGES, DEFAULT_REPLAY_RATE_PER_SEC);
    console.log(`replay paced (${fmt(DEFAULT_REPLAY_RATE_PER_SEC)}/s): reconnect after ${fmt(paced.reconnectS, 2)} s, drained at ${fmt(paced.rate)} msg/s, empty ${fmt(paced.totalS, 2)} s after the restart`);

    // Latency runs alternate which path goes first.
    for (let i = 0; i < LATENCY_RUNS; i++) {
      for (const path of i % 2 === 0 ? ["bare", "svc"] : ["svc", "bare"]) {
        const f = path === "bare" ? await bareLatency(broker.url) : await serviceLatency(broker.url);
        (path === "bare" ? bareLat : svcLat).push(f);
        console.log(`latency run ${i + 1}, ${path === "bare" ? "bare" : "app-service"}: ${f.received}/${f.sent} at ${fmt(f.rate)}/s, p50 ${fmt(f.p50, 2)} ms, p99 ${fmt(f.p99, 2)} ms, max ${fmt(f.max, 1)} ms; event-loop delay max ${fmt(f.loopDelayMax, 1)} ms`);
      }
    }
  } finally {
    await broker.stop();
  }

  const b = median(bare.map((f) => f.rate));
  const o = median(brink.map((f) => f.rate));
  const bCpu = median(bare.map((f) => f.cpuUsPerMsg));
  const oCpu = median(brink.map((f) => f.cpuUsPerMsg));
  const r = median(ratios);
  const lat = (runs: readonly LatencyFigure[]) => ({
    sent: runs.reduce((n, f) => n + f.sent, 0),
    received: runs.reduce((n, f) => n + f.received, 0),
    p50: median(runs.map((f) => f.p50)),
    p99: median(runs.map((f) => f.p99)),
    p99s: runs.map((f) => f.p99),
    max: Math.max(...runs.map((f) => f.max)),
    loopDelayMax: Math.max(...runs.map((f) => f.loopDelayMax)),
  });
  const bl = lat(bareLat);
  const sl = lat(svcLat);
  const latRow = (what: string, l: ReturnType<typeof lat>) =>
    [what, fmt(l.sent), fmt(l.received), `${fmt(l.p50, 2)} ms`, `${fmt(l.p99, 2)} ms (${l.p99s.map((v) => fmt(v, 1)).join(", ")})`, `${fmt(l.max, 1)} ms`, `${fmt(l.loopDelayMax, 1)} ms`];
  const pacedOk = paced.rate <= DEFAULT_REPLAY_RATE_PER_SEC * 1.05 && paced.rate >= DEFAULT_REPLAY_RATE_PER_SEC * 0.85;
  const md = [
    "## app-service: export to MQTT",
    "",
    `${machineLine()}. One mosquitto 2 on 127.0.0.1, QoS 1, MQTT 3.1.1; publisher, Brink and broker share the machine's cores (1-minute load average at the start: ${fmt(loadAtStart, 1)}). Messages are EdgeX events of ${READINGS_PER_EVENT} Float64 readings written as EdgeX JSON (${fmt(payloadBytes)} bytes each), to ${DEVICES} topics.`,
    "",
    `### Forwarding throughput: ${fmt(THROUGHPUT_MESSAGES)} messages a run`,
    "",
    table(
      ["path", "messages/s", "readings/s", "× bare publisher", "CPU of this process per message"],
      [
        [`bare mqtt.js publisher, ${BARE_IN_FLIGHT} in flight, counted by PUBACK`, fmt(b), fmt(b * READINGS_PER_EVENT), "1.00", `${fmt(bCpu, 1)} µs`],
        [`SqliteOutbox + Forwarder + MqttTarget (defaults: ${DEFAULT_MAX_IN_FLIGHT} in flight, publish window 128), enqueuing and forwarding at once: each message committed to SQLite (commits of ${BARE_IN_FLIGHT}, one batch row each), read back, published, acknowledged by PUBACK, deleted with its batch`, fmt(o), fmt(o * READINGS_PER_EVENT), fmt(r, 2), `${fmt(oCpu, 1)} µs`],
      ],
    ),
    "",
    `Median of ${PAIRS} back-to-back pairs (alternating order) after a warm-up of ${fmt(WARM_UP_MESSAGES)} messages each; "× bare publisher" is the median of the pairs' ratios (from ${fmt(Math.min(...ratios), 2)} to ${fmt(Math.max(...ratios), 2)}). Every run checks that each message was acknowledged and, for the outbox, that it is empty with no retry. Target: ≥ 0.6 × the bare publisher: ${r >= 0.6 ? "met" : "not met"} in this run. The outbox path costs this process ${fmt(oCpu / bCpu, 1)} × the CPU per message of the bare publisher (last column, user + system time of all its threads): storing each commit as one batch row, reading it back and deleting it come on top of the same publishing work. Before the outbox stored batches (one row per message, 4 KiB pages) this path ran at 0.38 × with 2.7 × the CPU per message.`,
    "",
    `### Replay after an outage: ${fmt(REPLAY_MESSAGES)} messages queued while the broker is down`,
    "",
    table(
      ["replay", "drain rate", "× bare publisher above", "reconnect after the restart", "outbox empty after the restart"],
      [
        ["unpaced (`replayRatePerSec: 0`)", `${fmt(unpaced.rate)} msg/s`, fmt(unpaced.rate / b, 2), `${fmt(unpaced.reconnectS, 2)} s`, `${fmt(unpaced.totalS, 1)} s`],
        [`default pace (\`replayRatePerSec: ${DEFAULT_REPLAY_RATE_PER_SEC}\`)`, `${fmt(paced.rate)} msg/s`, fmt(paced.rate / b, 2), `${fmt(paced.reconnectS, 2)} s`, `${fmt(paced.totalS, 1)} s`],
      ],
    ),
    "",
    `One run each. The forwarder runs through the outage with a back-off of ${OUTAGE_BACKOFF.initialMs} ms doubling up to ${OUTAGE_BACKOFF.maxMs} ms, so it reconnects within ${OUTAGE_BACKOFF.maxMs} ms of the restart (the default back-off grows to 30 s, and the reconnect would wait for it); the backlog was queued in ${fmt(unpaced.enqueueS, 1)} s and ${fmt(paced.enqueueS, 1)} s (commits of 1,000; outbox limit raised to 2 GiB so that nothing is dropped). Drain rate: messages from the reconnect until the outbox is empty. Unpaced, the drain only reads, publishes and deletes (nothing is enqueued meanwhile): ${fmt(unpaced.rate / o, 2)} × the rate of enqueuing and forwarding at once above. Paced, the drain should run at about the pace (a first burst of a tenth of a second's worth, then the pace): ${pacedOk ? "it did" : "it did not"} in this run.`,
    "",
    `### End-to-end latency, link healthy: ${fmt(LATENCY_RATE)} events/s for ${fmt(LATENCY_MS / 1000)} s`,
    "",
    table(
      ["path", "events sent", "received", "p50", "p99 (each run)", "max", "longest event-loop delay while publishing"],
      [
        latRow("bare mqtt.js publisher: each event written as JSON and published at QoS 1 straight to the broker", bl),
        latRow("whole app-service in this process: event on the InProcessBus → pipeline ToEdgeXEvent → MqttExport (QoS 1) → outbox (SQLite commit) → forwarder → broker", sl),
      ],
    ),
    "",
    `${LATENCY_RUNS} runs of each path, alternating which goes first; p50 and p99 are medians of the runs', max is over all runs. Each event's \`origin\` is its publish time (ns); a QoS 1 subscriber on the broker, in the same process and on the same clock, takes receipt time − origin. Events go out on a schedule after 100 warm-up events; every event arrived exactly once on both paths (the counts are checked). The app-service path adds ${fmt(sl.p50 - bl.p50, 2)} ms at p50 and ${fmt(sl.p99 - bl.p99, 2)} ms at p99 to the bare publisher; its tail follows stalls of this process's event loop (last column: the longest lateness of a 1 ms timer, from garbage collection, SQLite work and other load on the machine), which hold up the pipeline, the forwarder and the subscriber alike.`,
  ].join("\n");
  writeSection("app-service", md);
  console.log(md);
}
