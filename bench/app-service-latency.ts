/**
 * End-to-end latency of app-service's MQTT export with the link healthy (see bench/app-service.ts): events published
 * at a steady rate with `origin` = publish time, a subscriber on the broker taking receipt time − origin; the whole
 * app-service path against a bare mqtt.js publisher.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { MqttClient } from "mqtt";
import { InProcessBus } from "@brink/bus";
import { API_VERSION, eventSubject, nowNanos, stringifyJson, type AddEventRequest } from "@brink/contracts";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { appService } from "@brink/app-service";
import { connectClient, makeEvent, sleep } from "./app-service-events.js";
import { percentile } from "./report.js";

/** Events per second published. */
export const LATENCY_RATE = Number(process.env.BENCH_APP_LATENCY_RATE ?? 1000);
/** How long each run publishes, ms. */
export const LATENCY_MS = Number(process.env.BENCH_APP_LATENCY_MS ?? 10_000);

export interface LatencyFigure {
  readonly sent: number;
  readonly received: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Publishing rate achieved, events/s. */
  readonly rate: number;
  /** Delay of this process's event loop while publishing (timer lateness, 1 ms resolution), max, ms. */
  readonly loopDelayMax: number;
}

/** A QoS 1 subscriber that records receipt time − the payload's event origin, ms, for each message. */
async function latencySubscriber(url: string, filter: string): Promise<{ client: MqttClient; latencies: number[]; bad: number[] }> {
  const client = await connectClient(url, `bench-sub-${randomUUID().slice(0, 8)}`);
  const latencies: number[] = [];
  const bad: number[] = [];
  client.on("message", (_topic, payload) => {
    const now = nowNanos();
    // The event's origin comes before its readings in EdgeX JSON; an int64 number, read exactly.
    const m = /"origin":(\d+)/.exec(payload.toString("utf8"));
    if (m === null) bad.push(latencies.length);
    else latencies.push(Number(now - BigInt(m[1]!)) / 1e6);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, latencies, bad };
}

/**
 * Calls `publish(i)` LATENCY_RATE times a second for LATENCY_MS, on schedule; returns the count, the rate achieved and
 * the longest event-loop delay meanwhile.
 */
async function steady(publish: (i: number) => void): Promise<{ sent: number; rate: number; loopDelayMax: number }> {
  const total = Math.round((LATENCY_RATE * LATENCY_MS) / 1000);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let sent = 0;
  const t0 = performance.now();
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * LATENCY_RATE) / 1000) + 1);
      while (sent < due) publish(sent++);
      await sleep(1);
    }
  } finally {
    loop.disable();
  }
  return { sent, rate: sent / ((performance.now() - t0) / 1000), loopDelayMax: loop.max / 1e6 };
}

async function awaitCount(latencies: readonly number[], n: number, what: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (latencies.length < n) {
    if (performance.now() > deadline) throw new Error(`${what}: ${latencies.length} of ${n} events arrived within 60 s`);
    await sleep(20);
  }
  await sleep(200); // duplicates would show now
  if (latencies.length !== n) throw new Error(`${what}: ${latencies.length} messages for ${n} events sent`);
}

function latencyOf(latencies: readonly number[], run: { sent: number; rate: number; loopDelayMax: number }): LatencyFigure {
  const max = latencies.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
  return { sent: run.sent, received: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max, rate: run.rate, loopDelayMax: run.loopDelayMax };
}

/** Bare mqtt.js: each event written as JSON and published (QoS 1) at once, straight to the broker. */
export async function bareLatency(url: string): Promise<LatencyFigure> {
  const sub = await latencySubscriber(url, "bench/e2e-bare/#");
  const client = await connectClient(url, `bench-bare-pub-${randomUUID().slice(0, 8)}`);
  try {
    let failed: Error | undefined;
    const publishEvent = (i: number): void => {
      const event = makeEvent(i, nowNanos());
      client.publish(`bench/e2e-bare/${event.deviceName}`, stringifyJson(event), { qos: 1 }, (err) => void (err && (failed ??= err)));
    };
    for (let i = 0; i < 100; i++) publishEvent(i); // warm-up
    await awaitCount(sub.latencies, 100, "bare latency warm-up");
    sub.latencies.length = 0;
    const run = await steady(publishEvent);
    await awaitCount(sub.latencies, run.sent, "bare latency");
    if (failed !== undefined) throw failed;
    if (sub.bad.length > 0) throw new Error(`bare latency: ${sub.bad.length} messages without an origin`);
    return latencyOf(sub.latencies, run);
  } finally {
    await client.endAsync(true);
    await sub.client.endAsync(true);
  }
}

/** The whole app-service on an InProcessBus: pipeline ToEdgeXEvent → MqttExport (QoS 1); events published on the bus. */
export async function serviceLatency(url: string): Promise<LatencyFigure> {
  const bus = new InProcessBus();
  await bus.connect();
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-app-svc-"));
  let svc: RunningService | undefined;
  let sub: Awaited<ReturnType<typeof latencySubscriber>> | undefined;
  try {
    svc = await startService(appService, {
      bus,
      env: {},
      logger: createLogger({ name: "bench", level: "warn" }),
      overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "warn" }, dataDir, profiles: { fromMetadata: false } },
    });
    sub = await latencySubscriber(url, "bench/e2e-svc/#");
    const res = await fetch(`${svc.url}/api/v3/pipeline`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "bench",
        trigger: { type: "bus" },
        functions: [{ name: "ToEdgeXEvent" }, { name: "MqttExport", params: { url, topic: "bench/e2e-svc/{device}", qos: 1, target: "bench-e2e" } }],
      }),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`PUT /api/v3/pipeline: HTTP ${res.status}: ${await res.text()}`);
    let failed: unknown;
    const publishEvent = (i: number): void => {
      const event = makeEvent(i, nowNanos());
      const req: AddEventRequest = { apiVersion: API_VERSION, requestId: randomUUID(), event };
      bus.publish(eventSubject("bench-svc", event.profileName, event.deviceName, event.sourceName), req).catch((err: unknown) => (failed ??= err));
    };
    for (let i = 0; i < 100; i++) publishEvent(i); // warm-up, and waits for the forwarder's connection
    await awaitCount(sub.latencies, 100, "app-service latency warm-up");
    sub.latencies.length = 0;
    const run = await steady(publishEvent);
    await awaitCount(sub.latencies, run.sent, "app-service latency");
    if (failed !== undefined) throw failed;
    if (sub.bad.length > 0) throw new Error(`app-service latency: ${sub.bad.length} messages without an origin`);
    return latencyOf(sub.latencies, run);
  } finally {
    await sub?.client.endAsync(true);
    await svc?.stop();
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
