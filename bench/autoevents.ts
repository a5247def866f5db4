/**
 * AutoEvents at scale: 1,000 devices polled every 1 s by device-virtual, run alone on NATS beside core-metadata and
 * core-data (so its CPU is its own: scheduling, the command pipeline, readings, publishing). CPU from /proc over
 * 30 s, lateness p99 from the service's /metrics. Baseline in the same run: the same process with its 6 stock devices.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNatsServer } from "../test/harness/index.js";
import { portsFor } from "../test/e2e/brink-process.js";
import { cpuPercent, sleep, spawnBrink, stopChild, waitFor200 } from "./procs.js";
import { fmt, machineLine, table, writeSection } from "./report.js";

const DEVICES = Number(process.env.BENCH_AUTOEVENT_DEVICES ?? 1000);
const MEASURE_MS = 30_000;
const SERVICES = ["core-metadata", "core-data", "device-virtual"];
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

export async function run(): Promise<void> {
  const nats = await startNatsServer();
  const { ports, env } = await portsFor(SERVICES);
  const children: ChildProcess[] = [];
  try {
    for (const s of SERVICES) {
      children.push(spawnBrink(["run", s], { ...env, BRINK_BUS_URL: nats.url, BRINK_DATA_DIR: mkdtempSync(join(tmpdir(), `brink-bench-ae-${s}-`)) }));
      await waitFor200(`http://127.0.0.1:${ports[s]!}/api/v3/ping`);
    }
    const virtual = children[2]!;
    const dvUrl = `http://127.0.0.1:${ports["device-virtual"]}`;
    await sleep(3000);
    const baseline = await cpuPercent(virtual.pid!, 10_000);

    const batch = 100;
    for (let i = 0; i < DEVICES; i += batch) {
      const body = Array.from({ length: Math.min(batch, DEVICES - i) }, (_, j) => ({
        apiVersion: "v3",
        device: {
          name: `bench-ae-${i + j}`, serviceName: "device-virtual", profileName: "Random-Integer-Device", adminState: "UNLOCKED", operatingState: "UP",
          protocols: { other: { Address: `bench-${i + j}` } }, autoEvents: [{ interval: "1s", onChange: false, sourceName: "Int32" }],
        },
      }));
      const res = await fetch(`http://127.0.0.1:${ports["core-metadata"]}/api/v3/device`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (res.status !== 207) throw new Error(`adding devices answered ${res.status}`);
    }
    await sleep(5000); // every device scheduled and past its spread-out first run
    const runs0 = await metric(dvUrl, "brink_autoevent_runs_total");
    const cpu = await cpuPercent(virtual.pid!, MEASURE_MS);
    const runs1 = await metric(dvUrl, "brink_autoevent_runs_total");
    const p99 = await metric(dvUrl, "brink_autoevent_lateness_p99_ms");
    const max = await metric(dvUrl, "brink_autoevent_lateness_max_ms");
    const skipped = await metric(dvUrl, "brink_autoevent_skipped_total");
    const rate = (runs1 - runs0) / (MEASURE_MS / 1000);
    console.log(`autoevents: ${DEVICES} devices, ${fmt(rate)} runs/s, CPU ${fmt(cpu, 1)}% (baseline ${fmt(baseline, 1)}%), lateness p99 ${fmt(p99, 1)} ms, max ${fmt(max, 1)} ms, skipped ${skipped}`);
    const md = [
      "## AutoEvents at scale",
      "",
      `${machineLine()}. device-virtual run alone (\`brink run device-virtual\`, compiled) on nats-server beside core-metadata and core-data; ${fmt(DEVICES)} devices added over REST, each with an AutoEvent reading Int32 every 1 s (a full read: pipeline, reading, event published on NATS and stored by core-data). CPU of the device-virtual process over ${MEASURE_MS / 1000} s, from /proc.`,
      "",
      table(
        ["measure", "value", "baseline / target"],
        [
          ["AutoEvent runs per second", fmt(rate), `expected ${fmt(DEVICES)}`],
          ["CPU of device-virtual", `${fmt(cpu, 1)}% of one core`, `same process with its 6 stock devices: ${fmt(baseline, 1)}%; target < 25%`],
          ["lateness p99 (last 4,096 runs)", `${fmt(p99, 1)} ms`, "target ≤ 20 ms"],
          ["lateness max since start", `${fmt(max, 1)} ms`, ""],
          ["ticks skipped since start", fmt(skipped), "0 means none missed"],
        ],
      ),
    ].join("\n");
    writeSection("autoevents", md);
    console.log(md);
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    await nats.stop();
  }
}
