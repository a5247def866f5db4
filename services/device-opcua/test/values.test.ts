import { strict as assert } from "node:assert";
import type { ValueType } from "@brink/contracts";
import { OpcuaErrorCode } from "../src/errors.js";
import { ArrayKind, BuiltinType as T, fromVariant, toVariant, valueTypeOf, type NodeType, type VariantLike } from "../src/values.js";

const scalar = (dataType: number, value: unknown): VariantLike => ({ dataType, arrayType: ArrayKind.Scalar, value });
const array = (dataType: number, value: unknown): VariantLike => ({ dataType, arrayType: ArrayKind.Array, value });
const words = (v: bigint): [number, number] => [Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn), Number(BigInt.asUintN(64, v) & 0xffffffffn)];

describe("fromVariant", () => {
  const cases: [string, ValueType, VariantLike, unknown][] = [
    ["Boolean as Bool", "Bool", scalar(T.Boolean, true), true],
    ["SByte as Int8", "Int8", scalar(T.SByte, -5), -5],
    ["Int16 as Int32 (widening)", "Int32", scalar(T.Int16, -1234), -1234],
    ["UInt32 as Uint32", "Uint32", scalar(T.UInt32, 4_000_000_000), 4_000_000_000],
    ["Int64 words as Int64", "Int64", scalar(T.Int64, words(-9_007_199_254_740_993n)), -9_007_199_254_740_993n],
    ["UInt64 words as Uint64", "Uint64", scalar(T.UInt64, words(18_446_744_073_709_551_615n)), 18_446_744_073_709_551_615n],
    ["Int64 words as Int32 when in range", "Int32", scalar(T.Int64, words(-7n)), -7],
    ["Float as Float32", "Float32", scalar(T.Float, 1.5), 1.5],
    ["Int32 as Float64", "Float64", scalar(T.Int32, 7), 7],
    ["String as String", "String", scalar(T.String, "hi"), "hi"],
    ["a null String as empty", "String", scalar(T.String, null), ""],
    ["DateTime as String", "String", scalar(T.DateTime, new Date(Date.UTC(2024, 0, 2))), "2024-01-02T00:00:00.000Z"],
    ["DateTime as Int64 ns", "Int64", scalar(T.DateTime, new Date(1000)), 1_000_000_000n],
    ["LocalizedText as String", "String", scalar(T.LocalizedText, { text: "Grüße", locale: "de" }), "Grüße"],
    ["Double as String", "String", scalar(T.Double, 2.5), "2.5"],
    ["StatusCode as Uint32", "Uint32", scalar(T.StatusCode, { value: 0x80340000, name: "BadNodeIdUnknown" }), 0x80340000],
    ["ByteString as Binary", "Binary", scalar(T.ByteString, Buffer.from([1, 2])), new Uint8Array([1, 2])],
    ["Int32Array as Int32Array", "Int32Array", array(T.Int32, Int32Array.from([1, -2])), [1, -2]],
    ["Boolean array as BoolArray", "BoolArray", array(T.Boolean, [true, false]), [true, false]],
    ["Int64 array as Int64Array", "Int64Array", array(T.Int64, [words(-1n), words(5n)]), [-1n, 5n]],
    ["String array as StringArray", "StringArray", array(T.String, ["a", "b"]), ["a", "b"]],
    ["Byte array as Uint8Array", "Uint8Array", array(T.Byte, Uint8Array.from([0, 255])), [0, 255]],
    ["ExtensionObject as Object", "Object", scalar(T.ExtensionObject, { a: 1, b: 2n }), { a: 1, b: "2" }],
  ];
  for (const [what, valueType, variant, expected] of cases) {
    it(`reads ${what}`, () => assert.deepEqual(fromVariant("r", valueType, variant), expected));
  }

  const refused: [string, ValueType, VariantLike][] = [
    ["a String as Int32", "Int32", scalar(T.String, "12")],
    ["an Int32 out of Int8", "Int8", scalar(T.Int32, 300)],
    ["a Double as Int32", "Int32", scalar(T.Double, 1.5)],
    ["an array as a scalar", "Int32", array(T.Int32, [1])],
    ["a scalar as an array", "Int32Array", scalar(T.Int32, 1)],
    ["a Boolean as Float64", "Float64", scalar(T.Boolean, true)],
    ["no value", "Int32", scalar(T.Null, null)],
    ["a UInt64 beyond 2^53 as Float64", "Float64", scalar(T.UInt64, words(2n ** 60n))],
  ];
  for (const [what, valueType, variant] of refused) {
    it(`refuses ${what} with OPCUA_VALUE_UNSUPPORTED`, () => {
      assert.throws(() => fromVariant("r", valueType, variant), (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.ValueUnsupported);
    });
  }
});

describe("toVariant", () => {
  const S = (dataType: number): NodeType => ({ dataType, valueRank: -1 });
  const A = (dataType: number): NodeType => ({ dataType, valueRank: 1 });
  const cases: [string, unknown, NodeType, VariantLike][] = [
    ["a number into a Float node", 2.5, S(T.Float), scalar(T.Float, 2.5)],
    ["an integer into a Double node", 7, S(T.Double), scalar(T.Double, 7)],
    ["a number into a Byte node", 255, S(T.Byte), scalar(T.Byte, 255)],
    ["a bigint into an Int64 node", -5n, S(T.Int64), scalar(T.Int64, words(-5n))],
    ["a number into a UInt64 node", 7, S(T.UInt64), scalar(T.UInt64, [0, 7])],
    ["a bigint into an Int32 node", 7n, S(T.Int32), scalar(T.Int32, 7)],
    ["a string into a LocalizedText node", "x", S(T.LocalizedText), scalar(T.LocalizedText, { text: "x" })],
    ["an RFC 3339 string into a DateTime node", "2024-01-02T00:00:00Z", S(T.DateTime), scalar(T.DateTime, new Date(Date.UTC(2024, 0, 2)))],
    ["Int64 ns into a DateTime node", 1_000_000_000n, S(T.DateTime), scalar(T.DateTime, new Date(1000))],
    ["an array into an Int16 array node", [1, -2], A(T.Int16), array(T.Int16, [1, -2])],
    ["an array into a ValueRank -2 node", [true], { dataType: T.Boolean, valueRank: -2 }, array(T.Boolean, [true])],
  ];
  for (const [what, raw, target, expected] of cases) {
    it(`writes ${what}`, () => assert.deepEqual(toVariant("r", raw as never, target), expected));
  }

  const refused: [string, unknown, NodeType][] = [
    ["a string into an Int32 node", "abc", S(T.Int32)],
    ["a fraction into an Int32 node", 3.7, S(T.Int32)],
    ["300 into a Byte node", 300, S(T.Byte)],
    ["a negative number into a UInt32 node", -1, S(T.UInt32)],
    ["1e39 into a Float node", 1e39, S(T.Float)],
    ["a number into a String node", 5, S(T.String)],
    ["a number into a Boolean node", 1, S(T.Boolean)],
    ["an array into a scalar node", [1], S(T.Int32)],
    ["a scalar into an array node", 1, A(T.Int32)],
    ["an object into an ExtensionObject node", { a: 1 }, S(T.ExtensionObject)],
    ["a bad GUID into a Guid node", "nope", S(T.Guid)],
  ];
  for (const [what, raw, target] of refused) {
    it(`refuses ${what} with OPCUA_TYPE_MISMATCH`, () => {
      assert.throws(() => toVariant("r", raw as never, target), (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.TypeMismatch);
    });
  }
});

describe("valueTypeOf", () => {
  it("maps scalar and array DataTypes to EdgeX value types", () => {
    assert.equal(valueTypeOf({ dataType: T.Double, valueRank: -1 }), "Float64");
    assert.equal(valueTypeOf({ dataType: T.UInt16, valueRank: 1 }), "Uint16Array");
    assert.equal(valueTypeOf({ dataType: T.ByteString, valueRank: -1 }), "Binary");
    assert.equal(valueTypeOf({ dataType: T.DateTime, valueRank: -1 }), "String");
    assert.equal(valueTypeOf({ dataType: T.ExtensionObject, valueRank: 1 }), "ObjectArray");
    assert.equal(valueTypeOf({ dataType: T.DiagnosticInfo, valueRank: -1 }), undefined);
    assert.equal(valueTypeOf({ dataType: T.Double, valueRank: -2 }), undefined);
  });
});
