/**
 * The web console: the size of its JavaScript as a browser downloads it (gzip), and the live chart's memory in
 * Debian's chromium while it holds 20 series updated 10 times a second each (200 readings/s) for 10 minutes
 * (BENCH_CONSOLE_MINUTES to change). Heap is read over CDP after forced GCs, once every 30 s; the figure that
 * matters is its trend once the chart's window is full (3000 rows of 100 ms: after 5 minutes) and stays full.
 */
import { gzipSync } from "node:zlib";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InProcessBus } from "@brink/bus";
import { API_VERSION, eventSubject, nowNanos, type AddEventRequest, type Reading } from "@brink/contracts";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "@brink/core-command";
import { DEFAULT_WEB_DIR, consoleService } from "@brink/console";
import { launchChromium } from "../test/console/browser.js";
import { sleep } from "./procs.js";
import { fmt, machineLine, table, writeSection } from "./report.js";

/** The budget the issue sets for the console's JavaScript, gzipped. */
const JS_BUDGET_KB = 250;
const SERIES = 20;
const UPDATES_PER_S = 10;
const MINUTES = Number(process.env.BENCH_CONSOLE_MINUTES ?? 10);
const SAMPLE_EVERY_MS = 30_000;
/** When the chart's window (3000 rows, one per 100 ms bucket) is full: from then on its data no longer grows. */
const WINDOW_FULL_MINUTES = 5;
const DEVICE = "Bench-Chart-Device";
const SERVICE = "bench-ds";

interface BundleSize {
  files: { name: string; rawKb: number; gzipKb: number }[];
  jsGzipKb: number;
}

/** Every JS and CSS file of the built bundle, raw and gzipped (level 9, as the console serves them). */
export function bundleSize(dir = DEFAULT_WEB_DIR): BundleSize {
  const assets = join(dir, "assets");
  const files = readdirSync(assets)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((name) => {
      const raw = readFileSync(join(assets, name));
      return { name, rawKb: raw.length / 1024, gzipKb: gzipSync(raw, { level: 9 }).length / 1024 };
    });
  if (files.length === 0) throw new Error(`no bundle in ${dir}: run npm run build`);
  return { files, jsGzipKb: files.filter((f) => f.name.endsWith(".js")).reduce((s, f) => s + f.gzipKb, 0) };
}

interface Sample {
  minute: number;
  heapMb: number;
  nodes: number;
  points: number;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (res.status !== 207) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function chartMemory(): Promise<{ samples: Sample[]; published: number; dropped: string }> {
  const bus = new InProcessBus();
  await bus.connect();
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-console-"));
  const logger = createLogger({ level: "warn" });
  const quiet = { port: 0, logLevel: "warn" };
  const services: RunningService[] = [];
  const browser = await launchChromium();
  try {
    const metadata = await startService(coreMetadataService, { bus, env: {}, logger, overrides: { service: quiet, dataDir } });
    services.push(metadata);
    const clients = { coreMetadataUrl: metadata.url };
    services.push(await startService(coreCommandService, { bus, env: {}, logger, overrides: { service: quiet, clients } }));
    const consoleSvc = await startService(consoleService, { bus, env: {}, logger, overrides: { service: quiet, clients: { ...clients, coreCommandUrl: services[1]!.url } } });
    services.push(consoleSvc);

    const resources = Array.from({ length: SERIES }, (_, i) => `S${String(i + 1).padStart(2, "0")}`);
    await post(`${metadata.url}/api/v3/deviceservice`, [{ apiVersion: API_VERSION, service: { name: SERVICE, baseAddress: "http://127.0.0.1:1", adminState: "UNLOCKED" } }]);
    await post(`${metadata.url}/api/v3/deviceprofile`, [
      { apiVersion: API_VERSION, profile: { name: DEVICE, deviceResources: resources.map((name) => ({ name, properties: { valueType: "Float64", readWrite: "R", units: "V" } })) } },
    ]);
    await post(`${metadata.url}/api/v3/device`, [
      { apiVersion: API_VERSION, device: { name: DEVICE, serviceName: SERVICE, profileName: DEVICE, adminState: "UNLOCKED", operatingState: "UP", protocols: { other: { a: "1" } } } },
    ]);

    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(`${consoleSvc.url}/#/devices/${DEVICE}`);
    await page.locator(".stream.live").waitFor();
    await page.locator("#live-chart").waitFor();

    // 20 resources, each its own event every 100 ms, as AutoEvents on 20 sources would publish them.
    let published = 0;
    let tick = 0;
    const timer = setInterval(() => {
      tick++;
      resources.forEach((resourceName, i) => {
        const origin = nowNanos();
        const reading: Reading = { origin, deviceName: DEVICE, profileName: DEVICE, resourceName, valueType: "Float64", value: (100 * Math.sin(tick / 20 + i) + i * 10).toExponential(6) };
        const event: AddEventRequest = { apiVersion: API_VERSION, event: { apiVersion: API_VERSION, id: `${tick}-${i}`, deviceName: DEVICE, profileName: DEVICE, sourceName: resourceName, origin, readings: [reading] } };
        bus.publish(eventSubject(SERVICE, DEVICE, DEVICE, resourceName), event).catch(() => undefined);
        published++;
      });
    }, 1000 / UPDATES_PER_S);

    const samples: Sample[] = [];
    const started = Date.now();
    const total = MINUTES * 60_000;
    try {
      for (let at = SAMPLE_EVERY_MS; at <= total; at += SAMPLE_EVERY_MS) {
        await sleep(started + at - Date.now());
        // Readings keep coming while we measure, so what a reading shows right after a GC includes a little fresh
        // garbage: the lowest of three is the retained heap.
        let heap = Number.POSITIVE_INFINITY;
        let nodes = 0;
        for (let k = 0; k < 3; k++) {
          await cdp.send("HeapProfiler.collectGarbage");
          const { metrics } = await cdp.send("Performance.getMetrics");
          const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
          heap = Math.min(heap, metric("JSHeapUsedSize"));
          nodes = metric("Nodes");
        }
        const points = Number((await page.locator("#live-chart").getAttribute("data-points")) ?? 0);
        const sample = { minute: at / 60_000, heapMb: heap / 2 ** 20, nodes, points };
        samples.push(sample);
        console.log(`console bench: ${sample.minute.toFixed(1)} min heap ${sample.heapMb.toFixed(2)} MB, ${sample.nodes} DOM nodes, ${points} points`);
      }
    } finally {
      clearInterval(timer);
    }
    const dropped = (await page.locator("h2 .warn").allInnerTexts()).join(" ");
    return { samples, published, dropped };
  } finally {
    await browser.close();
    for (const s of services.reverse()) await s.stop({ force: true });
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const size = bundleSize();
  console.log(`console bench: JS ${fmt(size.jsGzipKb, 1)} KB gzipped (budget ${JS_BUDGET_KB} KB)`);
  const { samples, published, dropped } = await chartMemory();
  const settled = samples.filter((s) => s.minute >= Math.min(WINDOW_FULL_MINUTES, MINUTES / 2));
  const first = settled[0] ?? samples[0]!;
  const last = samples.at(-1)!;
  const perMinute = slope(settled.map((s) => [s.minute, s.heapMb]));
  const lines = [
    `## Web console`,
    ``,
    machineLine(),
    ``,
    `### Bundle (what a browser downloads, gzip level 9 as the console serves it)`,
    ``,
    table(["file", "raw KB", "gzip KB"], size.files.map((f) => [f.name, fmt(f.rawKb, 1), fmt(f.gzipKb, 1)])),
    ``,
    `JavaScript, gzipped: **${fmt(size.jsGzipKb, 1)} KB** of a ${JS_BUDGET_KB} KB budget (Preact, uPlot and the console's own code).`,
    ``,
    `### Live chart memory in chromium`,
    ``,
    `${SERIES} series, each updated ${UPDATES_PER_S} times a second (one event per series every ${1000 / UPDATES_PER_S} ms, ${SERIES * UPDATES_PER_S} readings/s over the bus and the console's stream) for ${MINUTES} minutes; ${fmt(published)} readings published. JS heap every ${SAMPLE_EVERY_MS / 1000} s: the lowest of three readings, each right after a forced GC (CDP).`,
    ``,
    table(["minute", "JS heap MB", "DOM nodes", "points drawn"], samples.filter((_s, i) => i % 2 === 1 || i === 0).map((s) => [fmt(s.minute, 1), fmt(s.heapMb, 2), fmt(s.nodes), fmt(s.points)])),
    ``,
    `The chart's window (3000 rows of 100 ms) fills in the first ${WINDOW_FULL_MINUTES} minutes, so the heap grows that long; from then on it should not. Heap from minute ${fmt(first.minute, 1)} to ${fmt(last.minute, 1)}: ${fmt(first.heapMb, 2)} MB → ${fmt(last.heapMb, 2)} MB, peak ${fmt(Math.max(...samples.map((x) => x.heapMb)), 2)} MB; trend ${perMinute >= 0 ? "+" : ""}${fmt(perMinute * 1024, 1)} KB per minute (least squares over those samples). DOM nodes stay at ${fmt(Math.min(...samples.map((x) => x.nodes)))}–${fmt(Math.max(...samples.map((x) => x.nodes)))}.${dropped ? ` The page reported: ${dropped}.` : " No reading was dropped on the way."}`,
  ];
  writeSection("console", lines.join("\n"));
  if (size.jsGzipKb >= JS_BUDGET_KB) throw new Error(`the console's JS is ${fmt(size.jsGzipKb, 1)} KB gzipped, over the ${JS_BUDGET_KB} KB budget`);
}
