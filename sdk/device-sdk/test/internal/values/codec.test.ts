import { strict as assert } from "node:assert";
import type { ValueType } from "@brink/contracts";
import type { RawValue } from "../../../src/driver.js";
import { formatSimpleValue, goValueString, normalizeRaw } from "../../../src/internal/values/codec.js";

describe("codec", () => {
  describe("formatSimpleValue (EdgeX reading value text)", () => {
    const cases: [ValueType, RawValue, string][] = [
      ["Bool", true, "true"],
      ["Bool", false, "false"],
      ["String", "hello world", "hello world"],
      ["Int8", -128, "-128"],
      ["Uint16", 65535, "65535"],
      ["Int64", -9223372036854775808n, "-9223372036854775808"],
      ["Uint64", 18446744073709551615n, "18446744073709551615"],
      ["Float32", Math.fround(12.345), "1.2345e+01"],
      ["Float64", 12.345, "1.2345e+01"],
      ["Float64", 0, "0e+00"],
      ["Int16Array", [1, -2, 3], "[1, -2, 3]"],
      ["Uint8Array", [], "[]"],
      ["Int64Array", [1n, 9007199254740993n], "[1, 9007199254740993]"],
      ["BoolArray", [true, false], "[true, false]"],
      ["Float32Array", [1.5, 2], "[1.5e+00, 2e+00]"],
      ["Float64Array", [0.1, -3], "[1e-01, -3e+00]"],
      ["StringArray", ["a", "b"], "[a, b]"],
      ["StringArray", ["a b"], "[a, b]"],
    ];
    for (const [t, v, want] of cases) {
      it(`writes ${t} ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x))} as ${want}`, () => {
        assert.equal(formatSimpleValue(t, v), want);
      });
    }
  });

  describe("goValueString (Go %v, the key of assertions and mappings)", () => {
    const cases: [ValueType, RawValue, string][] = [
      ["Bool", true, "true"],
      ["Uint8", 1, "1"],
      ["Float64", 12.5, "12.5"],
      ["Float32", Math.fround(0.1), "0.1"],
      ["Int16Array", [1, 2], "[1 2]"],
      ["Int64", 5n, "5"],
    ];
    for (const [t, v, want] of cases) it(`gives ${want} for ${t}`, () => assert.equal(goValueString(t, v), want));
  });

  describe("normalizeRaw (checks driver values)", () => {
    const ok: [ValueType, unknown, RawValue][] = [
      ["Bool", true, true],
      ["Int16", -5, -5],
      ["Int16", 7n, 7],
      ["Int64", 42, 42n],
      ["Uint64", 18446744073709551615n, 18446744073709551615n],
      ["Float32", 0.1, Math.fround(0.1)],
      ["Float64", NaN, NaN],
      ["Int32Array", [1, 2n], [1, 2]],
      ["Object", { a: 1 }, { a: 1 }],
      ["ObjectArray", [{ a: 1 }], [{ a: 1 }]],
    ];
    for (const [t, v, want] of ok) {
      it(`accepts ${t} ${String(v)}`, () => {
        const r = normalizeRaw(t, v);
        assert.ok(r.ok);
        assert.deepEqual(r.value, want);
      });
    }
    it("accepts Binary as Uint8Array (Buffer included)", () => {
      const r = normalizeRaw("Binary", Buffer.from([1, 2]));
      assert.ok(r.ok);
    });
    const bad: [ValueType, unknown][] = [
      ["Bool", "true"],
      ["Int8", 128],
      ["Uint8", -1],
      ["Int16", 1.5],
      ["Int64", 2 ** 60],
      ["Uint64", -1n],
      ["Float32", "1.5"],
      ["String", 5],
      ["Binary", [1, 2]],
      ["Object", [1]],
      ["ObjectArray", [1]],
      ["Int8Array", [1, 300]],
      ["BoolArray", true],
    ];
    for (const [t, v] of bad) {
      it(`rejects ${t} ${String(v)}`, () => {
        const r = normalizeRaw(t, v);
        assert.equal(r.ok, false);
      });
    }
  });
});
