/**
 * Test fixtures: a small service definition with routes that exercise the kit, a log sink, and a bus.
 */
import { Writable } from "node:stream";
import { InProcessBus } from "@brink/bus";
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";
import type { Router } from "express";
import {
  createLogger, parseLabels, parsePaging, pathParam, queryInt, readMultipartFile, sendJson, startService,
  type RunningService, type ServiceDefinition, type StartServiceOptions,
} from "../../src/index.js";

/** Collects log lines as parsed objects. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  /** Everything written, as text. */
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

/** What the test service records of its lifecycle. */
export interface Probe {
  started: number;
  stopped: number;
  stopForce: boolean | undefined;
  failStart: boolean;
}

export const TEST_SCHEMA = {
  type: "object",
  properties: {
    retention: {
      type: "object",
      description: "How long readings are kept.",
      properties: {
        maxAgeMs: { type: "integer", minimum: 0, default: 86_400_000, description: "Largest age, ms." },
        enabled: { type: "boolean", default: true, description: "Whether retention runs." },
      },
    },
  },
};

/** A service with routes that throw, echo bodies, write bigints and read uploads. */
export function testDefinition(probe: Probe, name = "core-data"): ServiceDefinition<{ retention: { maxAgeMs: number; enabled: boolean } }> {
  return {
    name,
    version: "1.2.3",
    defaultPort: 59880,
    configSchema: TEST_SCHEMA,
    create: () => ({
      routes(router: Router) {
        router.post("/api/v3/echo", (req, res) => sendJson(res, 200, { body: req.body as unknown, correlationId: res.locals.correlationId as string }));
        router.get("/api/v3/big", (_req, res) => sendJson(res, 200, { origin: 1692721935934211905n, list: [9007199254740993n] }));
        router.get("/api/v3/locked/:name", (req) => {
          throw new ServiceError(ErrorKind.ServiceLocked, ErrorCode.Locked, `device ${pathParam(req, "name")} is locked`, { details: { device: pathParam(req, "name") } });
        });
        router.get("/api/v3/async-fail", async () => {
          await new Promise((r) => setImmediate(r));
          throw new Error("boom");
        });
        router.get("/api/v3/paging", (req, res) => sendJson(res, 200, { ...parsePaging(req), labels: parseLabels(req), n: queryInt(req, "n", { min: 1, max: 10 }) ?? null }));
        router.post("/api/v3/upload", async (req, res) => sendJson(res, 200, await readMultipartFile(req)));
      },
      async start() {
        probe.started++;
        if (probe.failStart) throw new ServiceError(ErrorKind.Server, "TEST_START_FAILED", "start failed");
      },
      async stop(options) {
        probe.stopped++;
        probe.stopForce = options.force;
      },
    }),
  };
}

export function newProbe(): Probe {
  return { started: 0, stopped: 0, stopForce: undefined, failStart: false };
}

/** Starts the test service on a free port with a silent-ish logger. */
export async function startTestService(
  probe: Probe,
  options: Partial<StartServiceOptions> & { sink?: LogSink } = {},
): Promise<RunningService> {
  const sink = options.sink ?? new LogSink();
  return startService(testDefinition(probe), {
    bus: options.bus ?? new InProcessBus(),
    env: options.env ?? {},
    logger: options.logger ?? createLogger({ level: "debug", destination: sink }),
    overrides: { service: { port: 0 }, ...options.overrides },
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
  });
}
