import { strict as assert } from "node:assert";
import { ValidationError } from "@brink/contracts";
import { AppSdkErrorCode } from "../../src/errors.js";
import { filterByDeviceName, filterByProfileName, filterByResourceName, filterBySourceName } from "../../src/functions/filters.js";
import { ctxOf, eventOf, reading, testEnv } from "./helpers.js";

const env = testEnv();

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, AppSdkErrorCode.FunctionParamsInvalid);
    return err.problems.map((p) => ({ path: p.path, message: p.message }));
  }
  assert.fail("expected a ValidationError");
}

describe("FilterByDeviceName", () => {
  const devices = ["dev1", "dev10", "dev2", "xdev1", "pump-7"];
  const cases: { params: Record<string, unknown>; kept: string[] }[] = [
    { params: { names: ["dev1"] }, kept: ["dev1"] },
    { params: { patterns: ["dev1"] }, kept: ["dev1"] },
    { params: { patterns: ["dev1.*"] }, kept: ["dev1", "dev10"] },
    { params: { patterns: ["dev\\d"] }, kept: ["dev1", "dev2"] },
    { params: { patterns: ["dev1|pump-.*"] }, kept: ["dev1", "pump-7"] },
    { params: { names: ["dev2"], patterns: ["pump-\\d+"] }, kept: ["dev2", "pump-7"] },
    { params: { names: ["dev1"], mode: "exclude" }, kept: ["dev10", "dev2", "xdev1", "pump-7"] },
    { params: { patterns: [".*dev1"], mode: "exclude" }, kept: ["dev10", "dev2", "pump-7"] },
  ];
  for (const { params, kept } of cases) {
    it(`anchors names and patterns: ${JSON.stringify(params)} keeps ${kept.join(", ")}`, () => {
      const fn = filterByDeviceName(params, env);
      const passed = devices.filter((d) => fn.process(ctxOf(), eventOf(reading("t", "1", 1, { device: d }))) !== undefined);
      assert.deepEqual(passed, kept);
    });
  }

  it("filters each event of a list and drops an emptied list", () => {
    const fn = filterByDeviceName({ names: ["dev1"] }, env);
    const a = eventOf(reading("t", "1", 1, { device: "dev1" }));
    const b = eventOf(reading("t", "1", 1, { device: "dev2" }));
    assert.deepEqual(fn.process(ctxOf(), [a, b]), [a]);
    assert.equal(fn.process(ctxOf(), [b]), undefined);
  });

  it("rejects a bad regex at load, naming the pattern's index, with every other problem", () => {
    const problems = problemsOf(() => filterByDeviceName({ patterns: ["ok", "dev(", "[z-a]"], mode: "sometimes", nmaes: ["x"] }, env));
    const paths = problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ["mode", "nmaes", "patterns[1]", "patterns[2]"]);
    assert.match(problems.find((p) => p.path === "patterns[1]")!.message, /invalid regex/);
  });

  it("requires names or patterns", () => {
    assert.deepEqual(problemsOf(() => filterByDeviceName({}, env)).map((p) => p.path), ["names"]);
    assert.deepEqual(problemsOf(() => filterByDeviceName({ names: [], patterns: [] }, env)).map((p) => p.path), ["names"]);
    assert.deepEqual(problemsOf(() => filterByDeviceName({ names: "dev1" }, env)).map((p) => p.path), ["names"]);
  });

  it("fails a message that is not an event with FUNCTION_INPUT_INVALID", () => {
    const fn = filterByDeviceName({ names: ["dev1"] }, env);
    assert.throws(() => fn.process(ctxOf(), "text"), (err: { code?: string }) => err.code === AppSdkErrorCode.FunctionInputInvalid);
  });
});

describe("FilterByProfileName and FilterBySourceName", () => {
  it("match the profile and the source name, anchored", () => {
    const e = eventOf(reading("t", "1", 1));
    assert.equal(filterByProfileName({ names: ["prof"] }, env).process(ctxOf(), e), e);
    assert.equal(filterByProfileName({ patterns: ["pro"] }, env).process(ctxOf(), e), undefined);
    assert.equal(filterBySourceName({ patterns: ["s.c"] }, env).process(ctxOf(), e), e);
    assert.equal(filterBySourceName({ names: ["src"], mode: "exclude" }, env).process(ctxOf(), e), undefined);
  });
});

describe("FilterByResourceName", () => {
  it("keeps the matching readings of an event without touching the original", () => {
    const e = eventOf(reading("temp", "1", 1), reading("temp2", "2", 1), reading("humidity", "3", 1));
    const out = filterByResourceName({ names: ["temp"], patterns: ["hum.*"] }, env).process(ctxOf(), e) as typeof e;
    assert.deepEqual(out.readings.map((r) => r.resourceName), ["temp", "humidity"]);
    assert.equal(e.readings.length, 3);
  });

  it("drops an event left without readings", () => {
    const e = eventOf(reading("temp", "1", 1));
    assert.equal(filterByResourceName({ names: ["temp"], mode: "exclude" }, env).process(ctxOf(), e), undefined);
  });
});
