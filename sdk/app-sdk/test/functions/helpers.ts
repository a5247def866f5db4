/**
 * Test helpers for pipeline functions: a silent environment, contexts, event builders, and a runner that drives a
 * function through a real PipelineRuntime with a collecting sink behind it.
 */
import { pino } from "pino";
import type { Event, SimpleReading, ValueType } from "@brink/contracts";
import { PipelineRuntime } from "../../src/pipeline/runtime.js";
import type { FunctionEnvironment, Outbox, PipelineContext, PipelineData, PipelineFunction } from "../../src/types.js";

export const silentLogger = pino({ level: "silent" });

const noOutbox: Outbox = {
  enqueue: () => Promise.reject(new Error("no outbox in this test")),
  peek: () => [],
  ack: () => undefined,
  deadLetter: () => undefined,
  stats: () => ({ depth: 0, bytes: 0, dropped: 0, deadLettered: 0 }),
};

/** A function environment with the given secrets and profile bounds. */
export function testEnv(options: { secrets?: Record<string, string>; dataDir?: string; profiles?: Record<string, { minimum?: number; maximum?: number }> } = {}): FunctionEnvironment {
  return {
    logger: silentLogger,
    dataDir: options.dataDir ?? "/nonexistent",
    outbox: noOutbox,
    secret(name) {
      const v = options.secrets?.[name];
      if (v === undefined) throw Object.assign(new Error(`secret ${name} not found`), { code: "SECRET_NOT_FOUND" });
      return v;
    },
    profileResource: (profile, resource) => options.profiles?.[`${profile}/${resource}`],
  };
}

/** A fresh context. */
export function ctxOf(tags: Record<string, string> = {}): PipelineContext {
  return { pipeline: "test", correlationId: "c-1", trigger: "test", logger: silentLogger, tags: { ...tags } };
}

let ids = 0;

/** A reading of `resource` at `originS` seconds (as ns). */
export function reading(resource: string, value: string, originS: number, options: { device?: string; valueType?: ValueType; units?: string } = {}): SimpleReading {
  const r: SimpleReading = {
    id: `r${++ids}`,
    origin: BigInt(Math.round(originS * 1000)) * 1_000_000n,
    deviceName: options.device ?? "dev1",
    profileName: "prof",
    resourceName: resource,
    valueType: (options.valueType ?? "Float64") as SimpleReading["valueType"],
    value,
  };
  if (options.units) r.units = options.units;
  return r;
}

/** An event holding `readings` (device and origin taken from the first one). */
export function eventOf(...readings: SimpleReading[]): Event {
  const first = readings[0]!;
  return { apiVersion: "v3", id: `e${++ids}`, deviceName: first.deviceName, profileName: first.profileName, sourceName: "src", origin: first.origin, readings };
}

/** One event of one Float64 reading per value, one second apart (NaN written as Go does). */
export function series(resource: string, values: readonly (number | string)[], options: { device?: string; startS?: number; stepS?: number; valueType?: ValueType } = {}): Event[] {
  return values.map((v, i) => eventOf(reading(resource, typeof v === "number" ? String(v) : v, (options.startS ?? 0) + i * (options.stepS ?? 1), options)));
}

/** The values of the readings of `resource` in what a sink collected. */
export function valuesOf(collected: readonly PipelineData[], resource?: string): string[] {
  const out: string[] = [];
  for (const d of collected) {
    const events = Array.isArray(d) ? (d as Event[]) : [d as Event];
    for (const e of events) for (const r of e.readings) if (resource === undefined || r.resourceName === resource) out.push((r as SimpleReading).value);
  }
  return out;
}

/** A function that records what reaches it. */
export function sink(): PipelineFunction & { readonly collected: PipelineData[]; readonly contexts: PipelineContext[] } {
  const collected: PipelineData[] = [];
  const contexts: PipelineContext[] = [];
  return {
    name: "Sink",
    collected,
    contexts,
    process(ctx, data) {
      collected.push(data);
      contexts.push(ctx);
      return data;
    },
  };
}

/** A started runtime of `fns` followed by a sink. */
export async function harness(...fns: PipelineFunction[]): Promise<{ runtime: PipelineRuntime; out: ReturnType<typeof sink> }> {
  const out = sink();
  const runtime = new PipelineRuntime({
    definition: { name: "test", enabled: true, trigger: { type: "http" }, functions: [...fns, out].map((f) => ({ name: f.name, params: {} })) },
    functions: [...fns, out],
    logger: silentLogger,
  });
  await runtime.start();
  return { runtime, out };
}

/** Runs each input through a fresh harness of `fn` and returns what reached the end. */
export async function runAll(fn: PipelineFunction, inputs: readonly PipelineData[]): Promise<PipelineData[]> {
  const { runtime, out } = await harness(fn);
  for (const input of inputs) await runtime.run(ctxOf(), input);
  await runtime.stop();
  return out.collected;
}
