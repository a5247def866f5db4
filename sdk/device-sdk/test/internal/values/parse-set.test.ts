import { strict as assert } from "node:assert";
import { ServiceError, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../../src/driver.js";
import { parseSetValue } from "../../../src/internal/values/parse-set.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServiceError);
    assert.equal(err.kind, "ContractInvalid");
    return err.code;
  }
  assert.fail("expected a ServiceError");
}

describe("parseSetValue", () => {
  const ok: [ValueType, unknown, RawValue][] = [
    ["Bool", "true", true],
    ["Bool", "F", false],
    ["Bool", false, false],
    ["String", "x y", "x y"],
    ["String", "", ""],
    ["String", 12, "12"],
    ["Uint8", "255", 255],
    ["Int8", "-128", -128],
    ["Int16", 300, 300],
    ["Int64", "9223372036854775807", 9223372036854775807n],
    ["Uint64", "18446744073709551615", 18446744073709551615n],
    ["Float32", "28.5", 28.5],
    ["Float32", "0.1", Math.fround(0.1)],
    ["Float64", "1e3", 1000],
    ["Float64", -2.25, -2.25],
    ["Float64", "Inf", Infinity],
    ["Float32", "QUkAAA==", Math.fround(12.5625)],
    ["Float64", "QCkAAAAAAAA=", 12.5],
    ["Uint8Array", "[1, 2, 3]", [1, 2, 3]],
    ["Uint16Array", [1, 2], [1, 2]],
    ["Int32Array", "[-1,2]", [-1, 2]],
    ["Int64Array", ["1", "2"], [1n, 2n]],
    ["BoolArray", "[true, false]", [true, false]],
    ["StringArray", '["a","b c"]', ["a", "b c"]],
    ["StringArray", ["x"], ["x"]],
    ["Float32Array", "[1.5, 2]", [1.5, 2]],
    ["Object", '{"a":1}', { a: 1 }],
    ["Object", { b: [1] }, { b: [1] }],
    ["ObjectArray", '[{"a":1}]', [{ a: 1 }]],
  ];
  for (const [t, input, want] of ok) {
    it(`parses ${t} ${JSON.stringify(input)}`, () => assert.deepEqual(parseSetValue("r", t, input), want));
  }

  const invalid: [ValueType, unknown][] = [
    ["Bool", "yes"],
    ["Bool", 1],
    ["Uint8", "abc"],
    ["Int16", "1.5"],
    ["Int32", 2.5],
    ["Int32", ""],
    ["Float32", "twelve"],
    ["Float64", true],
    ["Uint8Array", "1,2"],
    ["Uint8Array", "[1, x]"],
    ["StringArray", "[a, b]"],
    ["StringArray", [1]],
    ["Object", "[1]"],
    ["Object", "{nope"],
    ["ObjectArray", { a: 1 }],
    ["Binary", "AAEC"],
    ["Int8", null],
    ["String", { a: 1 }],
  ];
  for (const [t, input] of invalid) {
    it(`refuses ${t} ${JSON.stringify(input)} with VALUE_INVALID`, () => assert.equal(codeOf(() => parseSetValue("r", t, input)), "VALUE_INVALID"));
  }

  const range: [ValueType, unknown][] = [
    ["Uint8", "256"],
    ["Uint8", -1],
    ["Int8", "-129"],
    ["Int64", "9223372036854775808"],
    ["Uint64", "-1"],
    ["Float32", "3.5e38"],
    ["Float64", "1e400"],
    ["Int8Array", [1, 200]],
  ];
  for (const [t, input] of range) {
    it(`refuses ${t} ${JSON.stringify(input)} with VALUE_OUT_OF_RANGE`, () => assert.equal(codeOf(() => parseSetValue("r", t, input)), "VALUE_OUT_OF_RANGE"));
  }
});
