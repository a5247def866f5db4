import { strict as assert } from "node:assert";
import { ErrorCode, ValidationError } from "@brink/contracts";
import { AppSdkErrorCode } from "../../src/errors.js";
import { FUNCTIONS } from "../../src/functions/registry.js";
import { toNatsPattern } from "../../src/pipeline/definition.js";
import { compilePipeline, loadPipelinesText } from "../../src/pipeline/loader.js";
import { testEnv } from "../functions/helpers.js";

const options = { registry: FUNCTIONS, env: testEnv() };

function problemsOf(fn: () => unknown): { path: string; line?: number; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.code, AppSdkErrorCode.PipelineInvalid);
    return err.problems.map((p) => ({ path: p.path, message: p.message, ...(p.line === undefined ? {} : { line: p.line }) }));
  }
  assert.fail("expected a ValidationError");
}

describe("toNatsPattern", () => {
  const cases: [string, string | undefined][] = [
    ["edgex/events/device/#", "edgex.events.device.>"],
    ["edgex/events/device/+/Thermostat/#", "edgex.events.device.*.Thermostat.>"],
    ["edgex/events/device/svc/my.profile/+/+", "edgex.events.device.svc.my%2Eprofile.*.*"],
    ["#", ">"],
    ["edgex.events.device.>", "edgex.events.device.>"],
    ["edgex.events.device.*.Thermostat.>", "edgex.events.device.*.Thermostat.>"],
    ["edgex/#/device", undefined],
    ["edgex/ev+/device", undefined],
    ["edgex//device", undefined],
    ["edgex.>.device", undefined],
    ["", undefined],
  ];
  for (const [filter, pattern] of cases) {
    it(`${JSON.stringify(filter)} -> ${pattern ?? "problem"}`, () => {
      const r = toNatsPattern(filter);
      if (pattern === undefined) assert.ok("problem" in r);
      else assert.deepEqual(r, { pattern });
    });
  }
});

describe("loadPipelinesText", () => {
  it("loads a valid file with defaults filled in", () => {
    const [a, b] = loadPipelinesText(
      `
pipelines:
  - name: north
    trigger: { type: bus, subjects: ["edgex/events/device/+/Thermostat/#", "edgex.events.device.virtual.>"] }
    functions:
      - name: FilterByDeviceName
        params: { patterns: ["boiler-\\\\d+"] }
      - name: ToEdgeXEvent
  - name: rest
    enabled: false
    trigger: { type: http }
    functions: [{ name: AddTags, params: { tags: { site: north } } }]
`,
      options,
    );
    assert.deepEqual(a!.definition, {
      name: "north",
      enabled: true,
      trigger: { type: "bus", subjects: ["edgex/events/device/+/Thermostat/#", "edgex.events.device.virtual.>"] },
      functions: [
        { name: "FilterByDeviceName", params: { patterns: ["boiler-\\d+"] } },
        { name: "ToEdgeXEvent", params: {} },
      ],
    });
    assert.deepEqual(a!.patterns, ["edgex.events.device.*.Thermostat.>", "edgex.events.device.virtual.>"]);
    assert.equal(a!.functions.length, 2);
    assert.equal(b!.definition.enabled, false);
    assert.deepEqual(b!.patterns, []);
  });

  it("defaults a bus trigger to every device event", () => {
    const [p] = loadPipelinesText("pipelines: [{ name: all, trigger: { type: bus }, functions: [{ name: ToEdgeXEvent }] }]", options);
    assert.deepEqual(p!.patterns, ["edgex.events.device.>"]);
  });

  it("reports every problem of the whole file with its path and line", () => {
    const problems = problemsOf(() =>
      loadPipelinesText(
        `pipelines:
  - name: one
    trigger: { type: bus, subjects: ["edgex/#/device"] }
    functions:
      - name: FilterByDeviceName
        params:
          patterns: ["ok", "dev("]
      - name: Deadbnad
      - name: Template
        params: { expression: "readings[" }
  - name: one
    trigger: { type: mqtt }
    functions: []
    colour: blue
  - name: "bad name"
    trigger: { type: http }
    functions:
      - name: Encrypt
        params: { secretName: missing }
`,
        options,
      ),
    );
    const byPath = new Map(problems.map((p) => [p.path, p]));
    assert.deepEqual([...byPath.keys()], [
      "pipelines[0].trigger.subjects[0]",
      "pipelines[0].functions[0].params.patterns[1]",
      "pipelines[0].functions[1].name",
      "pipelines[0].functions[2].params.expression",
      "pipelines[1].name",
      "pipelines[1].trigger.type",
      "pipelines[1].functions",
      "pipelines[1].colour",
      "pipelines[2].name",
      "pipelines[2].functions[0].params.secretName",
    ]);
    assert.match(byPath.get("pipelines[0].functions[0].params.patterns[1]")!.message, /^invalid regex "dev\("/);
    assert.match(byPath.get("pipelines[0].functions[1].name")!.message, /unknown function "Deadbnad"/);
    assert.match(byPath.get("pipelines[0].functions[2].params.expression")!.message, /position \d+/);
    assert.match(byPath.get("pipelines[1].name")!.message, /also the name of pipelines\[0\]/);
    assert.deepEqual(
      problems.map((p) => p.line),
      [3, 7, 8, 10, 11, 12, 13, 14, 15, 19],
    );
  });

  it("reports YAML syntax errors with YAML_MALFORMED and their line", () => {
    try {
      loadPipelinesText("pipelines:\n  - name: a\n    trigger: { type: bus\n", options);
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.code, ErrorCode.YamlMalformed);
      assert.ok(err.problems[0]!.line !== undefined);
    }
  });

  it("takes empty text as no pipelines", () => {
    assert.deepEqual(loadPipelinesText("", options), []);
    assert.deepEqual(loadPipelinesText("pipelines: []", options), []);
  });
});

describe("compilePipeline", () => {
  it("validates one definition from JSON with paths relative to it", () => {
    const problems = problemsOf(() =>
      compilePipeline({ name: "x", trigger: { type: "http" }, functions: [{ name: "FilterByDeviceName", params: { patterns: ["("] } }, { name: "Nope" }] }, options),
    );
    assert.deepEqual(problems.map((p) => p.path), ["functions[0].params.patterns[0]", "functions[1].name"]);
  });
});
