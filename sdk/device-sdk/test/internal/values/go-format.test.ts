import { strict as assert } from "node:assert";
import { formatFloatE, formatFloatV } from "../../../src/internal/values/go-format.js";

describe("go-format", () => {
  describe("formatFloatE (strconv.FormatFloat(v, 'e', -1, bits))", () => {
    const cases: [number, 32 | 64, string][] = [
      [12.345, 64, "1.2345e+01"],
      [12.345, 32, "1.2345e+01"],
      [0, 64, "0e+00"],
      [-0, 64, "-0e+00"],
      [1, 64, "1e+00"],
      [-1.5, 64, "-1.5e+00"],
      [100, 32, "1e+02"],
      [0.1, 32, "1e-01"],
      [0.1, 64, "1e-01"],
      [1 / 3, 32, "3.3333334e-01"],
      [1 / 3, 64, "3.333333333333333e-01"],
      [16777217, 32, "1.6777216e+07"],
      [3.4028234663852886e38, 32, "3.4028235e+38"],
      [1.401298464324817e-45, 32, "1e-45"],
      [1e21, 64, "1e+21"],
      [1.7976931348623157e308, 64, "1.7976931348623157e+308"],
      [5e-324, 64, "5e-324"],
      [123456789, 64, "1.23456789e+08"],
      [NaN, 64, "NaN"],
      [Infinity, 32, "+Inf"],
      [-Infinity, 64, "-Inf"],
    ];
    for (const [v, bits, want] of cases) {
      it(`formats ${v} (float${bits}) as ${want}`, () => assert.equal(formatFloatE(v, bits), want));
    }
  });

  describe("formatFloatV (fmt %v)", () => {
    const cases: [number, 32 | 64, string][] = [
      [12.5, 64, "12.5"],
      [12.345, 32, "12.345"],
      [0, 64, "0"],
      [1e6, 64, "1e+06"],
      [123456, 64, "123456"],
      [1234567, 64, "1.234567e+06"],
      [0.0001, 64, "0.0001"],
      [0.00001, 64, "1e-05"],
      [1 / 3, 32, "0.33333334"],
      [-2.5, 64, "-2.5"],
      [NaN, 64, "NaN"],
    ];
    for (const [v, bits, want] of cases) {
      it(`formats ${v} (float${bits}) as ${want}`, () => assert.equal(formatFloatV(v, bits), want));
    }
  });
});
