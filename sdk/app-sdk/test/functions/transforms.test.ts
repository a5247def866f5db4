import { strict as assert } from "node:assert";
import { ValidationError, parseJson, type Event } from "@brink/contracts";
import { AppSdkErrorCode } from "../../src/errors.js";
import { template } from "../../src/functions/transforms/template.js";
import { toEdgeXEvent } from "../../src/functions/transforms/to-edgex-event.js";
import { toFlatRecords, type FlatRecord } from "../../src/functions/transforms/to-flat-records.js";
import { ctxOf, eventOf, harness, reading, testEnv } from "./helpers.js";

const env = testEnv();
const ORIGIN = 1_700_000_000_123_456_789n;

function sample(): Event {
  const e = eventOf(
    reading("temp", "2.15e+01", 0, { units: "degC" }),
    reading("count", "9007199254740993", 0, { valueType: "Int64" }),
    reading("ok", "true", 0, { valueType: "Bool" }),
    reading("bad", "NaN", 0),
    reading("levels", "[1, 2, 3]", 0, { valueType: "Uint8Array" }),
    reading("name", "pump A", 0, { valueType: "String" }),
  );
  e.origin = ORIGIN;
  for (const r of e.readings) r.origin = ORIGIN;
  e.tags = { site: "north" };
  return e;
}

describe("ToEdgeXEvent", () => {
  it("writes EdgeX JSON with exact int64 origins and the context's tags", () => {
    const ctx = ctxOf({ line: "3" });
    const text = toEdgeXEvent({}, env).process(ctx, sample()) as string;
    assert.equal(ctx.contentType, "application/json");
    assert.match(text, /"origin":1700000000123456789[,}]/);
    const back = parseJson(text) as Event;
    assert.equal(back.origin, ORIGIN);
    assert.deepEqual(back.tags, { site: "north", line: "3" });
  });

  it("wraps in an AddEventRequest and writes lists as arrays", () => {
    const text = toEdgeXEvent({ format: "addEventRequest" }, env).process(ctxOf(), [sample(), sample()]) as string;
    const back = parseJson(text) as { apiVersion: string; requestId: string; event: Event }[];
    assert.equal(back.length, 2);
    assert.equal(back[0]!.apiVersion, "v3");
    assert.equal(back[0]!.requestId, "c-1");
    assert.equal(back[1]!.event.readings.length, 6);
  });
});

describe("ToFlatRecords", () => {
  it("writes one typed record per reading", () => {
    const records = toFlatRecords({}, env).process(ctxOf({ line: "3" }), sample()) as FlatRecord[];
    assert.deepEqual(
      records.map((r) => [r.resource, r.value]),
      [
        ["temp", 21.5],
        ["count", 9007199254740993n],
        ["ok", true],
        ["bad", "NaN"],
        ["levels", [1, 2, 3]],
        ["name", "pump A"],
      ],
    );
    assert.deepEqual(records[0], {
      device: "dev1",
      profile: "prof",
      source: "src",
      resource: "temp",
      value: 21.5,
      valueType: "Float64",
      origin: ORIGIN,
      units: "degC",
      tags: { site: "north", line: "3" },
    });
  });

  it("writes JSON or NDJSON text", () => {
    const ctx = ctxOf();
    const ndjson = toFlatRecords({ format: "ndjson" }, env).process(ctx, [sample(), sample()]) as string;
    assert.equal(ctx.contentType, "application/x-ndjson");
    const lines = ndjson.trimEnd().split("\n");
    assert.equal(lines.length, 12);
    assert.match(lines[1]!, /"value":9007199254740993,/);
    const json = toFlatRecords({ format: "json" }, env).process(ctxOf(), sample()) as string;
    assert.equal((parseJson(json) as unknown[]).length, 6);
  });
});

describe("Template", () => {
  it("reshapes an event with JSONata, int64 fields as exact strings", async () => {
    const fn = template({ expression: '{ "device": deviceName, "ts": origin, "ms": $floor($number(origin) / 1000000), "temp": readings[resourceName="temp"].$number(value) }' }, env);
    const ctx = ctxOf();
    const out = await fn.process(ctx, sample());
    assert.equal(ctx.contentType, "application/json");
    assert.deepEqual(JSON.parse(out as string), { device: "dev1", ts: "1700000000123456789", ms: 1700000000123, temp: 21.5 });
  });

  it("passes objects on with output object and text as is with output text", async () => {
    const obj = await template({ expression: "{ 'n': $count(readings) }", output: "object" }, env).process(ctxOf(), sample());
    assert.deepEqual(obj, { n: 6 });
    const text = await template({ expression: "deviceName & '/' & $pipeline", output: "text" }, env).process(ctxOf(), sample());
    assert.equal(text, "dev1/test");
  });

  it("stops a message the expression selects nothing from", async () => {
    const { runtime } = await harness(template({ expression: "readings[resourceName='absent']" }, env));
    const result = await runtime.run(ctxOf(), sample());
    assert.equal(result.outcome, "filtered");
    assert.equal(runtime.status().functions[0]!.filtered, 1);
  });

  it("rejects a syntax error at load, naming the position", () => {
    assert.throws(
      () => template({ expression: "readings[resourceName='temp'" }, env),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.code, AppSdkErrorCode.FunctionParamsInvalid);
        assert.equal(err.problems[0]!.path, "expression");
        assert.match(err.problems[0]!.message, /position 28/);
        return true;
      },
    );
    assert.throws(() => template({}, env), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "expression");
  });

  it("fails one message with TEMPLATE_FAILED when evaluation fails, and goes on", async () => {
    const { runtime, out } = await harness(template({ expression: "$number(deviceName) + 1" }, env));
    const bad = await runtime.run(ctxOf(), sample());
    assert.equal(bad.outcome, "error");
    assert.equal(bad.error?.code, AppSdkErrorCode.TemplateFailed);
    const e = sample();
    e.deviceName = "41";
    const good = await runtime.run(ctxOf(), e);
    assert.equal(good.outcome, "completed");
    assert.deepEqual(out.collected, ["42"]);
    assert.equal(runtime.status().errors, 1);
  });
});
