import assert from "node:assert/strict";
import { readingValueProblem, type ValueType } from "@brink/contracts";

const CASES: [ValueType, string, boolean][] = [
  ["Bool", "true", true], ["Bool", "1", true], ["Bool", "F", true], ["Bool", "False", true], ["Bool", "yes", false], ["Bool", "", false],
  ["Int8", "127", true], ["Int8", "-128", true], ["Int8", "+5", true], ["Int8", "128", false], ["Int8", "1.0", false], ["Int8", " 1", false],
  ["Uint8", "0", true], ["Uint8", "-1", false], ["Uint16", "65536", false], ["Uint32", "4294967296", false],
  ["Uint64", "18446744073709551615", true], ["Uint64", "18446744073709551616", false],
  ["Int64", "9223372036854775807", true], ["Int64", "-9223372036854775808", true], ["Int64", "9223372036854775808", false],
  ["Float32", "3.4e38", true], ["Float32", "3.5e38", false], ["Float32", "-1.5", true], ["Float32", ".5", true], ["Float32", "abc", false],
  ["Float64", "1e308", true], ["Float64", "1e400", false], ["Float64", "NaN", true], ["Float64", "-Inf", true], ["Float64", "+infinity", true],
  ["Float64", "0x1p-2", true], ["Float64", "1,5", false],
  ["String", "", true], ["String", "anything [at] all", true],
  ["Int16Array", "[1, -2, 3]", true], ["Int16Array", "[]", true], ["Int16Array", "[1, x]", false], ["Int16Array", "1, 2", false],
  ["BoolArray", "[true, false]", true], ["Float32Array", "[1.000000e+00]", true], ["Uint8Array", "[256]", false],
  ["StringArray", "[a, b]", true], ["StringArray", "a", false],
];

describe("readingValueProblem", () => {
  for (const [t, value, ok] of CASES) {
    it(`${ok ? "accepts" : "rejects"} ${t} "${value}"`, () => {
      const problem = readingValueProblem(t, value);
      if (ok) assert.equal(problem, undefined);
      else assert.equal(typeof problem, "string");
    });
  }
});
