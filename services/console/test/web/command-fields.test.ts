/** The write form's fields from the profile, and the checks a value passes before it is sent. */
import { strict as assert } from "node:assert";
import { bodyOf, fieldsOf, problemOf, type Field } from "../../web/src/command-fields.js";
import type { CoreCommand, DeviceProfile } from "../../web/src/types.js";

const PROFILE: DeviceProfile = {
  name: "Pump",
  deviceResources: [
    { name: "Speed", properties: { valueType: "Uint16", readWrite: "RW", units: "rpm", minimum: 100, maximum: 3000, defaultValue: "1000" } },
    { name: "Mode", properties: { valueType: "Uint8", readWrite: "RW" } },
    { name: "Enable", properties: { valueType: "Bool", readWrite: "W" } },
    { name: "Config", properties: { valueType: "Object", readWrite: "W" } },
    { name: "Gains", properties: { valueType: "Float32Array", readWrite: "W" } },
  ],
  deviceCommands: [
    { name: "Run", readWrite: "W", resourceOperations: [{ deviceResource: "Speed" }, { deviceResource: "Mode", defaultValue: "1", mappings: { "1": "auto", "2": "manual" } }, { deviceResource: "Enable", defaultValue: "true" }] },
  ],
};

const RUN: CoreCommand = {
  name: "Run",
  get: false,
  set: true,
  path: "/api/v3/device/name/P1/Run",
  parameters: [
    { resourceName: "Speed", valueType: "Uint16" },
    { resourceName: "Mode", valueType: "Uint8" },
    { resourceName: "Enable", valueType: "Bool" },
  ],
};

describe("fieldsOf", () => {
  it("takes types, ranges and units from the resources, defaults and mappings from the command", () => {
    assert.deepEqual(fieldsOf(RUN, PROFILE), [
      { resource: "Speed", valueType: "Uint16", units: "rpm", minimum: 100, maximum: 3000, defaultValue: "1000" },
      { resource: "Mode", valueType: "Uint8", defaultValue: "1", choices: ["auto", "manual"] },
      { resource: "Enable", valueType: "Bool", defaultValue: "true" },
    ]);
  });

  it("makes one field of a resource command", () => {
    const fields = fieldsOf({ name: "Speed", get: true, set: true, path: "", parameters: [] }, PROFILE);
    assert.deepEqual(fields.map((f) => [f.resource, f.valueType]), [["Speed", "Uint16"]]);
  });
});

describe("problemOf", () => {
  const field = (f: Partial<Field> & { valueType: string }): Field => ({ resource: "r", ...f });
  const cases: [Field, string, boolean][] = [
    [field({ valueType: "Uint16", minimum: 100, maximum: 3000 }), "1200", true],
    [field({ valueType: "Uint16", minimum: 100, maximum: 3000 }), "99", false],
    [field({ valueType: "Uint16", minimum: 100, maximum: 3000 }), "3001", false],
    [field({ valueType: "Uint8" }), "256", false],
    [field({ valueType: "Uint8" }), "-1", false],
    [field({ valueType: "Int8" }), "-128", true],
    [field({ valueType: "Int32" }), "1.5", false],
    [field({ valueType: "Int64" }), "9223372036854775807", true],
    [field({ valueType: "Float64" }), "42.5", true],
    [field({ valueType: "Float64" }), "4.25e+01", true],
    [field({ valueType: "Float64" }), "abc", false],
    [field({ valueType: "Bool" }), "true", true],
    [field({ valueType: "Bool" }), "yes", false],
    [field({ valueType: "Uint8", choices: ["auto", "manual"] }), "manual", true],
    [field({ valueType: "Uint8", choices: ["auto", "manual"] }), "2", false],
    [field({ valueType: "Float32Array" }), "[1, 2.5]", true],
    [field({ valueType: "Float32Array" }), "1, 2", false],
    [field({ valueType: "Object" }), '{"a": 1}', true],
    [field({ valueType: "Object" }), "[1]", false],
    [field({ valueType: "String" }), "anything", true],
    [field({ valueType: "Int8" }), "   ", true],
  ];
  for (const [f, value, ok] of cases) {
    it(`${ok ? "accepts" : "refuses"} ${JSON.stringify(value)} for ${f.valueType}${f.choices ? " with mappings" : ""}${f.minimum !== undefined ? ` in ${f.minimum}..${f.maximum}` : ""}`, () => {
      assert.equal(problemOf(f, value) === undefined, ok, problemOf(f, value));
    });
  }
});

describe("bodyOf", () => {
  it("sends only filled fields, Object values as JSON and the rest as EdgeX strings", () => {
    const fields = fieldsOf(RUN, PROFILE);
    assert.deepEqual(bodyOf(fields, { Speed: " 1200 ", Mode: "", Enable: "false" }), { Speed: "1200", Enable: "false" });
    assert.deepEqual(bodyOf([{ resource: "Config", valueType: "Object" }], { Config: '{"a":[1,2]}' }), { Config: { a: [1, 2] } });
  });
});
