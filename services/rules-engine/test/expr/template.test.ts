import { strict as assert } from "node:assert";
import { AggregateTable } from "../../src/expr/compile.js";
import { ExpressionError } from "../../src/expr/parser.js";
import { TemplateError, compileJsonTemplate, compileTemplate } from "../../src/expr/template.js";
import type { Scope, Value } from "../../src/expr/types.js";

const options = { resources: true, window: false, aggregates: new AggregateTable() };

function scope(values: Record<string, Value>, device = "boiler-1"): Scope {
  return { value: (r) => values[r], previous: () => undefined, aggregate: () => undefined, special: (n) => (n === "$device" ? device : undefined) };
}

describe("compileTemplate", () => {
  it("renders expressions inside text", () => {
    const t = compileTemplate("Boiler ${$device} at ${round(temperature, 1)} C (${temperature > 80 ? 'hot' : 'ok'})", options);
    assert.equal(t.render(scope({ temperature: 81.26 })), "Boiler boiler-1 at 81.3 C (hot)");
    assert.deepEqual([...t.resources], ["temperature"]);
    assert.equal(t.constant, false);
  });

  it("keeps text without expressions, and $${ as a literal ${", () => {
    const t = compileTemplate("cost: $${x}", options);
    assert.equal(t.constant, true);
    assert.equal(t.render(scope({})), "cost: ${x}");
  });

  it("skips braces inside quoted strings", () => {
    assert.equal(compileTemplate("${'a}b' + x}", options).render(scope({ x: 1 })), "a}b1");
  });

  it("names the position of an error within the whole string", () => {
    assert.throws(() => compileTemplate("value ${a +} ok", options), (err: unknown) => err instanceof ExpressionError && err.position === 11);
    assert.throws(() => compileTemplate("value ${a", options), (err: unknown) => err instanceof ExpressionError && err.position === 6 && /unclosed/.test(err.message));
  });
});

describe("compileJsonTemplate", () => {
  it("renders every string of a JSON value and keeps other values", () => {
    const t = compileJsonTemplate({ FanSpeed: "${speed * 2}", mode: "AUTO", n: 3, list: ["${$device}", true] }, options);
    assert.deepEqual(t.render(scope({ speed: 21 })), { FanSpeed: "42", mode: "AUTO", n: 3, list: ["boiler-1", true] });
  });

  it("keeps a __proto__ key as a plain key", () => {
    const value = JSON.parse('{"__proto__": {"polluted": "${1}"}}') as unknown;
    const out = compileJsonTemplate(value, options).render(scope({})) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("names the path and position of an error", () => {
    assert.throws(
      () => compileJsonTemplate({ a: { b: ["ok", "${x >}"] } }, options),
      (err: unknown) => err instanceof TemplateError && err.path === "a.b[1]" && err.position === 5,
    );
  });
});
