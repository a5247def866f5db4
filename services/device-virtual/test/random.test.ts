import { strict as assert } from "node:assert";
import { FLOAT32_MAX, float32Within, floatRange, integerRange, randomBigInt, randomFloat, randomSimpleValue, RANDOM_ARRAY_LENGTH } from "../src/random.js";
import { cyclic } from "./fixtures.js";

describe("random values", () => {
  describe("integerRange", () => {
    const cases: [string, Parameters<typeof integerRange>[0], { minimum?: number; maximum?: number }, [bigint, bigint]][] = [
      ["type range without bounds", "Int8", {}, [-128n, 127n]],
      ["narrowed by both bounds", "Int16", { minimum: -5, maximum: 5 }, [-5n, 5n]],
      ["bounds beyond the type are clipped", "Uint8", { minimum: -10, maximum: 1000 }, [0n, 255n]],
      ["fractional bounds round inwards", "Int32", { minimum: -1.5, maximum: 2.5 }, [-1n, 2n]],
      ["one bound only", "Uint16", { maximum: 9 }, [0n, 9n]],
      ["no integer inside the bounds", "Int8", { minimum: 0.2, maximum: 0.8 }, [1n, 1n]],
      ["64-bit", "Uint64", {}, [0n, 18446744073709551615n]],
    ];
    for (const [what, type, bounds, expected] of cases) {
      it(what, () => assert.deepEqual(integerRange(type, bounds), expected));
    }
  });

  it("draws 64-bit integers across the whole span", () => {
    assert.equal(randomBigInt(0n, 18446744073709551615n, () => 0), 0n);
    assert.equal(randomBigInt(0n, 18446744073709551615n, () => 0.9999999999), 18446744073709551615n);
    const v = randomBigInt(-9223372036854775808n, 9223372036854775807n, cyclic([0.5, 0.25]));
    assert.ok(v >= -9223372036854775808n && v <= 9223372036854775807n);
  });

  it("keeps floats finite over the type's whole range", () => {
    for (const r of [0, 0.5, 0.999999]) {
      const f64 = randomFloat("Float64", {}, () => r);
      const f32 = randomFloat("Float32", {}, () => r);
      assert.ok(Number.isFinite(f64));
      assert.ok(Math.abs(f32) <= FLOAT32_MAX && Math.fround(f32) === f32);
    }
    assert.deepEqual(floatRange("Float32", {}), [-FLOAT32_MAX, FLOAT32_MAX]);
    assert.deepEqual(floatRange("Float64", { minimum: 2, maximum: 1 }), [2, 2]);
  });

  it("rounds Float32 values to a float32 inside the bounds", () => {
    // fround(0.1) is 0.10000000149..., above 0.1: the nearest float32 below it is chosen.
    const f = float32Within(0.1, 0, 0.1);
    assert.ok(f <= 0.1 && Math.fround(f) === f);
    assert.ok(float32Within(-0.1, -0.1, 0) >= -0.1);
    assert.equal(float32Within(42.5, 0, 100), 42.5);
  });

  it("makes arrays of five elements", () => {
    const v = randomSimpleValue("BoolArray", {}, cyclic([0.1, 0.9]));
    assert.deepEqual(v, [true, false, true, false, true]);
    assert.equal((randomSimpleValue("StringArray", {}, Math.random) as string[]).length, RANDOM_ARRAY_LENGTH);
  });
});
