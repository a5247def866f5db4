import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import FakeTimers from "@sinonjs/fake-timers";
import type { Event, Reading, ValueType } from "@brink/contracts";
import { fromLong } from "../../src/functions/sparkplug/metrics.js";
import { decodeSparkplug, sparkplugB } from "../../src/functions/sparkplug/sparkplug-b.js";
import type { PipelineFunction } from "../../src/types.js";
import { ctxOf, eventOf, harness, reading, testEnv } from "./helpers.js";

interface Message {
  topic: string;
  seq: number | undefined;
  metrics: { name: string; type: string; value: unknown }[];
}

function decoded(topic: string | undefined, bytes: unknown): Message {
  const p = decodeSparkplug(bytes as Uint8Array);
  const seq = p.seq === undefined || p.seq === null ? undefined : Number(fromLong(p.seq, true));
  const metrics = (p.metrics ?? []).map((m) => ({ name: m.name ?? "", type: m.type, value: m.value }));
  return { topic: topic ?? "", seq, metrics };
}

describe("SparkplugB", () => {
  let dataDir: string;
  let clock: ReturnType<typeof FakeTimers.install> | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-spb-"));
  });
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function node(params: Record<string, unknown> = {}): Promise<{ fn: PipelineFunction; messages: () => Message[]; run: (e: Event) => Promise<void>; stop: () => Promise<void> }> {
    const fn = sparkplugB({ groupId: "plant", edgeNodeId: "gw1", ...params }, testEnv({ dataDir }));
    const { runtime, out } = await harness(fn);
    return {
      fn,
      messages: () => out.collected.map((d, i) => decoded(out.contexts[i]!.topic, d)),
      run: async (e) => {
        await runtime.run(ctxOf(), e);
      },
      stop: () => runtime.stop(),
    };
  }

  it("round-trips every EdgeX value type through encode and decode with its Sparkplug datatype", async () => {
    const cases: [ValueType, string, string, (v: unknown) => unknown][] = [
      ["Bool", "true", "Boolean", (v) => v],
      ["String", "hello", "String", (v) => v],
      ["Int8", "-5", "Int8", (v) => v],
      ["Int16", "-300", "Int16", (v) => v],
      ["Int32", "-70000", "Int32", (v) => v],
      ["Int64", "-9223372036854775808", "Int64", (v) => fromLong(v, false).toString()],
      ["Uint8", "255", "UInt8", (v) => v],
      ["Uint16", "65535", "UInt16", (v) => v],
      ["Uint32", "4294967295", "UInt32", (v) => fromLong(v, true).toString()],
      ["Uint64", "18446744073709551615", "UInt64", (v) => fromLong(v, true).toString()],
      ["Float32", "1.5e+00", "Float", (v) => v],
      ["Float64", "-2.25e+02", "Double", (v) => v],
      ["Float64Array", "[1.5, 2]", "String", (v) => v],
    ];
    const { run, messages, stop } = await node();
    const readings: Reading[] = cases.map(([t, v], i) => reading(`m${i}`, v, 1, { valueType: t }));
    await run(eventOf(...(readings as Parameters<typeof eventOf>)));
    await stop();
    const ddata = messages().find((m) => m.topic.includes("/DDATA/"))!;
    const expected: Record<string, unknown> = {
      Bool: true, String: "hello", Int8: -5, Int16: -300, Int32: -70000, Int64: "-9223372036854775808", Uint8: 255, Uint16: 65535,
      Uint32: "4294967295", Uint64: "18446744073709551615", Float32: 1.5, Float64: -225, Float64Array: "[1.5, 2]",
    };
    cases.forEach(([t, , spType, read], i) => {
      const m = ddata.metrics[i]!;
      assert.equal(m.name, `m${i}`);
      assert.equal(m.type, spType, t);
      assert.deepEqual(read(m.value), expected[t], t);
    });
  });

  it("emits NBIRTH and DBIRTH on first data, then DDATA, with seq from 0", async () => {
    const { run, messages, stop } = await node();
    await run(eventOf(reading("temp", "20", 1, { device: "d1" })));
    await run(eventOf(reading("temp", "21", 2, { device: "d1" })));
    await run(eventOf(reading("temp", "5", 2, { device: "d2" })));
    await run(eventOf(reading("temp", "22", 3, { device: "d1" }), reading("hum", "40", 3, { device: "d1" })));
    await stop();
    const m = messages();
    assert.deepEqual(
      m.map((x) => `${x.topic} seq=${x.seq ?? "-"}`),
      [
        "spBv1.0/plant/NBIRTH/gw1 seq=0",
        "spBv1.0/plant/DBIRTH/gw1/d1 seq=1",
        "spBv1.0/plant/DDATA/gw1/d1 seq=2",
        "spBv1.0/plant/DDATA/gw1/d1 seq=3",
        "spBv1.0/plant/DBIRTH/gw1/d2 seq=4",
        "spBv1.0/plant/DDATA/gw1/d2 seq=5",
        // a new metric (hum) makes the device born again with every metric it has
        "spBv1.0/plant/DBIRTH/gw1/d1 seq=6",
        "spBv1.0/plant/DDATA/gw1/d1 seq=7",
        "spBv1.0/plant/NDEATH/gw1 seq=-",
      ],
    );
    const nbirth = m[0]!;
    assert.deepEqual(nbirth.metrics.map((x) => x.name), ["bdSeq", "Node Control/Rebirth"]);
    const bdSeq = fromLong(nbirth.metrics[0]!.value, true);
    const ndeath = m[m.length - 1]!;
    assert.equal(fromLong(ndeath.metrics[0]!.value, true), bdSeq, "NDEATH carries the NBIRTH's bdSeq");
    assert.deepEqual(m[6]!.metrics.map((x) => `${x.name}=${String(x.value)}`), ["temp=22", "hum=40"]);
  });

  it("wraps seq after 255 and starts a new bdSeq for each session", async () => {
    const first = await node();
    for (let i = 0; i < 300; i++) await first.run(eventOf(reading("temp", String(i), i)));
    await first.stop();
    const seqs = first.messages().filter((x) => x.seq !== undefined).map((x) => x.seq!);
    assert.equal(seqs.length, 302);
    assert.deepEqual(seqs.slice(254, 259), [254, 255, 0, 1, 2]);
    const bd1 = fromLong(first.messages()[0]!.metrics[0]!.value, true);

    const second = await node();
    await second.run(eventOf(reading("temp", "1", 1)));
    await second.stop();
    assert.equal(fromLong(second.messages()[0]!.metrics[0]!.value, true), bd1 + 1n);
  });

  it("sends DDEATH for a device silent for deviceTimeout, and DBIRTH when it is back", async () => {
    clock = FakeTimers.install({ now: 0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { run, messages, stop } = await node({ deviceTimeout: "30s" });
    await run(eventOf(reading("temp", "1", 1, { device: "d1" })));
    await clock.tickAsync(20_000);
    await run(eventOf(reading("temp", "2", 21, { device: "d1" })));
    await clock.tickAsync(30_000);
    await run(eventOf(reading("temp", "3", 60, { device: "d1" })));
    await stop();
    assert.deepEqual(
      messages().map((x) => `${x.topic.split("/")[2]} ${x.seq ?? "-"}`),
      ["NBIRTH 0", "DBIRTH 1", "DDATA 2", "DDATA 3", "DDEATH 4", "DBIRTH 5", "DDATA 6", "NDEATH -"],
    );
  });

  it("rejects bad ids at load", () => {
    assert.throws(
      () => sparkplugB({ groupId: "a/b", deviceTimeout: "x" }, testEnv({ dataDir })),
      (err: { problems?: { path: string }[] }) => JSON.stringify(err.problems?.map((p) => p.path).sort()) === JSON.stringify(["deviceTimeout", "edgeNodeId", "groupId"]),
    );
  });
});
