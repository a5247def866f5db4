/**
 * A service's Prometheus registry (HTTP request counts and durations, and what the service adds), and the process
 * metrics every service of the process shares.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestHandler } from "express";

/** Labels of the HTTP metrics. */
export type HttpMetricLabel = "method" | "route" | "status";

/** The registry of one service and its HTTP metrics. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** `brink_http_requests_total{method,route,status}` */
  readonly httpRequests: Counter<HttpMetricLabel>;
  /** `brink_http_request_duration_seconds{method,route,status}` */
  readonly httpDuration: Histogram<HttpMetricLabel>;
}

/** Route label of requests no route matched (keeps the label set small). */
export const UNMATCHED_ROUTE = "unmatched";

let processMetrics: Registry | undefined;

/**
 * The process metrics (CPU, memory, event-loop lag, GC, handles), one registry per process however many services it
 * runs: `brink start` runs seven, and each copy would keep its own event-loop-delay histogram (370 kB of native
 * memory apiece) counting the same loop.
 */
export function processRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/** The Prometheus text of a service: the process metrics and the service's own. */
export function scrapeMetrics(registry: Registry): Promise<string> {
  return Registry.merge([processRegistry(), registry]).metrics();
}

/** Creates a service's registry with the HTTP metrics; /metrics adds the process metrics (see {@link scrapeMetrics}). */
export function createServiceMetrics(): ServiceMetrics {
  processRegistry();
  const registry = new Registry();
  const httpRequests = new Counter<HttpMetricLabel>({
    name: "brink_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code.",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const httpDuration = new Histogram<HttpMetricLabel>({
    name: "brink_http_request_duration_seconds",
    help: "Time from request to response end, seconds, by method, route pattern and status code.",
    labelNames: ["method", "route", "status"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration };
}

/** Middleware that counts and times every answered request under its route pattern. */
export function httpMetricsMiddleware(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === "string" ? req.baseUrl + pattern : UNMATCHED_ROUTE;
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
