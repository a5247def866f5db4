import { strict as assert } from "node:assert";
import { ServiceError, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { VirtualErrorCode } from "../src/errors.js";
import { checkWriteValue, parseDefaultValue, zeroValue } from "../src/values.js";

describe("values", () => {
  describe("parseDefaultValue", () => {
    const good: [ValueType, string, RawValue][] = [
      ["Bool", "true", true],
      ["Bool", "F", false],
      ["Int8", "-128", -128],
      ["Uint64", "18446744073709551615", 18446744073709551615n],
      ["Int64", "-9223372036854775808", -9223372036854775808n],
      ["Float32", "0.1", Math.fround(0.1)],
      ["Float64", "1e-3", 0.001],
      ["String", "hello world", "hello world"],
      ["BoolArray", "[true]", [true]],
      ["Int16Array", "[1 2 -3]", [1, 2, -3]],
      ["Float64Array", "[1.5, 2]", [1.5, 2]],
      ["StringArray", '["a b", "c"]', ["a b", "c"]],
      ["Uint8Array", "[]", []],
      ["Object", '{"key1": "value1", "key2": 123}', { key1: "value1", key2: 123 }],
      ["ObjectArray", '[{"a": 1}]', [{ a: 1 }]],
    ];
    for (const [type, text, expected] of good) {
      it(`reads ${type} ${text}`, () => assert.deepEqual(parseDefaultValue(type, text, "R"), expected));
    }

    const bad: [ValueType, string][] = [
      ["Bool", "yes"],
      ["Int8", "128"],
      ["Uint8", "-1"],
      ["Int32", "1.5"],
      ["Float64", "abc"],
      ["Float32", "1e39"],
      ["Int8Array", "1 2"],
      ["Object", "[1]"],
      ["ObjectArray", '{"a": 1}'],
      ["Object", "{"],
    ];
    for (const [type, text] of bad) {
      it(`refuses ${type} ${text} with VIRTUAL_DEFAULT_VALUE_INVALID`, () => {
        assert.throws(() => parseDefaultValue(type, text, "R"), (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.DefaultValueInvalid && err.kind === "ServerError");
      });
    }
  });

  describe("checkWriteValue", () => {
    const good: [ValueType, RawValue, RawValue][] = [
      ["Bool", false, false],
      ["Uint32", 4294967295, 4294967295],
      ["Int64", 5, 5n],
      ["Int64", -5n, -5n],
      ["Float32", 0.1, Math.fround(0.1)],
      ["Float64Array", [1, 2.5], [1, 2.5]],
      ["Object", { a: 1 }, { a: 1 }],
      ["ObjectArray", [{ a: 1 }], [{ a: 1 }]],
    ];
    for (const [type, value, expected] of good) {
      it(`accepts ${type} ${String(value)}`, () => assert.deepEqual(checkWriteValue(type, value, "R"), expected));
    }

    const bad: [ValueType, RawValue][] = [
      ["Bool", "true"],
      ["Int8", -129],
      ["Uint64", -1n],
      ["Int32", 1.5],
      ["Float64", "1"],
      ["Float32", 1e39],
      ["StringArray", "a"],
      ["Object", [1]],
      ["ObjectArray", [1]],
    ];
    for (const [type, value] of bad) {
      it(`refuses ${type} ${String(value)} with VIRTUAL_VALUE_INVALID`, () => {
        assert.throws(() => checkWriteValue(type, value, "R"), (err: unknown) => err instanceof ServiceError && err.code === VirtualErrorCode.ValueInvalid && err.kind === "ContractInvalid");
      });
    }
  });

  it("has a zero value for every type", () => {
    assert.deepEqual([zeroValue("Bool"), zeroValue("Int64"), zeroValue("Float32"), zeroValue("String"), zeroValue("Object"), zeroValue("Int8Array")], [false, 0n, 0, "", {}, []]);
    assert.ok(zeroValue("Binary") instanceof Uint8Array);
  });
});
