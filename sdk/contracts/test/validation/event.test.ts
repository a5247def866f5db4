import assert from "node:assert/strict";
import { ErrorCode, VALUE_TYPES, parseJson, stringifyJson, validateAddEventRequest, validateEvent, type ValueType } from "@brink/contracts";
import { clone, problemsOf, where } from "../helpers.js";

const ORIGIN = 1700000000123456789n;

function reading(valueType: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { id: "r1", origin: ORIGIN, deviceName: "Meter 1", profileName: "Power-Meter", resourceName: "Energy", valueType, ...fields };
}

function event(readings: Record<string, unknown>[]): Record<string, unknown> {
  return { id: "8c1a4a4e-7d1e-4f53-9a4e-51b0d3f6a2c1", deviceName: "Meter 1", profileName: "Power-Meter", sourceName: "Energy", origin: ORIGIN, readings };
}

/** A valid value for each of the 27 types. */
const SAMPLE: Record<ValueType, Record<string, unknown>> = {
  Bool: { value: "true" }, String: { value: "hello, world" },
  Uint8: { value: "255" }, Uint16: { value: "65535" }, Uint32: { value: "4294967295" }, Uint64: { value: "18446744073709551615" },
  Int8: { value: "-128" }, Int16: { value: "-32768" }, Int32: { value: "2147483647" }, Int64: { value: "-9223372036854775808" },
  Float32: { value: "3.4e38" }, Float64: { value: "-1.5e-300" },
  Binary: { binaryValue: "AAEC", mediaType: "application/octet-stream" },
  BoolArray: { value: "[true, false]" }, StringArray: { value: "[a, b]" },
  Uint8Array: { value: "[0, 255]" }, Uint16Array: { value: "[1]" }, Uint32Array: { value: "[]" }, Uint64Array: { value: "[18446744073709551615]" },
  Int8Array: { value: "[-1, 1]" }, Int16Array: { value: "[2, 3]" }, Int32Array: { value: "[4]" }, Int64Array: { value: "[5, -6]" },
  Float32Array: { value: "[1.000000e+00, 2.5]" }, Float64Array: { value: "[NaN, +Inf]" },
  Object: { objectValue: { a: 1 } }, ObjectArray: { objectValue: [{ a: 1 }, { b: 2 }] },
};

describe("validateEvent", () => {
  it("accepts a reading of each of the 27 value types, in any letter case, and canonicalises it in place", () => {
    assert.equal(Object.keys(SAMPLE).length, 27);
    for (const t of VALUE_TYPES) {
      for (const spelling of [t, t.toLowerCase(), t.toUpperCase()]) {
        const input = event([reading(spelling, SAMPLE[t])]);
        const out = validateEvent(input);
        assert.equal(out, input, "returns the same object");
        assert.equal(out.readings[0]!.valueType, t);
      }
    }
  });

  it("reads origin given as a number or decimal string as bigint", () => {
    const input = event([reading("Int16", { value: "1", origin: "1700000000000000001" })]);
    input.origin = 1700000000000;
    const out = validateEvent(input);
    assert.equal(out.origin, 1700000000000n);
    assert.equal(out.readings[0]!.origin, 1700000000000000001n);
  });

  it("keeps origin exact through stringifyJson and parseJson", () => {
    const out = validateEvent(parseJson(stringifyJson(event([reading("Float64", { value: "1.5" })]))));
    assert.equal(out.origin, ORIGIN);
    assert.equal(out.readings[0]!.origin, ORIGIN);
  });

  it("leaves a valid canonical event untouched", () => {
    const input = event([reading("Int32", { value: "7" })]);
    const before = clone(input);
    validateEvent(input);
    assert.deepEqual(input, before);
  });

  const bad: [string, () => unknown, string[]][] = [
    ["not an object", () => "event", [""]],
    ["missing fields", () => ({ readings: [reading("Int8", { value: "1" })] }), ["id", "deviceName", "profileName", "sourceName", "origin"]],
    ["empty deviceName", () => ({ ...event([reading("Int8", { value: "1" })]), deviceName: " " }), ["deviceName"]],
    ["fractional origin", () => ({ ...event([reading("Int8", { value: "1" })]), origin: 1.5 }), ["origin"]],
    ["negative origin", () => ({ ...event([reading("Int8", { value: "1" })]), origin: -5n }), ["origin"]],
    ["no readings", () => event([]), ["readings"]],
    ["readings not a list", () => ({ ...event([]), readings: {} }), ["readings"]],
    ["reading not an object", () => event([5 as unknown as Record<string, unknown>]), ["readings[0]"]],
    ["unknown value type", () => event([reading("Int128", { value: "1" })]), ["readings[0].valueType"]],
    ["missing value", () => event([reading("Int8", {})]), ["readings[0].value"]],
    ["value not a string", () => event([reading("Int8", { value: 1 })]), ["readings[0].value"]],
    ["value out of range", () => event([reading("Uint8", { value: "256" })]), ["readings[0].value"]],
    ["Binary without mediaType", () => event([reading("Binary", { binaryValue: "AA==" })]), ["readings[0].mediaType"]],
    ["Binary without binaryValue", () => event([reading("Binary", { mediaType: "image/png" })]), ["readings[0].binaryValue"]],
    ["Object without objectValue", () => event([reading("Object", {})]), ["readings[0].objectValue"]],
    ["ObjectArray with an object", () => event([reading("ObjectArray", { objectValue: { a: 1 } })]), ["readings[0].objectValue"]],
    ["tags not an object", () => ({ ...event([reading("Int8", { value: "1" })]), tags: [1] }), ["tags"]],
    ["reading without resourceName", () => event([reading("Int8", { value: "1", resourceName: undefined })]), ["readings[0].resourceName"]],
  ];
  for (const [what, make, paths] of bad) {
    it(`reports ${what}`, () => {
      assert.deepEqual(where(problemsOf(() => validateEvent(make()), ErrorCode.EventInvalid)), paths);
    });
  }

  it("lists the problems of every reading", () => {
    const e = event([reading("Int8", { value: "300" }), reading("Bool", { value: "yes" }), reading("Float32Array", { value: "1.0, 2.0" })]);
    assert.deepEqual(where(problemsOf(() => validateEvent(e), ErrorCode.EventInvalid)), ["readings[0].value", "readings[1].value", "readings[2].value"]);
  });

  it("does not modify an event it rejects", () => {
    const e = event([reading("int8", { value: "1" }), reading("Int8", { value: "x" })]);
    e.origin = 5;
    const before = clone(e);
    problemsOf(() => validateEvent(e), ErrorCode.EventInvalid);
    assert.deepEqual(e, before);
  });
});

describe("validateAddEventRequest", () => {
  it("validates the wrapped event and normalises it", () => {
    const req = validateAddEventRequest({ apiVersion: "v3", event: event([reading("float64", { value: "2" })]) });
    assert.equal(req.event.readings[0]!.valueType, "Float64");
  });

  it("reports paths under event", () => {
    assert.deepEqual(where(problemsOf(() => validateAddEventRequest({ event: event([reading("Int8", { value: "a" })]) }), ErrorCode.EventInvalid)), [
      "apiVersion",
      "event.readings[0].value",
    ]);
    assert.deepEqual(where(problemsOf(() => validateAddEventRequest({ apiVersion: "v3" }), ErrorCode.EventInvalid)), ["event"]);
  });
});
