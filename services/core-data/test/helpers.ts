import { randomUUID } from "node:crypto";
import http from "node:http";
import type { MessageBus } from "@brink/bus";
import { API_VERSION, parseJson, stringifyJson, type AddEventRequest, type Event } from "@brink/contracts";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { coreDataService } from "../src/index.js";

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** pino's number for warn. */
export const WARN = 40;

/** A core-data on a free port of 127.0.0.1 with its data under `dataDir`, logging into `logs`. */
export async function startCoreData(bus: MessageBus, dataDir: string, logs: LogLine[], custom: Record<string, unknown> = {}): Promise<RunningService> {
  const logger = createLogger({ level: "info", destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  return startService(coreDataService, {
    bus,
    env: {},
    logger,
    overrides: { service: { port: 0, host: "127.0.0.1" }, dataDir, ingest: { flushIntervalMs: 1 }, ...custom },
  });
}

/** An AddEventRequest of `count` Int32 readings, all at `origin`. */
export function addEventRequest(deviceName: string, origin: bigint, count = 2, names: { profile?: string; source?: string } = {}): AddEventRequest & { event: Event } {
  const profileName = names.profile ?? "prof";
  const readings = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    origin,
    deviceName,
    profileName,
    resourceName: `res${i}`,
    valueType: "Int32" as const,
    value: String(10 + i),
  }));
  return {
    apiVersion: API_VERSION,
    requestId: randomUUID(),
    event: { apiVersion: API_VERSION, id: randomUUID(), deviceName, profileName, sourceName: names.source ?? "src", origin, readings },
  };
}

/** The value of one sample of a Prometheus text exposition, or undefined. */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}

/**
 * GET with a JSON body, as EdgeX's device + time range reading query takes one (fetch refuses GET bodies).
 * Resolves with the status and the parsed JSON answer.
 */
export function getWithBody<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const data = Buffer.from(stringifyJson(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "GET", headers: { "content-type": "application/json", "content-length": data.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: parseJson<T>(Buffer.concat(chunks).toString("utf8")) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(data);
  });
}
