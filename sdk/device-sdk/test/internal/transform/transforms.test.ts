import { strict as assert } from "node:assert";
import { ServiceError, type ResourceProperties, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../../src/driver.js";
import { checkWriteLimits, transformRead, transformWrite } from "../../../src/internal/transform/transforms.js";

function props(valueType: ValueType, extra: Partial<ResourceProperties> = {}): ResourceProperties {
  return { valueType, readWrite: "RW", ...extra };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServiceError);
    return err.code;
  }
  assert.fail("expected a ServiceError");
}

describe("transforms", () => {
  describe("transformRead", () => {
    const cases: [string, ValueType, RawValue, Partial<ResourceProperties>, RawValue | "overflow" | "nan"][] = [
      ["no transform", "Int16", 7, {}, 7],
      ["mask", "Uint16", 0xabcd, { mask: 0x00ff }, 0xcd],
      ["mask ignored on signed types", "Int16", 0x0bcd, { mask: 0x00ff }, 0x0bcd],
      ["right shift (negative shift)", "Uint16", 0xab00, { shift: -8 }, 0xab],
      ["left shift drops bits past the width", "Uint8", 0xff, { shift: 4 }, 0xf0],
      ["mask then shift", "Uint32", 0x12345678, { mask: 0xff00, shift: -8 }, 0x56],
      ["Uint64 shift stays exact", "Uint64", 0xffffffffffffffffn, { shift: -4 }, 0x0fffffffffffffffn],
      ["base", "Float64", 3, { base: 2 }, 8],
      ["scale", "Float32", 215, { scale: 0.1 }, Math.fround(21.5)],
      ["scale on integers truncates the product", "Int16", 215, { scale: 0.1 }, 21],
      ["offset", "Float64", 20, { offset: -273.15 }, 20 - 273.15],
      ["order: base, scale, offset", "Float64", 2, { base: 10, scale: 0.5, offset: 1 }, 51],
      ["string numbers from YAML", "Int32", 10, { scale: "3" as unknown as number, offset: "1" as unknown as number }, 31],
      ["Int64 integral scale is exact", "Int64", 4611686018427387903n, { scale: 2 }, 9223372036854775806n],
      ["scale 1 and offset 0 are neutral", "Int8", 5, { scale: 1, offset: 0, base: 0 }, 5],
      ["overflow of the integer type", "Uint8", 200, { scale: 2 }, "overflow"],
      ["negative result of an unsigned type", "Uint16", 5, { offset: -10 }, "overflow"],
      ["Int64 overflow", "Int64", 9223372036854775807n, { offset: 1 }, "overflow"],
      ["Float32 overflow", "Float32", 3e38, { scale: 10 }, "overflow"],
      ["NaN float read", "Float64", NaN, { scale: 2 }, "nan"],
      ["non-numeric types pass through", "String", "x", { scale: 2 }, "x"],
      ["arrays are not transformed", "Int16Array", [1, 2], { scale: 2 }, [1, 2]],
    ];
    for (const [name, t, raw, extra, want] of cases) {
      it(name, () => {
        const r = transformRead(t, raw, props(t, extra));
        if (want === "overflow") assert.equal(r.kind, "overflow");
        else if (want === "nan") assert.equal(r.kind, "nan");
        else {
          assert.equal(r.kind, "value");
          assert.deepEqual(r.kind === "value" ? r.value : undefined, want);
        }
      });
    }
  });

  describe("transformWrite (inverse)", () => {
    const cases: [string, ValueType, RawValue, Partial<ResourceProperties>, RawValue][] = [
      ["offset", "Float64", 10, { offset: 5 }, 5],
      ["scale", "Int16", 21.5 as number, { scale: 0.1 }, 215],
      ["scale then base", "Float64", 8, { base: 2, scale: 4 }, 1],
      ["offset, scale", "Float32", 51, { scale: 0.5, offset: 1 }, 100],
      ["mask and shift are not inverted", "Uint16", 0xab, { mask: 0xff, shift: -8 }, 0xab],
      ["Int64 exact", "Int64", 9223372036854775806n, { scale: 2 }, 4611686018427387903n],
    ];
    for (const [name, t, v, extra, want] of cases) {
      it(name, () => assert.deepEqual(transformWrite("r", t, v, props(t, extra)), want));
    }
    it("round-trips a read transform", () => {
      const p = props("Int32", { scale: 0.5, offset: 10 });
      const read = transformRead("Int32", 100, p);
      assert.equal(read.kind, "value");
      assert.equal(transformWrite("r", "Int32", read.kind === "value" ? read.value : 0, p), 100);
    });
    it("refuses a raw value that does not fit the type with VALUE_OUT_OF_RANGE", () => {
      assert.equal(codeOf(() => transformWrite("r", "Uint8", 100, props("Uint8", { scale: 0.1 }))), "VALUE_OUT_OF_RANGE");
      assert.equal(codeOf(() => transformWrite("r", "Uint16", 1, props("Uint16", { offset: 5 }))), "VALUE_OUT_OF_RANGE");
    });
  });

  describe("checkWriteLimits", () => {
    const p = props("Int16", { minimum: -10, maximum: 100 });
    it("accepts values within [minimum, maximum]", () => {
      for (const v of [-10, 0, 100]) checkWriteLimits("r", "Int16", v, p);
    });
    it("refuses values outside with VALUE_OUT_OF_RANGE", () => {
      assert.equal(codeOf(() => checkWriteLimits("r", "Int16", 101, p)), "VALUE_OUT_OF_RANGE");
      assert.equal(codeOf(() => checkWriteLimits("r", "Int16", -11, p)), "VALUE_OUT_OF_RANGE");
    });
    it("checks bigint values and numeric array elements", () => {
      assert.equal(codeOf(() => checkWriteLimits("r", "Int64", 101n, props("Int64", { maximum: 100 }))), "VALUE_OUT_OF_RANGE");
      assert.equal(codeOf(() => checkWriteLimits("r", "Float32Array", [1, 5.5], props("Float32Array", { maximum: 5 }))), "VALUE_OUT_OF_RANGE");
    });
    it("ignores limits on non-numeric types", () => checkWriteLimits("r", "String", "zzz", props("String", { maximum: 1 })));
  });
});
