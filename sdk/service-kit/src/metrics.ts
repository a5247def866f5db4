/**
 * A service's Prometheus registry: default process metrics plus HTTP request counts and durations.
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

/** Creates a registry with default process metrics and the HTTP metrics. */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
