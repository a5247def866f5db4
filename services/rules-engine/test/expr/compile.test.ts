import { strict as assert } from "node:assert";
import { AggregateTable, compileExpression, type CompileOptions } from "../../src/expr/compile.js";
import { ExpressionError, parseExpression } from "../../src/expr/parser.js";
import { isMissing, type AggregateRef, type Scope, type SpecialName, type Value } from "../../src/expr/types.js";

function options(overrides: Partial<CompileOptions> = {}): CompileOptions {
  return { resources: true, window: true, aggregates: new AggregateTable(), ...overrides };
}

/** A scope over fixed values. */
function scope(values: Record<string, Value>, extra: { previous?: Record<string, Value>; aggregates?: Record<string, Value>; specials?: Partial<Record<SpecialName, Value>> } = {}): Scope {
  return {
    value: (r) => values[r],
    previous: (r) => extra.previous?.[r],
    aggregate: (ref: AggregateRef) => extra.aggregates?.[ref.label],
    special: (name) => extra.specials?.[name],
  };
}

function evaluate(source: string, values: Record<string, Value> = {}, extra: Parameters<typeof scope>[1] = {}): Value {
  return compileExpression(source, options()).evaluate(scope(values, extra));
}

function errorOf(source: string, opts: CompileOptions = options()): ExpressionError {
  try {
    compileExpression(source, opts);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${source} compiled`);
}

describe("compileExpression", () => {
  const cases: [string, Record<string, Value>, Value][] = [
    ["temperature > 80 and fanSpeed == 0", { temperature: 81, fanSpeed: 0 }, true],
    ["temperature > 80 and fanSpeed == 0", { temperature: 81, fanSpeed: 10 }, false],
    ["temperature > 80 && fanSpeed == 0 || alarm", { temperature: 20, fanSpeed: 0, alarm: true }, true],
    ["not temperature > 80", { temperature: 70 }, true],
    ["not temperature > 80", { temperature: 90 }, false],
    ["not a and b", { a: false, b: true }, true],
    ["!(a > 1)", { a: 0 }, true],
    ["(a + b) * 2 - c / 4", { a: 1, b: 2, c: 8 }, 4],
    ["a % 3", { a: 10 }, 1],
    ["2 ** 10", {}, 1024],
    ["-a + +b", { a: 3, b: 5 }, 2],
    ["a > 1 ? 'hot' : 'cold'", { a: 2 }, "hot"],
    ["'v=' + a", { a: 1.5 }, "v=1.5"],
    ["mode == 'AUTO'", { mode: "AUTO" }, true],
    ["a != 1", { a: 1 }, false],
    ["abs(a) + round(b, 1) + floor(c) + ceil(d)", { a: -1, b: 2.26, c: 1.9, d: 0.1 }, 1 + 2.3 + 1 + 1],
    ["min(a, b, 3)", { a: 5, b: 4 }, 3],
    ["max(a, b)", { a: 5, b: 4 }, 5],
    ["clamp(a, 0, 10)", { a: 12 }, 10],
    ["sqrt(pow(a, 2))", { a: -3 }, 3],
    ["number('12.5') + 1", {}, 13.5],
    ["contains(status, 'ERR')", { status: "E_ERR_3" }, true],
    ["resource('Float32 Value') > 1", { "Float32 Value": 2 }, true],
    ["x == null", { x: null }, true],
  ];
  for (const [source, values, expected] of cases) {
    it(`evaluates ${source}`, () => {
      assert.deepEqual(evaluate(source, values), expected);
    });
  }

  it("reads aggregates, previous values and special names", () => {
    const c = compileExpression("avg(temperature) > 10 and delta(temperature) > 1 and prev(temperature) < 9 and $device == 'd1'", options());
    const s = scope({ temperature: 12 }, { aggregates: { "avg(temperature)": 11, "delta(temperature)": 3 }, specials: { $device: "d1" } });
    assert.equal(c.evaluate({ ...s, aggregate: (ref) => (ref.label === "prev(temperature)" ? 8 : s.aggregate(ref)) }), true);
    assert.deepEqual([...c.resources], ["temperature"]);
    assert.deepEqual(c.inputs.map((i) => i.label), ["avg(temperature)", "delta(temperature)", "prev(temperature)", "$device"]);
  });

  it("throws a Missing when something read has no value yet", () => {
    const c = compileExpression("temperature > 80 and fanSpeed == 0", options());
    let thrown: unknown;
    try {
      c.evaluate(scope({ temperature: 90 }));
    } catch (err) {
      thrown = err;
    }
    assert.ok(isMissing(thrown));
    assert.equal((thrown as { missing: string }).missing, "fanSpeed");
  });

  it("short-circuits: a missing value behind a false `and` is not read", () => {
    assert.equal(evaluate("a > 1 and b > 1", { a: 0 }), false);
  });

  it("uses three-valued logic for missing values in and/or", () => {
    assert.equal(evaluate("b > 1 or a == 0", { a: 0 }), true);
    assert.equal(evaluate("b > 1 and a == 1", { a: 0 }), false);
    for (const source of ["b > 1 or a == 1", "b > 1 and a == 0"]) {
      assert.throws(() => evaluate(source, { a: 0 }), (err: unknown) => isMissing(err) && err.missing === "b");
    }
  });

  it("notes the resources read and whether the reading itself is read", () => {
    const c = compileExpression("$value > avg($value) and fan == 0", options());
    assert.equal(c.usesTrigger, true);
    assert.deepEqual([...c.resources], ["fan"]);
  });

  it("shares aggregate slots between expressions of one rule", () => {
    const table = new AggregateTable();
    compileExpression("avg(t) > 1", options({ aggregates: table }));
    compileExpression("avg(t) < 0 or max(t) > 3", options({ aggregates: table }));
    assert.deepEqual(table.refs.map((r) => [r.slot, r.label]), [[0, "avg(t)"], [1, "max(t)"]]);
  });

  it("exposes a top-level comparison", () => {
    const c = compileExpression("temperature >= 80", options());
    assert.equal(c.comparison?.operator, ">=");
    assert.equal(c.comparison?.left(scope({ temperature: 7 })), 7);
    assert.equal(compileExpression("a > 1 and b", options()).comparison, undefined);
  });

  const refused: [string, number, RegExp][] = [
    ["temperature >> 3", 13, /after >/],
    ["temperature > ", 14, /Expected expression/],
    ["a b", 2, /unexpected "b"/],
    ["a | b", 2, /unexpected "\|"/],
    ["a === b", 4, /Expected expression/],
    ["a, b", 1, /unexpected ","/],
    ["f(", 2, /Expected \)/],
    ["'abc", 4, /Unclosed quote/],
    ["", 0, /empty/],
    ["x > 1 and constructor.constructor('return 1')()", 10, /only named functions/],
    ["a.b > 1", 0, /member access/],
    ["a[0] > 1", 0, /member access/],
    ["[1, 2]", 0, /arrays/],
    ["foo(1) > 2", 0, /unknown function foo/],
    ["t > 1 and eval('x')", 10, /unknown function eval/],
    ["toString(a)", 0, /unknown function toString/],
    ["avg(a, b)", 0, /takes one resource/],
    ["avg(1)", 4, /takes a resource/],
    ["avg($device)", 4, /not \$device/],
    ["abs()", 0, /takes 1 argument/],
    ["$nope > 1", 0, /unknown name \$nope/],
    ["(a)(1)", 0, /unknown function a/],
  ];
  for (const [source, position, message] of refused) {
    it(`refuses ${JSON.stringify(source)} at position ${position}`, () => {
      const err = errorOf(source);
      assert.equal(err.position, position);
      assert.match(err.message, message);
    });
  }

  it("refuses window functions without a window, and resources in scheduled rules", () => {
    assert.match(errorOf("avg(t) > 1", options({ window: false })).message, /needs a window/);
    assert.match(errorOf("t > 1", options({ resources: false })).message, /scheduled rule/);
    assert.match(errorOf("$value > 1", options({ resources: false })).message, /scheduled rule/);
    // delta and prev need no window
    assert.doesNotThrow(() => compileExpression("delta(t) > 1 or prev(t) == 0", options({ window: false })));
  });

  it("parses with positions on tokens", () => {
    const ast = parseExpression("  foo > 3");
    assert.equal((ast as unknown as { left: { start?: number } }).left.start, 2);
  });
});
