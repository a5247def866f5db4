/**
 * The health page's data: every service's ping (with its round-trip time), version and key metrics, and the
 * console's own bus connection.
 */
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import type { BusStats, BusStatus, MessageBus } from "@brink/bus";
import { HttpClient } from "@brink/service-kit";
import type { Peer, PeerDirectory, PeerKind } from "./peers.js";
import { parsePrometheus, sumOf, type Sample } from "./prometheus.js";

/** How long the health page waits for one service, ms. */
export const HEALTH_TIMEOUT_MS = 2000;
/** Brink metrics listed per service at most. */
export const MAX_LISTED_METRICS = 40;

/** Figures every Brink service exports. */
export interface KeyMetrics {
  readonly residentMemoryBytes?: number;
  readonly cpuSeconds?: number;
  readonly uptimeSeconds?: number;
  readonly eventLoopLagP99Seconds?: number;
  readonly httpRequests?: number;
}

/** One `brink_*` metric: its name, labels and value (summed over label sets that only differ in `le`). */
export interface ListedMetric {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The health of one service. */
export interface ServiceHealth {
  readonly name: string;
  readonly kind: PeerKind;
  readonly url: string;
  /** True when ping answered 200. */
  readonly up: boolean;
  readonly pingMs?: number;
  readonly version?: string;
  readonly metrics?: KeyMetrics;
  /** Brink's own metrics (readings stored, drops, outbox depth, firings, ...). */
  readonly brinkMetrics?: ListedMetric[];
  /** Why the service is down: the error code (such as SERVICE_UNREACHABLE). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The whole health answer. */
export interface HealthReport {
  readonly services: ServiceHealth[];
  readonly bus: { readonly kind: MessageBus["kind"]; readonly status: BusStatus; readonly stats: BusStats };
}

/** Picks the key figures out of a service's metrics text. */
export function keyMetricsOf(samples: readonly Sample[], nowSeconds: number): KeyMetrics {
  const start = sumOf(samples, "process_start_time_seconds");
  const out: Record<string, number> = {};
  const set = (key: keyof KeyMetrics, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) out[key] = value;
  };
  set("residentMemoryBytes", sumOf(samples, "process_resident_memory_bytes"));
  set("cpuSeconds", sumOf(samples, "process_cpu_seconds_total"));
  set("uptimeSeconds", start === undefined ? undefined : Math.max(0, nowSeconds - start));
  set("eventLoopLagP99Seconds", sumOf(samples, "nodejs_eventloop_lag_p99_seconds"));
  set("httpRequests", sumOf(samples, "brink_http_requests_total"));
  return out;
}

/** The `brink_*` samples other than the HTTP ones every service has, histogram buckets left out. */
export function brinkMetricsOf(samples: readonly Sample[]): ListedMetric[] {
  return samples
    .filter((s) => s.name.startsWith("brink_") && !s.name.startsWith("brink_http_") && !s.name.endsWith("_bucket"))
    .slice(0, MAX_LISTED_METRICS)
    .map((s) => ({ name: s.name, labels: s.labels, value: s.value }));
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return { code: typeof e?.code === "string" ? e.code : "INTERNAL", message: typeof e?.message === "string" ? e.message : String(err) };
}

/** Asks one service for its ping, version and metrics. */
export async function checkService(peer: Peer, apiToken: string | undefined, timeoutMs = HEALTH_TIMEOUT_MS): Promise<ServiceHealth> {
  const http = new HttpClient({ baseUrl: peer.url, timeoutMs, apiToken, peerName: peer.name });
  const base = { name: peer.name, kind: peer.kind, url: peer.url };
  const started = performance.now();
  try {
    await http.get("/api/v3/ping");
  } catch (err) {
    return { ...base, up: false, error: errorOf(err) };
  }
  const pingMs = Math.round((performance.now() - started) * 100) / 100;
  const [version, metricsText] = await Promise.all([
    http.get<{ version?: unknown }>("/api/v3/version").then((b) => (typeof b?.version === "string" ? b.version : undefined), () => undefined),
    fetchText(`${peer.url}/api/v3/metrics`, apiToken, timeoutMs),
  ]);
  const samples = metricsText === undefined ? [] : parsePrometheus(metricsText);
  return {
    ...base,
    up: true,
    pingMs,
    ...(version === undefined ? {} : { version }),
    ...(metricsText === undefined ? {} : { metrics: keyMetricsOf(samples, Date.now() / 1000), brinkMetrics: brinkMetricsOf(samples) }),
  };
}

/** GET as text on node:http (global fetch would load undici into the process for this alone). */
function fetchText(url: string, apiToken: string | undefined, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsGet : httpGet;
    const req = send(target, { headers: apiToken ? { Authorization: `Bearer ${apiToken}` } : {}, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
  });
}

/** Checks every known service at once. */
export async function healthReport(peers: PeerDirectory, bus: MessageBus, apiToken: string | undefined): Promise<HealthReport> {
  const all = await peers.all();
  const services = await Promise.all(all.map((p) => checkService(p, apiToken)));
  return { services, bus: { kind: bus.kind, status: bus.status(), stats: bus.stats() } };
}
