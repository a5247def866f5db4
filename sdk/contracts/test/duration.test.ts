import assert from "node:assert/strict";
import { ErrorCode, formatGoDuration, parseGoDuration, parseGoDurationNanos } from "@brink/contracts";
import { problemsOf } from "./helpers.js";

describe("parseGoDuration", () => {
  const valid: [string, number][] = [
    ["0", 0], ["0s", 0], ["-0", 0], ["500ms", 500], ["1s", 1000], ["2.5s", 2500], ["1m30s", 90_000], ["1h", 3_600_000],
    ["1h15m30.5s", 4_530_500], ["100us", 0.1], ["1µs", 0.001], ["1μs", 0.001], ["1000ns", 0.001], [".5s", 500], ["5.s", 5000],
    ["-1.5h", -5_400_000], ["+20s", 20_000], ["1.0000000001s", 1000], ["2h45m", 9_900_000],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${text} as ${ms} ms`, () => assert.equal(parseGoDuration(text), ms));
  }

  const invalid = ["", "1", "10", "s", ".s", "1d", "1 s", " 1s", "1s ", "1S", "1.5.5s", "ms", "-", "1hm", "abc", "1e3s", "9999999999h"];
  for (const text of invalid) {
    it(`rejects "${text}" with DURATION_INVALID`, () => {
      problemsOf(() => parseGoDuration(text), ErrorCode.DurationInvalid);
    });
  }

  it("keeps nanoseconds exact", () => {
    assert.equal(parseGoDurationNanos("1.000000001s"), 1_000_000_001n);
    assert.equal(parseGoDurationNanos("2562047h47m16.854775807s"), 9_223_372_036_854_775_807n);
  });
});

describe("formatGoDuration", () => {
  const cases: [number, string][] = [
    [0, "0s"], [0.000001, "1ns"], [0.0015, "1.5µs"], [0.1, "100µs"], [500, "500ms"], [1.5, "1.5ms"], [1000, "1s"], [2500, "2.5s"],
    [90_000, "1m30s"], [3_600_000, "1h0m0s"], [4_530_500, "1h15m30.5s"], [-1500, "-1.5s"],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${text}`, () => assert.equal(formatGoDuration(ms), text));
  }

  it("writes what parseGoDuration reads back", () => {
    for (const ms of [1, 250, 1000, 61_000, 86_400_000, 0.5]) assert.equal(parseGoDuration(formatGoDuration(ms)), ms);
  });
});
