import { strict as assert } from "node:assert";
import { AppSdkErrorCode } from "../../src/errors.js";
import { PipelineRuntime } from "../../src/pipeline/runtime.js";
import type { PipelineContext, PipelineData, PipelineFunction } from "../../src/types.js";
import { ctxOf, silentLogger } from "../functions/helpers.js";

function runtimeOf(fns: PipelineFunction[], options: { exportFunctions?: Set<string>; maxInFlight?: number } = {}): PipelineRuntime {
  return new PipelineRuntime({
    definition: { name: "p", enabled: true, trigger: { type: "http" }, functions: fns.map((f) => ({ name: f.name, params: {} })) },
    functions: fns,
    logger: silentLogger,
    ...options,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records the order it is called in, optionally after an async delay that shrinks with the input. */
function recorder(name: string, calls: string[], delay?: (data: number) => number): PipelineFunction {
  return {
    name,
    process(_ctx, data) {
      calls.push(`${name}:${String(data)}`);
      const d = delay?.(data as unknown as number);
      if (d === undefined) return data;
      return sleep(d).then(() => data);
    },
  };
}

describe("PipelineRuntime", () => {
  it("calls each function in arrival order even when an earlier step is slower for earlier messages", async () => {
    const calls: string[] = [];
    const rt = runtimeOf([recorder("slow", calls, (n) => (5 - n) * 5), recorder("export", calls)]);
    await rt.start();
    await Promise.all([1, 2, 3, 4].map((n) => rt.run(ctxOf(), n as unknown as PipelineData)));
    assert.deepEqual(calls.filter((c) => c.startsWith("export")), ["export:1", "export:2", "export:3", "export:4"]);
    await rt.stop();
  });

  it("lets later messages start a slow step before earlier ones finish it", async () => {
    const calls: string[] = [];
    const slow: PipelineFunction = {
      name: "slow",
      async process(_ctx, data) {
        calls.push(`start:${String(data)}`);
        await sleep(20);
        calls.push(`done:${String(data)}`);
        return data;
      },
    };
    const rt = runtimeOf([slow]);
    await rt.start();
    await Promise.all([1, 2, 3].map((n) => rt.run(ctxOf(), n as unknown as PipelineData)));
    assert.deepEqual(calls.slice(0, 3), ["start:1", "start:2", "start:3"]);
    await rt.stop();
  });

  it("counts received, processed, filtered per function, errors and exported; an error does not stop it", async () => {
    const filter: PipelineFunction = { name: "Odd", process: (_c, d) => ((d as unknown as number) % 2 === 1 ? d : undefined) };
    const fail: PipelineFunction = {
      name: "FailOn5",
      process(_c, d) {
        if ((d as unknown as number) === 5) throw new Error("five");
        return d;
      },
    };
    const exp: PipelineFunction = { name: "MqttExport", process: (_c, d) => d };
    const rt = runtimeOf([filter, fail, exp], { exportFunctions: new Set(["MqttExport"]) });
    await rt.start();
    const outcomes: string[] = [];
    for (let n = 1; n <= 9; n++) outcomes.push((await rt.run(ctxOf(), n as unknown as PipelineData)).outcome);
    assert.deepEqual(outcomes, ["completed", "filtered", "completed", "filtered", "error", "filtered", "completed", "filtered", "completed"]);
    const s = rt.status();
    assert.equal(s.received, 9);
    assert.equal(s.processed, 4);
    assert.equal(s.exported, 4);
    assert.equal(s.filtered, 4);
    assert.equal(s.errors, 1);
    assert.deepEqual(s.functions.map((f) => [f.name, f.filtered, f.errors]), [["Odd", 4, 0], ["FailOn5", 0, 1], ["MqttExport", 0, 0]]);
    assert.equal(s.lastError?.function, "FailOn5");
    assert.equal(s.lastError?.code, "INTERNAL");
    await rt.stop();
    assert.equal(rt.status().state, "stopped");
  });

  it("puts data emitted inside process() ahead of the message, and timer emits behind everything", async () => {
    let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;
    const births: PipelineFunction = {
      name: "Births",
      start(e) {
        emit = e;
      },
      process(ctx, data) {
        if (data === "first") {
          void emit!(ctx, "birth-1");
          void emit!(ctx, "birth-2");
        }
        return data;
      },
    };
    const calls: string[] = [];
    const rt = runtimeOf([recorder("slow", calls, () => 10), births, recorder("export", calls)]);
    await rt.start();
    const a = rt.run(ctxOf(), "zero" as PipelineData);
    const b = rt.run(ctxOf(), "first" as PipelineData);
    const c = rt.run(ctxOf(), "second" as PipelineData);
    await Promise.all([a, b, c]);
    await emit!(ctxOf(), "timer");
    assert.deepEqual(calls.filter((x) => x.startsWith("export")), ["export:zero", "export:birth-1", "export:birth-2", "export:first", "export:second", "export:timer"]);
    assert.equal(rt.status().emitted, 3);
    await rt.stop();
  });

  it("refuses messages past maxInFlight with PIPELINE_OVERLOADED and after stop with PIPELINE_STOPPED", async () => {
    const rt = runtimeOf([recorder("slow", [], () => 10)], { maxInFlight: 2 });
    await rt.start();
    const runs = [rt.run(ctxOf(), 1 as unknown as PipelineData), rt.run(ctxOf(), 2 as unknown as PipelineData)];
    await assert.rejects(rt.run(ctxOf(), 3 as unknown as PipelineData), (err: { code?: string }) => err.code === AppSdkErrorCode.PipelineOverloaded);
    await Promise.all(runs);
    assert.equal(rt.status().overloaded, 1);
    await rt.stop();
    await assert.rejects(rt.run(ctxOf(), 4 as unknown as PipelineData), (err: { code?: string }) => err.code === AppSdkErrorCode.PipelineStopped);
  });

  it("stops functions in order and lets what one emits on stop reach the ones after it", async () => {
    const calls: string[] = [];
    let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;
    const flushing: PipelineFunction = {
      name: "Flush",
      holds: true,
      start(e) {
        emit = e;
      },
      process: () => undefined,
      stop() {
        calls.push("stop:Flush");
        void emit!(ctxOf(), "flushed");
      },
    };
    const last: PipelineFunction = { ...recorder("export", calls, () => 5), stop: () => void calls.push("stop:export") };
    const rt = runtimeOf([flushing, last]);
    await rt.start();
    assert.equal((await rt.run(ctxOf(), "held" as PipelineData)).outcome, "held");
    await rt.stop();
    assert.deepEqual(calls, ["stop:Flush", "export:flushed", "stop:export"]);
    assert.equal(rt.status().held, 1);
  });
});
