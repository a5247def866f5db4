import { strict as assert } from "node:assert";
import { ServiceError, type DeviceResource, type ResourceOperation, type ValueType } from "@brink/contracts";
import type { RawValue } from "../../../src/driver.js";
import { buildReading, readingOf } from "../../../src/internal/pipeline/readings.js";

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
});
