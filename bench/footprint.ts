/**
 * Footprint of `brink start`: time from spawn until every service answers ping, idle RSS, and RSS under an ingest
 * load (events POSTed to core-data over HTTP by 8 concurrent clients), against a bare Node process in the same run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { stringifyJson, nowNanos } from "@brink/contracts";
import { EMBEDDED_ORDER } from "../services/brink/src/registry.js";
import { portsFor } from "../test/e2e/brink-process.js";
import { rssMb, sleep, spawnBrink, stopChild } from "./procs.js";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const SERVICES = EMBEDDED_ORDER;
const RUNS = 3;

async function pingAll(ports: Record<string, number>): Promise<boolean> {
  try {
    const answers = await Promise.all(Object.values(ports).map((p) => fetch(`http://127.0.0.1:${p}/api/v3/ping`).then((r) => r.status)));
    return answers.every((s) => s === 200);
  } catch {
    return false;
  }
}

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await sleep(1000);
  const rss = rssMb(child.pid!);
  await stopChild(child);
  return rss;
}

async function loadFor(ms: number, coreDataPort: number, concurrency: number): Promise<number> {
  let readings = 0;
  const until = performance.now() + ms;
  const worker = async (w: number) => {
    let i = 0;
    while (performance.now() < until) {
      const device = `load-${w}`;
      const origin = nowNanos();
      const event = {
        apiVersion: "v3", id: randomUUID(), deviceName: device, profileName: "load", sourceName: "all", origin,
        readings: Array.from({ length: 10 }, (_, r) => ({ id: randomUUID(), origin, deviceName: device, resourceName: `r${r}`, profileName: "load", valueType: "Float64", value: String(i + r) })),
      };
      const res = await fetch(`http://127.0.0.1:${coreDataPort}/api/v3/event/load/${device}/all`, { method: "POST", headers: { "content-type": "application/json" }, body: stringifyJson({ apiVersion: "v3", event }) });
      await res.arrayBuffer();
      if (res.status === 201) readings += 10;
      i++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return readings / (ms / 1000);
}

async function once(): Promise<{ startupMs: number; idleMb: number; loadMb: number; loadRate: number }> {
  const { ports, env } = await portsFor(SERVICES);
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-footprint-"));
  const t0 = performance.now();
  const child = spawnBrink(["start"], { ...env, BRINK_DATA_DIR: dataDir });
  try {
    while (!(await pingAll(ports))) {
      if (child.exitCode !== null) throw new Error(`brink start exited with ${child.exitCode}`);
      if (performance.now() - t0 > 30_000) throw new Error("brink start did not answer pings in 30 s");
      await sleep(5);
    }
    const startupMs = performance.now() - t0;
    await sleep(5000);
    const idleMb = rssMb(child.pid!);
    let loadMb = 0;
    const sampler = setInterval(() => (loadMb = Math.max(loadMb, rssMb(child.pid!))), 200);
    const loadRate = await loadFor(5000, ports["core-data"]!, 8);
    clearInterval(sampler);
    return { startupMs, idleMb, loadMb, loadRate };
  } finally {
    await stopChild(child);
  }
}

export async function run(): Promise<void> {
  const bare = await bareNodeRss();
  const results: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    results.push(r);
    console.log(`run ${i + 1}: startup ${fmt(r.startupMs)} ms, idle ${fmt(r.idleMb, 1)} MB, under load ${fmt(r.loadMb, 1)} MB at ${fmt(r.loadRate)} readings/s`);
  }
  const m = (k: keyof (typeof results)[number]) => median(results.map((r) => r[k]));
  const md = [
    "## Footprint of `brink start`",
    "",
    `${machineLine()}. \`brink start\` (${SERVICES.join(", ")}; device-virtual's 6 devices polling), compiled JS, median of ${RUNS} runs.`,
    "",
    table(
      ["measure", "value", "baseline (same run)"],
      [
        ["startup: spawn until every service answers ping", `${fmt(m("startupMs"))} ms`, "target ≤ 1,500 ms"],
        ["idle RSS after 5 s", `${fmt(m("idleMb"), 1)} MB`, `bare \`node\`: ${fmt(bare, 1)} MB; target ≤ 90 MB`],
        ["RSS under load (8 HTTP clients POSTing events of 10 readings, 5 s)", `${fmt(m("loadMb"), 1)} MB`, `${fmt(m("loadRate"))} readings/s over HTTP`],
      ],
    ),
  ].join("\n");
  writeSection("footprint", md);
  console.log(md);
}
