import { strict as assert } from "node:assert";
import { ServiceError, type DeviceResource, type ResourceOperation, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../../src/driver.js";
import { buildReading, plainReadOf, plainText, readingOf, simpleReading } from "../../../src/internal/pipeline/readings.js";

const ctx = { deviceName: "dev", profileName: "prof", origin: 1700000000000000000n };

function resource(name: string, valueType: ValueType, extra: Partial<DeviceResource["properties"]> = {}, more: Partial<DeviceResource> = {}): DeviceResource {
  return { name, properties: { valueType, readWrite: "RW", ...extra }, ...more };
}

function value(r: DeviceResource, v: RawValue, operation?: ResourceOperation) {
  return { resource: r, valueType: r.properties.valueType, operation, value: v };
}

describe("readings", () => {
  it("builds a SimpleReading with EdgeX's float text, units, tags and the event origin", () => {
    const r = resource("temp", "Float32", { units: "degC", scale: 0.1 }, { tags: { floor: "2" } });
    const reading = buildReading(value(r, 215), ctx);
    assert.equal(reading.valueType, "Float32");
    assert.equal("value" in reading && reading.value, "2.15e+01");
    assert.equal(reading.units, "degC");
    assert.deepEqual(reading.tags, { floor: "2" });
    assert.equal(reading.origin, ctx.origin);
    assert.equal(reading.deviceName, "dev");
    assert.equal(reading.profileName, "prof");
    assert.match(reading.id ?? "", /^[0-9a-f-]{36}$/);
  });

  it("keeps a value's own origin", () => {
    const reading = buildReading({ ...value(resource("a", "Int8"), 1), origin: 5n }, ctx);
    assert.equal(reading.origin, 5n);
  });

  it("writes Binary as base64 with its media type", () => {
    const reading = buildReading(value(resource("img", "Binary", { mediaType: "image/png" }), new Uint8Array([1, 2, 3])), ctx);
    assert.ok("binaryValue" in reading);
    assert.equal(reading.binaryValue, "AQID");
    assert.equal(reading.mediaType, "image/png");
  });

  it("writes Object values as objectValue", () => {
    const reading = buildReading(value(resource("o", "Object"), { a: 1 }), ctx);
    assert.ok("objectValue" in reading);
    assert.deepEqual(reading.objectValue, { a: 1 });
  });

  it("maps a raw value through the resource operation (1 -> ON) into a String reading", () => {
    const op: ResourceOperation = { deviceResource: "sw", mappings: { "1": "ON", "0": "OFF" } };
    const reading = buildReading(value(resource("sw", "Uint8"), 1, op), ctx);
    assert.equal(reading.valueType, "String");
    assert.equal("value" in reading && reading.value, "ON");
  });

  it("leaves unmapped values as they are", () => {
    const op: ResourceOperation = { deviceResource: "sw", mappings: { "1": "ON" } };
    const reading = buildReading(value(resource("sw", "Uint8"), 7, op), ctx);
    assert.equal(reading.valueType, "Uint8");
    assert.equal("value" in reading && reading.value, "7");
  });

  it("turns an overflowing transform into the String reading \"overflow\"", () => {
    const reading = buildReading(value(resource("u", "Uint8", { scale: 10 }), 100), ctx);
    assert.equal(reading.valueType, "String");
    assert.equal("value" in reading && reading.value, "overflow");
  });

  it("turns a NaN float into the String reading \"NaN\"", () => {
    const reading = buildReading(value(resource("f", "Float64"), NaN), ctx);
    assert.equal("value" in reading && reading.value, "NaN");
  });

  it("passes an assertion that holds and throws ASSERTION_FAILED when it does not", () => {
    const r = resource("ok", "Bool", { assertion: "true" });
    assert.equal(buildReading(value(r, true), ctx).valueType, "Bool");
    assert.throws(() => buildReading(value(r, false), ctx), (err: unknown) => err instanceof ServiceError && err.code === "ASSERTION_FAILED" && err.kind === "ServerError");
  });

  it("readingOf skips transforms but applies mappings (written values)", () => {
    const op: ResourceOperation = { deviceResource: "sw", mappings: { "1": "ON" } };
    const r = resource("sw", "Uint8", { scale: 10 });
    assert.equal("value" in readingOf(value(r, 1, op), ctx) && (readingOf(value(r, 1, op), ctx) as { value: string }).value, "ON");
    assert.equal((readingOf(value(r, 3), ctx) as { value: string }).value, "3");
  });

  describe("the poll's fast path (plainReadOf, plainText, simpleReading)", () => {
    const without = ({ id: _id, ...rest }: Record<string, unknown>) => rest;
    const cases: [ValueType, unknown[]][] = [
      ["Uint8", [0, 255, 256, -1, 1.5, "7", true]],
      ["Uint16", [0, 65535, 65536, 12.25]],
      ["Uint32", [0, 4294967295, 4294967296, -0]],
      ["Int8", [-128, 127, 128, -129]],
      ["Int16", [-32768, 32767, 40000]],
      ["Int32", [-2147483648, 2147483647, 2147483648, NaN]],
      ["Float32", [1.5, 0.1, Math.fround(0.1), NaN, Infinity, -Infinity, -0, 3.4e38, "1.5"]],
      ["Float64", [0.1, 1e300, NaN, Infinity, -0, 5]],
      ["Bool", [true, false, 1, "true"]],
      ["String", ["", "hello world", 5]],
    ];
    for (const [valueType, values] of cases) {
      for (const units of [undefined, "", "kWh"]) {
        it(`gives buildReading's reading, or sends the value the long way, for ${valueType}${units === undefined ? "" : ` with units "${units}"`}`, () => {
          const r = resource("x", valueType, units === undefined ? {} : { units });
          const plain = plainReadOf(r, valueType, undefined);
          assert.ok(plain, `${valueType} is plain`);
          for (const v of values) {
            const text = plainText(plain, v);
            if (text === undefined) continue;
            const slow = buildReading(value(r, v as RawValue), ctx);
            const fast = simpleReading(ctx, r.name, valueType, plain.units, ctx.origin, text);
            assert.deepEqual(without(fast as never), without(slow as never), `${valueType} ${String(v)}`);
            assert.deepEqual(Object.keys(fast), Object.keys(slow), "the same shape, in the same order");
          }
        });
      }
    }

    it("takes only canonical values: wrong types, out-of-range or fractional integers, NaN and unrounded Float32 go the long way", () => {
      const plainOf = (t: ValueType) => plainReadOf(resource("x", t), t, undefined)!;
      assert.equal(plainText(plainOf("Uint8"), 256), undefined);
      assert.equal(plainText(plainOf("Uint8"), -1), undefined);
      assert.equal(plainText(plainOf("Int16"), 1.5), undefined);
      assert.equal(plainText(plainOf("Int32"), "7"), undefined);
      assert.equal(plainText(plainOf("Float32"), 0.1), undefined, "0.1 is not a float32: normalizeRaw rounds it");
      assert.equal(plainText(plainOf("Float64"), NaN), undefined, "NaN becomes the String reading \"NaN\"");
      assert.equal(plainText(plainOf("Bool"), 1), undefined);
      assert.equal(plainText(plainOf("String"), 5), undefined);
      assert.equal(plainText(plainOf("Uint16"), 65535), "65535");
      assert.equal(plainText(plainOf("Float32"), 1.5), "1.5e+00");
    });

    it("is not for resources whose readings need more: transforms, assertions, mappings, tags, 64-bit, arrays, Binary, Object", () => {
      assert.equal(plainReadOf(resource("x", "Float32", { scale: 0.1 }), "Float32", undefined), undefined);
      assert.equal(plainReadOf(resource("x", "Uint16", { mask: 0xff }), "Uint16", undefined), undefined);
      assert.equal(plainReadOf(resource("x", "Int16", { offset: "2" as unknown as number }), "Int16", undefined), undefined); // YAML may give a number as text
      assert.equal(plainReadOf(resource("x", "Bool", { assertion: "true" }), "Bool", undefined), undefined);
      assert.equal(plainReadOf(resource("x", "Uint8"), "Uint8", { deviceResource: "x", mappings: { "1": "ON" } }), undefined);
      assert.equal(plainReadOf(resource("x", "Uint8", {}, { tags: { floor: "2" } }), "Uint8", undefined), undefined);
      for (const t of ["Int64", "Uint64", "Uint16Array", "Binary", "Object", "ObjectArray"] as const) assert.equal(plainReadOf(resource("x", t), t, undefined), undefined, t);
      assert.ok(plainReadOf(resource("x", "Float32", { scale: 1, offset: 0, units: "V" }), "Float32", undefined), "identity transforms are none");
      assert.ok(plainReadOf(resource("x", "Uint8", {}, { tags: {} }), "Uint8", undefined), "empty tags are none");
    });
  });
});
