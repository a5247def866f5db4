/**
 * Command round trip: REST GET through core-command to device-virtual and back, embedded (`brink start`) and
 * distributed (four `brink run` processes on nats-server). Baseline in the same run: GET /api/v3/ping on the same
 * core-command (the HTTP floor, no command work). Latency with 1 request in flight; throughput with 16 clients.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "node:http";
import { startNatsServer } from "../test/harness/index.js";
import { EMBEDDED_ORDER } from "../services/brink/src/registry.js";
import { portsFor } from "../test/e2e/brink-process.js";
import { sleep, spawnBrink, stopChild } from "./procs.js";
import { fmt, machineLine, percentile, table, writeSection } from "./report.js";

const SERVICES = EMBEDDED_ORDER;
const LATENCY_REQUESTS = 3000;
const THROUGHPUT_MS = 5000;
const CONCURRENCY = 16;
const COMMAND = "/api/v3/device/name/Random-Integer-Device/Int16";

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** GET with a keep-alive agent; resolves with the status once the body is read. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function waitReady(base: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      if ((await get(base + COMMAND)) === 200) return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(`${base}${COMMAND} never answered 200`);
}

async function latencies(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const status = await get(url);
    if (status !== 200) throw new Error(`${url} answered ${status}`);
    out.push(performance.now() - t);
  }
  return out;
}

async function throughput(url: string): Promise<number> {
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        if ((await get(url)) === 200) done++;
      }
    }),
  );
  return done / (THROUGHPUT_MS / 1000);
}

interface Row { mode: string; p50: number; p99: number; pingP50: number; pingP99: number; rate: number; pingRate: number }

async function measure(mode: string, base: string): Promise<Row> {
  await latencies(base + COMMAND, 300); // warm-up
  const cmd = await latencies(base + COMMAND, LATENCY_REQUESTS);
  const ping = await latencies(base + "/api/v3/ping", LATENCY_REQUESTS);
  const rate = await throughput(base + COMMAND);
  const pingRate = await throughput(base + "/api/v3/ping");
  const row = { mode, p50: percentile(cmd, 50), p99: percentile(cmd, 99), pingP50: percentile(ping, 50), pingP99: percentile(ping, 99), rate, pingRate };
  console.log(`${mode}: p50 ${fmt(row.p50, 2)} ms p99 ${fmt(row.p99, 2)} ms, ${fmt(rate)} cmd/s (ping p50 ${fmt(row.pingP50, 2)} ms, ${fmt(pingRate)}/s)`);
  return row;
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  {
    const { ports, env } = await portsFor(SERVICES);
    const child = spawnBrink(["start"], { ...env, BRINK_DATA_DIR: mkdtempSync(join(tmpdir(), "brink-bench-cmd-")) });
    try {
      const base = `http://127.0.0.1:${ports["core-command"]}`;
      await waitReady(base);
      rows.push(await measure("embedded (`brink start`)", base));
    } finally {
      await stopChild(child);
    }
  }
  {
    const nats = await startNatsServer();
    const { ports, env } = await portsFor(SERVICES);
    const children: ChildProcess[] = [];
    try {
      for (const s of SERVICES) {
        children.push(spawnBrink(["run", s], { ...env, BRINK_BUS_URL: nats.url, BRINK_DATA_DIR: mkdtempSync(join(tmpdir(), `brink-bench-${s}-`)) }));
        await sleep(300);
      }
      const base = `http://127.0.0.1:${ports["core-command"]}`;
      await waitReady(base);
      rows.push(await measure(`distributed (${SERVICES.length} processes on nats-server)`, base));
    } finally {
      for (const c of children.reverse()) await stopChild(c);
      await nats.stop();
    }
  }
  const md = [
    "## Command round trip through core-command",
    "",
    `${machineLine()}. \`GET ${COMMAND}\` through core-command to device-virtual and back; latency over ${fmt(LATENCY_REQUESTS)} sequential requests, throughput with ${CONCURRENCY} concurrent keep-alive clients for ${THROUGHPUT_MS / 1000} s. Baseline: \`GET /api/v3/ping\` on the same core-command in the same run (HTTP alone, no command work). The load generator shares the 2 cores with Brink.`,
    "",
    table(
      ["mode", "command p50", "command p99", "ping p50 / p99", "commands/s (16 clients)", "ping/s (16 clients)"],
      rows.map((r) => [r.mode, `${fmt(r.p50, 2)} ms`, `${fmt(r.p99, 2)} ms`, `${fmt(r.pingP50, 2)} / ${fmt(r.pingP99, 2)} ms`, fmt(r.rate), fmt(r.pingRate)]),
    ),
    "",
    "Targets: p50 ≤ 2 ms and p99 ≤ 10 ms embedded; p99 ≤ 10 ms over NATS; ≥ 2,000 commands/s with 16 clients.",
  ].join("\n");
  writeSection("command", md);
  console.log(md);
}
