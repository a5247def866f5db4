/**
 * Test helpers for the export functions: a function environment over a real SqliteOutbox and SecretStore, EdgeX
 * events, and pipeline contexts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import type { Registry } from "prom-client";
import type { Event, SimpleReading } from "@brink/contracts";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox.js";
import { SecretStore } from "../../src/secrets.js";
import type { FunctionEnvironment, PipelineContext } from "../../src/types.js";
import { memoryLogger, tempDir } from "../outbox/helpers.js";

/** A function environment over a started outbox in a temporary data directory. */
export interface TestEnv {
  readonly env: FunctionEnvironment;
  readonly outbox: SqliteOutbox;
  readonly dataDir: string;
  /** Writes a secret file under `<dataDir>/secrets`. */
  writeSecret(name: string, value: string): void;
  /** Stops the outbox and removes the directory. */
  close(): void;
}

/** Builds a {@link TestEnv}; the outbox registers its metrics in `registry` when given. */
export function testEnv(registry?: Registry): TestEnv {
  const tmp = tempDir("brink-export-");
  const outbox = new SqliteOutbox({ dataDir: tmp.dir, logger: memoryLogger(), ...(registry === undefined ? {} : { registry }) });
  outbox.start();
  const secrets = new SecretStore({ dataDir: tmp.dir, env: {} });
  const env: FunctionEnvironment = { logger: pino({ level: "silent" }), dataDir: tmp.dir, secret: secrets.secret, outbox };
  return {
    env,
    outbox,
    dataDir: tmp.dir,
    writeSecret: (name, value) => {
      mkdirSync(path.join(tmp.dir, "secrets"), { recursive: true });
      writeFileSync(path.join(tmp.dir, "secrets", name), `${value}\n`);
    },
    close: () => {
      outbox.stop();
      tmp.remove();
    },
  };
}

/** An event of `readings` Int32 readings, each holding `seq`, from `device`. */
export function event(device: string, seq: number, readings = 1, profile = "Meter", source = "Power"): Event {
  const origin = 1_700_000_000_000_000_000n + BigInt(seq);
  const list: SimpleReading[] = Array.from({ length: readings }, (_, i) => ({
    id: randomUUID(),
    origin,
    deviceName: device,
    resourceName: `r${i}`,
    profileName: profile,
    valueType: "Int32",
    value: String(seq),
  }));
  return { apiVersion: "v3", id: randomUUID(), deviceName: device, profileName: profile, sourceName: source, origin, readings: list };
}

/** A pipeline context as a bus trigger makes it. */
export function ctxOf(pipeline = "p1", trigger = "edgex.events.device.device-virtual.Meter.meter-1.Power"): PipelineContext {
  return { pipeline, correlationId: randomUUID(), trigger, logger: pino({ level: "silent" }), tags: {} };
}
