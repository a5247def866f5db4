/**
 * Measures what docs/deployment.md's sizing table reports, on this machine, with the compiled code (`npm run build`
 * first) run as the images run it (docker/entrypoint.sh and the bundle docker/bundle.mjs makes of the code): for each
 * service alone, its startup time (spawn to the first 200 on /api/v3/ping) and idle RSS and CPU;
 * then the whole distributed gateway of docker/compose.yml (every runnable service and nats-server) idle, and the
 * all-in-one `brink start`. Not a test: no figure is asserted. Run it with
 *
 *   node --conditions=brink-src --import tsx test/deploy/footprint.ts [runs=3] [idleSeconds=20]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, httpJson, startNatsServer, startProcess, waitFor, type ProcessHandle } from "../harness/index.js";
import { BRINK_BIN, REPO_ROOT, tempDataDir } from "../e2e/brink-process.js";
import { loadCompose } from "./compose.js";
import { ENTRYPOINT, ensureBundle, imageEnv, startLocalCompose } from "./local-compose.js";
import { EDGEX_PORTS, runnableServices } from "./services.js";

const RUNS = Number(process.argv[2] ?? 3);
const IDLE_S = Number(process.argv[3] ?? 20);
const CLK_TCK = 100;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Resident memory of one process from /proc/<pid>/smaps: anonymous (private) kB, and file-backed kB per file. */
function residency(pid: number): { anon: number; files: Map<string, number> } {
  let anon = 0;
  const files = new Map<string, number>();
  let path = "";
  let rss = 0;
  const close = (): void => {
    if (path.startsWith("/")) files.set(path, (files.get(path) ?? 0) + rss);
  };
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      path = header[1] ?? "";
      rss = 0;
      continue;
    }
    const m = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (!m) continue;
    if (m[1] === "Anonymous") {
      anon += Number(m[2]);
      rss -= Number(m[2]);
      close();
    } else rss = Number(m[2]);
  }
  return { anon, files };
}

/**
 * Resident memory of a set of processes with shared pages counted once, MiB: every process's anonymous memory, plus
 * the file-backed pages (the node executable, shared libraries, native modules) of each file once, at the largest
 * residency any process has of it.
 */
function distinctMiB(pids: number[]): { total: number; anon: number; shared: number } {
  let anon = 0;
  const shared = new Map<string, number>();
  for (const pid of pids) {
    const r = residency(pid);
    anon += r.anon;
    for (const [file, kb] of r.files) shared.set(file, Math.max(shared.get(file) ?? 0, kb));
  }
  const sharedKb = [...shared.values()].reduce((a, b) => a + b, 0);
  return { total: (anon + sharedKb) / 1024, anon: anon / 1024, shared: sharedKb / 1024 };
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Idle RSS and anonymous memory (MiB) after `IDLE_S` s, CPU (% of one core) over the last half of that time, of
 * every pid, and their memory with shared pages counted once.
 */
async function idle(pids: number[]): Promise<{ rss: number[]; anon: number[]; cpu: number[]; distinct: ReturnType<typeof distinctMiB> }> {
  await sleep((IDLE_S * 1000) / 2);
  const t0 = pids.map(cpuTicks);
  const start = Date.now();
  await sleep((IDLE_S * 1000) / 2);
  const seconds = (Date.now() - start) / 1000;
  return {
    rss: pids.map(rssMiB),
    anon: pids.map((pid) => residency(pid).anon / 1024),
    cpu: pids.map((pid, i) => ((cpuTicks(pid) - (t0[i] as number)) / CLK_TCK / seconds) * 100),
    distinct: distinctMiB(pids),
  };
}

async function pingReady(port: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await httpJson("GET", `http://127.0.0.1:${port}/api/v3/ping`)).status === 200, { timeoutMs, intervalMs: 5 });
}

async function alone(service: string, natsUrl: string, metadataUrl: string): Promise<{ startupMs: number; rss: number; anon: number; cpu: number }> {
  const port = await freePort();
  const env = {
    // As the image runs it (its entry point, NODE_OPTIONS, MALLOC_ARENA_MAX, ...), on loopback.
    ...imageEnv({ SERVICE: service }),
    BRINK_HOME: REPO_ROOT,
    BRINK_SERVICE_HOST: "127.0.0.1",
    BRINK_BUS_URL: natsUrl,
    BRINK_LOG_LEVEL: "warn",
    BRINK_DATA_DIR: tempDataDir(`brink-footprint-${service}-`),
    BRINK_CLIENTS_CORE_METADATA_URL: metadataUrl,
    [`BRINK_${service.toUpperCase().replace(/-/g, "_")}_SERVICE_PORT`]: String(port),
    ...(service === "core-data" ? { BRINK_CORE_DATA_INGEST_JETSTREAM_ENABLED: "true" } : {}),
    ...(service === "app-service" ? { BRINK_APP_SERVICE_JETSTREAM_ENABLED: "true" } : {}),
  };
  const started = performance.now();
  const p = await startProcess({ name: service, cmd: "/bin/sh", args: [ENTRYPOINT, "run", service], env, cwd: REPO_ROOT });
  try {
    await pingReady(port);
    const startupMs = performance.now() - started;
    const { rss, anon, cpu } = await idle([p.pid]);
    return { startupMs, rss: rss[0] as number, anon: anon[0] as number, cpu: cpu[0] as number };
  } finally {
    await p.stop();
  }
}

async function main(): Promise<void> {
  ensureBundle();
  const nats = await startNatsServer({ jetstream: true });
  const metadataPort = await freePort();
  const metadata = await startProcess({
    name: "core-metadata (for device services)",
    cmd: process.execPath,
    args: [BRINK_BIN, "run", "core-metadata"],
    env: { BRINK_BUS_URL: nats.url, BRINK_LOG_LEVEL: "warn", BRINK_DATA_DIR: tempDataDir(), BRINK_CORE_METADATA_SERVICE_PORT: String(metadataPort) },
    cwd: REPO_ROOT,
    readyWhen: { port: metadataPort },
  });
  const rows: string[] = ["| service | startup (ms) | idle RSS (MiB) | of which private (MiB) | idle CPU (% of a core) |", "|---|---:|---:|---:|---:|"];
  try {
    for (const service of runnableServices()) {
      const results: Awaited<ReturnType<typeof alone>>[] = [];
      for (let i = 0; i < RUNS; i++) results.push(await alone(service, nats.url, `http://127.0.0.1:${metadataPort}`));
      const m = (f: (r: (typeof results)[number]) => number, digits: number): string => median(results.map(f)).toFixed(digits);
      rows.push(`| ${service} | ${m((r) => r.startupMs, 0)} | ${m((r) => r.rss, 1)} | ${m((r) => r.anon, 1)} | ${m((r) => r.cpu, 2)} |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
  } finally {
    await metadata.stop();
    await nats.stop();
  }
  process.stdout.write(`\nEach service alone (\`brink run\` as the image runs it, median of ${RUNS} runs; idle ${IDLE_S} s):\n\n${rows.join("\n")}\n`);

  // The whole gateway of compose.yml, as the wiring test runs it.
  const compose = loadCompose(join(REPO_ROOT, "docker/compose.yml"), { BRINK_LOG_LEVEL: "warn", BRINK_GATEWAY: "footprint" });
  const brinkServices = Object.keys(compose.services).filter((s) => runnableServices().includes(s) && (compose.services[s]?.ports.length ?? 0) > 0);
  const defaults = brinkServices.filter((s) => (compose.services[s]?.profiles.length ?? 0) === 0);
  for (const [label, services] of [["default services (docker compose up)", defaults], ["every service (all profiles)", brinkServices]] as const) {
    const local = await startLocalCompose(compose, { services: ["nats", "nats-streams", ...services] });
    try {
      for (const s of services) await pingReady(local.port(s));
      const names = ["nats", ...services];
      const handles = names.map((n) => local.processes[n] as ProcessHandle);
      const { rss, anon, cpu, distinct } = await idle(handles.map((h) => h.pid));
      const total = rss.reduce((a, b) => a + b, 0);
      const cpuTotal = cpu.reduce((a, b) => a + b, 0);
      process.stdout.write(
        `\nWhole gateway, ${label}, idle ${IDLE_S} s: ${distinct.total.toFixed(0)} MiB resident with shared pages counted once ` +
          `(${distinct.anon.toFixed(0)} MiB private + ${distinct.shared.toFixed(0)} MiB shared executable and libraries); ` +
          `${total.toFixed(0)} MiB as a plain sum of RSS; ${cpuTotal.toFixed(1)} % of a core\n\n`,
      );
      process.stdout.write(`| process | RSS (MiB) | private (MiB) | CPU (% of a core) |\n|---|---:|---:|---:|\n`);
      names.forEach((n, i) => process.stdout.write(`| ${n} | ${(rss[i] as number).toFixed(1)} | ${(anon[i] as number).toFixed(1)} | ${(cpu[i] as number).toFixed(2)} |\n`));
    } finally {
      await local.stop();
    }
  }

  // All-in-one.
  const embedded = loadCompose(join(REPO_ROOT, "docker/compose.embedded.yml"), { BRINK_LOG_LEVEL: "warn" });
  const started = performance.now();
  const local = await startLocalCompose(embedded, { services: ["brink"] });
  try {
    await pingReady(local.ports.brink?.[EDGEX_PORTS["core-metadata"] as number] as number);
    for (const port of Object.values(local.ports.brink ?? {})) await pingReady(port).catch(() => undefined);
    const startupMs = performance.now() - started;
    const { rss, anon, cpu } = await idle([(local.processes.brink as ProcessHandle).pid]);
    process.stdout.write(
      `\nAll-in-one (\`brink start\`): ready in ${startupMs.toFixed(0)} ms, idle ${(rss[0] as number).toFixed(0)} MiB RSS (${(anon[0] as number).toFixed(0)} MiB private), ${(cpu[0] as number).toFixed(2)} % of a core\n`,
    );
  } finally {
    await local.stop();
  }
}

await main();
