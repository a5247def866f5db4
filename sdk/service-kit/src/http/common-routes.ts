/**
 * Routes every service answers: ping, version, config and metrics (EdgeX v3 DTO shapes; metrics as Prometheus text).
 */
import { Router, type Request, type Response } from "express";
import type { Registry } from "prom-client";
import { API_VERSION } from "@brink/contracts";
import type { ServiceConfig } from "../types.js";
import { sendJson } from "./respond.js";
import { scrapeMetrics } from "../metrics.js";

/** What the common routes report. */
export interface CommonRoutesOptions {
  readonly name: string;
  readonly version: string;
  readonly config: ServiceConfig<unknown>;
  readonly registry: Registry;
}

/** Shown instead of a secret in GET /api/v3/config. */
export const REDACTED = "<redacted>";

const SECRET_KEY = /(token|password|passwd|secret|apikey|api_key|privatekey|private_key|credential)/i;

/** A copy of the config with the API token and any key that looks like a secret replaced by {@link REDACTED}. */
export function redactConfig(value: unknown, key = ""): unknown {
  if (SECRET_KEY.test(key)) return value === undefined || value === "" || value === null ? value : REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactConfig(v));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactConfig(v, k);
    return out;
  }
  return value;
}

/** GET /api/v3/ping, /api/v3/version, /api/v3/config, /api/v3/metrics and /metrics. */
export function commonRoutes(options: CommonRoutesOptions): Router {
  const router = Router();
  router.get("/api/v3/ping", (_req, res) => {
    // EdgeX writes the timestamp in RFC 1123 form
    sendJson(res, 200, { apiVersion: API_VERSION, timestamp: new Date().toUTCString(), serviceName: options.name });
  });
  router.get("/api/v3/version", (_req, res) => {
    sendJson(res, 200, { apiVersion: API_VERSION, version: options.version, serviceName: options.name });
  });
  router.get("/api/v3/config", (_req, res) => {
    sendJson(res, 200, { apiVersion: API_VERSION, serviceName: options.name, config: redactConfig(options.config) });
  });
  const metrics = async (_req: Request, res: Response): Promise<void> => {
    const text = await scrapeMetrics(options.registry);
    res.status(200).setHeader("Content-Type", options.registry.contentType);
    res.send(text);
  };
  router.get("/api/v3/metrics", metrics);
  router.get("/metrics", metrics);
  return router;
}
