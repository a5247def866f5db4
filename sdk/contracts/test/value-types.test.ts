import assert from "node:assert/strict";
import { VALUE_TYPES, elementType, isArrayType, isFloatType, isIntegerType, isWritableType, normalizeValueType } from "@brink/contracts";

describe("value types", () => {
  it("has the 27 EdgeX value types", () => {
    assert.equal(VALUE_TYPES.length, 27);
    assert.equal(new Set(VALUE_TYPES).size, 27);
  });

  it("matches every value type case-insensitively and returns the canonical spelling", () => {
    for (const t of VALUE_TYPES) {
      for (const spelling of [t, t.toLowerCase(), t.toUpperCase(), t[0]!.toLowerCase() + t.slice(1)]) assert.equal(normalizeValueType(spelling), t);
    }
    assert.equal(normalizeValueType("Float128"), undefined);
    assert.equal(normalizeValueType(""), undefined);
  });

  it("classifies types", () => {
    assert.ok(isIntegerType("Uint64") && !isIntegerType("Float32"));
    assert.ok(isFloatType("Float64") && !isFloatType("Int8"));
    assert.ok(isArrayType("BoolArray") && !isArrayType("ObjectArray") && !isArrayType("Bool"));
    assert.equal(elementType("Float32Array"), "Float32");
    assert.equal(elementType("Object"), undefined);
    assert.ok(!isWritableType("Binary") && isWritableType("String"));
  });
});
