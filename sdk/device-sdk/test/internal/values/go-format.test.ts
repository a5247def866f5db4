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

  describe("float32 shortest digits, checked against a brute-force oracle", () => {
    // Seeded float32 values: random mantissas from 1e-12 to 1e9 (where most readings are), whole numbers, powers of two
    // (where the rounding interval is lopsided), and the neighbours of powers of ten (where the decimal exponent changes).
    let seed = 20261124;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const f32 = new Float32Array(1);
    const bits = new Uint32Array(f32.buffer);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      bits[0] = ((87 + (next() % 70)) << 23) | (next() & 0x7fffff);
      values.push(f32[0]!);
    }
    // Whole numbers with trailing zeros, which round to fewer digits than their integer part has.
    for (let i = 0; i < 2_000; i++) values.push(Math.fround((next() % 100_000) * 10 ** (next() % 12)));
    for (let e = 1; e < 255; e++) {
      bits[0] = e << 23;
      values.push(f32[0]!);
    }
    for (let k = -12; k <= 9; k++) {
      f32[0] = 10 ** k;
      const at = bits[0]!;
      for (let d = -3; d <= 3; d++) {
        bits[0] = at + d;
        values.push(f32[0]!);
      }
    }
    /** p-digit decimals next to v (the correctly rounded one and its neighbours) that read back to v, as [text, value]. */
    const roundTripping = (v: number, p: number): [string, number][] => {
      const rounded = v.toExponential(p - 1);
      const [mantissa, exp] = rounded.split("e");
      const m = BigInt(mantissa!.replace(".", ""));
      const scale = Number(exp) - (p - 1);
      return [m - 1n, m, m + 1n].filter((c) => c > 0n).map((c): [string, number] => [`${c}e${scale}`, Number(`${c}e${scale}`)]).filter(([, x]) => Math.fround(x) === v);
    };

    it(`gives, for ${values.length} float32 values, text that reads back to the value, with no shorter one that does and none of its length closer`, () => {
      for (const v of values) {
        const text = formatFloatE(v, 32);
        const back = Number(text);
        assert.equal(Math.fround(back), v, `${v}: ${text} does not read back`);
        const digits = text.split("e")[0]!.replace(".", "").replace("-", "").length;
        if (digits > 1) assert.deepEqual(roundTripping(v, digits - 1), [], `${v}: ${text} is not the shortest`);
        for (const [other, x] of roundTripping(v, digits)) assert.ok(Math.abs(x - v) >= Math.abs(back - v), `${v}: ${other} is closer than ${text}`);
        assert.equal(formatFloatE(-v, 32), `-${text}`);
      }
    });
  });
});
