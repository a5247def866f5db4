import { strict as assert } from "node:assert";
import { ValidationError } from "@brink/contracts";
import { RulesErrorCode } from "../../src/errors.js";
import { compileRule, type ReadingRule, type ScheduledRule } from "../../src/rule/compile.js";
import type { ExpressionProblem } from "../../src/rule/checks.js";

const write = { type: "command", command: "Fan", body: { FanSpeed: "100" } };

function problemsOf(input: unknown): readonly (ExpressionProblem | { path: string; message: string })[] {
  try {
    compileRule(input);
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, RulesErrorCode.RuleInvalid);
    assert.equal(err.kind, "ContractInvalid");
    return err.problems as ExpressionProblem[];
  }
  assert.fail("the rule compiled");
}

describe("compileRule", () => {
  it("compiles a reading rule with every part", () => {
    const rule = compileRule({
      name: "boiler-overheat",
      labels: ["boiler"],
      source: { device: "Boiler-*", profile: "Boiler", resource: "*" },
      when: "avg(temperature) > 80 and fanSpeed == 0",
      window: { type: "sliding", duration: "30s" },
      for: "10s",
      clear: "temperature < 70",
      cooldown: "1m",
      actions: [write, { type: "notify", category: "boiler", severity: "CRITICAL", content: "${$device}: ${avg(temperature)}" }],
    }) as ReadingRule;
    assert.equal(rule.kind, "reading");
    assert.equal(rule.forMs, 10_000);
    assert.equal(rule.cooldownMs, 60_000);
    assert.deepEqual(rule.window, { type: "sliding", durationMs: 30_000, count: undefined });
    assert.deepEqual([...rule.triggers].sort(), ["fanSpeed", "temperature"]);
    assert.equal(rule.perReading, false);
    assert.equal(rule.source.device.test("Boiler-7"), true);
    assert.equal(rule.source.device.test("Pump-7"), false);
    assert.deepEqual(rule.inputs.map((i) => i.label), ["avg(temperature)", "fanSpeed", "temperature"]);
    assert.deepEqual(rule.actions.map((a) => a.type), ["command", "notify"]);
  });

  it("compiles a scheduled rule", () => {
    const rule = compileRule({
      name: "nightly-purge",
      schedule: { cron: "0 3 * * *", missed: "once" },
      actions: [{ type: "http", method: "DELETE", service: "core-data", path: "/api/v3/event/age/604800000000000" }],
    }) as ScheduledRule;
    assert.equal(rule.kind, "schedule");
    assert.equal(rule.schedule.missed, "once");
    assert.equal(rule.schedule.next(Date.UTC(2024, 0, 1, 5)), Date.UTC(2024, 0, 2, 3));
  });

  it("refuses a syntax error with a 400 naming the field and the position", () => {
    const [p, ...rest] = problemsOf({ name: "r", when: "temperature >> 80", actions: [write] });
    assert.equal(rest.length, 0);
    assert.equal(p!.path, "when");
    assert.equal((p as ExpressionProblem).position, 13);
    assert.match(p!.message, /^position 13: /);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf({
      name: "bad name!",
      when: "t > 1",
      for: "ten seconds",
      cooldown: "-1s",
      window: { type: "hopping", duration: "1m", count: 3 },
      clear: "t <",
      hysteresis: 2,
      colour: "red",
      actions: [
        { type: "command", body: {} },
        { type: "teleport" },
        { type: "notify", content: "${nope(1)}" },
        { type: "webhook", url: "ftp://x" },
        { type: "http", url: "http://a", service: "core-data" },
        { type: "mqtt", broker: "mqtt://b:1883", topic: "t", qos: 3 },
      ],
    }).map((p) => p.path);
    for (const path of [
      "colour", "name", "for", "cooldown", "window.type", "window", "clear", "hysteresis", "actions[0].command", "actions[0].body", "actions[1].type",
      "actions[2].content", "actions[3].url", "actions[4]", "actions[5].qos",
    ]) {
      assert.ok(problems.includes(path), `no problem at ${path}: ${problems.join(", ")}`);
    }
  });

  it("refuses a rule that is neither reading nor scheduled, or both", () => {
    assert.ok(problemsOf({ name: "r", actions: [write] }).some((p) => /exactly one of when/.test(p.message)));
    assert.ok(problemsOf({ name: "r", when: "t > 1", schedule: { interval: "1m" }, actions: [write] }).some((p) => /exactly one of when/.test(p.message)));
  });

  it("refuses reading-rule fields, resources and device-less actions in a scheduled rule", () => {
    const paths = problemsOf({ name: "s", schedule: { interval: "1m" }, for: "1s", actions: [write, { type: "alert", message: "${t}" }] }).map((p) => p.path);
    assert.deepEqual(paths.sort(), ["actions[0].device", "actions[1].message", "for"]);
  });

  it("refuses bad schedules", () => {
    assert.deepEqual(problemsOf({ name: "s", schedule: { cron: "61 * * * *" }, actions: [write] }).map((p) => p.path), ["schedule.cron", "actions[0].device"]);
    assert.ok(problemsOf({ name: "s", schedule: { cron: "0 * * * *", timezone: "Mars/Olympus" }, actions: [{ type: "alert" }] }).some((p) => p.path === "schedule.timezone"));
    assert.ok(problemsOf({ name: "s", schedule: { interval: "0s" }, actions: [{ type: "alert" }] }).some((p) => p.path === "schedule.interval"));
    assert.ok(problemsOf({ name: "s", schedule: { interval: "1m", cron: "* * * * *" }, actions: [{ type: "alert" }] }).some((p) => p.path === "schedule"));
  });

  it("refuses hysteresis on a condition that is not a comparison", () => {
    assert.ok(problemsOf({ name: "r", when: "a > 1 and b", hysteresis: 1, actions: [write] }).some((p) => p.path === "hysteresis"));
  });

  it("refuses a window nothing reads, and a condition no reading can trigger", () => {
    assert.ok(problemsOf({ name: "r", when: "t > 1", window: { type: "sliding", count: 5 }, actions: [write] }).some((p) => p.path === "window"));
    assert.ok(problemsOf({ name: "r", when: "t > 1", source: { resource: "x*" }, actions: [write] }).some((p) => p.path === "when"));
  });

  it("evaluates per reading when the condition reads $value", () => {
    const rule = compileRule({ name: "any-high", source: { resource: "temp*" }, when: "$value > avg($value) + 10", window: { type: "sliding", count: 10 }, actions: [{ type: "alert" }] }) as ReadingRule;
    assert.equal(rule.perReading, true);
    assert.equal(rule.triggers.size, 0);
  });

  it("derives a hysteresis clear condition from the comparison", () => {
    const above = compileRule({ name: "r", when: "t > 80", hysteresis: 5, actions: [write] }) as ReadingRule;
    const scope = (t: number) => ({ value: () => t, previous: () => undefined, aggregate: () => undefined, special: () => undefined });
    assert.equal(above.clear(scope(76)), false);
    assert.equal(above.clear(scope(75)), true);
    const below = compileRule({ name: "r", when: "t <= 10", hysteresis: 2, actions: [write] }) as ReadingRule;
    assert.equal(below.clear(scope(11)), false);
    assert.equal(below.clear(scope(12)), true);
  });
});
