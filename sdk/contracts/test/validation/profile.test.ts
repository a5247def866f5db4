import assert from "node:assert/strict";
import { ErrorCode, parseProfile, validateProfile, VALUE_TYPES, type DeviceProfile } from "@brink/contracts";
import { clone, problemsOf, where } from "../helpers.js";

/** A valid profile as a REST body would carry it. */
const VALID = {
  name: "Thermostat",
  manufacturer: "Acme",
  model: "T-1",
  labels: ["hvac"],
  deviceResources: [
    { name: "Temperature", properties: { valueType: "Float32", readWrite: "R", units: "C", minimum: -40, maximum: 125 } },
    { name: "Setpoint", properties: { valueType: "Int16", readWrite: "RW", scale: 0.1 } },
    { name: "Mode", properties: { valueType: "String", readWrite: "W" } },
    { name: "Snapshot", properties: { valueType: "Binary", readWrite: "R", mediaType: "image/png" } },
  ],
  deviceCommands: [{ name: "Climate", readWrite: "R", resourceOperations: [{ deviceResource: "Temperature" }, { deviceResource: "Setpoint" }] }],
};

type Body = typeof VALID & Record<string, unknown>;

function mutated(change: (p: Body) => void): Body {
  const p = clone(VALID) as Body;
  change(p);
  return p;
}

describe("validateProfile", () => {
  it("accepts a valid profile and fills defaults", () => {
    const p = validateProfile(clone(VALID));
    assert.equal(p.name, "Thermostat");
    assert.equal(p.deviceResources[0]!.isHidden, false);
    assert.equal(p.deviceCommands![0]!.isHidden, false);
    assert.deepEqual(p.deviceResources[0]!.properties, VALID.deviceResources[0]!.properties);
  });

  const bad: [string, (p: Body) => void, string][] = [
    ["missing name", (p) => delete (p as Partial<Body>).name, "name"],
    ["empty name", (p) => (p.name = " "), "name"],
    ["name with /", (p) => (p.name = "a/b"), "name"],
    ["name with #", (p) => (p.name = "a#b"), "name"],
    ["name with +", (p) => (p.name = "a+b"), "name"],
    ["name with $", (p) => (p.name = "a$b"), "name"],
    ["name not a string", (p) => ((p as Record<string, unknown>).name = 5), "name"],
    ["resource name with #", (p) => (p.deviceResources[2]!.name = "Mo#de"), "deviceResources[2].name"],
    ["empty resource name", (p) => (p.deviceResources[2]!.name = ""), "deviceResources[2].name"],
    ["command name with +", (p) => (p.deviceCommands[0]!.name = "Cli+mate"), "deviceCommands[0].name"],
    ["resource without properties", (p) => delete (p.deviceResources[2] as Partial<(typeof VALID.deviceResources)[0]>).properties, "deviceResources[2].properties"],
    ["missing valueType", (p) => delete (p.deviceResources[2]!.properties as { valueType?: string }).valueType, "deviceResources[2].properties.valueType"],
    ["unknown valueType", (p) => (p.deviceResources[3]!.properties.valueType = "Float128"), "deviceResources[3].properties.valueType"],
    ["missing readWrite", (p) => delete (p.deviceResources[2]!.properties as { readWrite?: string }).readWrite, "deviceResources[2].properties.readWrite"],
    ["bad readWrite", (p) => (p.deviceResources[1]!.properties.readWrite = "X"), "deviceResources[1].properties.readWrite"],
    ["Binary writable", (p) => (p.deviceResources[3]!.properties.readWrite = "rw"), "deviceResources[3].properties.readWrite"],
    ["duplicate resource", (p) => (p.deviceResources[2]!.name = "Temperature"), "deviceResources[2].name"],
    ["non-numeric minimum", (p) => ((p.deviceResources[0]!.properties as Record<string, unknown>).minimum = "low"), "deviceResources[0].properties.minimum"],
    ["non-numeric scale", (p) => ((p.deviceResources[1]!.properties as Record<string, unknown>).scale = "x0.1"), "deviceResources[1].properties.scale"],
    ["boolean offset", (p) => ((p.deviceResources[1]!.properties as Record<string, unknown>).offset = true), "deviceResources[1].properties.offset"],
    ["negative mask", (p) => ((p.deviceResources[1]!.properties as Record<string, unknown>).mask = -1), "deviceResources[1].properties.mask"],
    ["fractional shift", (p) => ((p.deviceResources[1]!.properties as Record<string, unknown>).shift = "1.5"), "deviceResources[1].properties.shift"],
    ["minimum above maximum", (p) => (p.deviceResources[0]!.properties.minimum = 200), "deviceResources[0].properties.minimum"],
    ["missing resource", (p) => (p.deviceCommands[0]!.resourceOperations[1]!.deviceResource = "Humidity"), "deviceCommands[0].resourceOperations[1].deviceResource"],
    ["no resourceOperations", (p) => (p.deviceCommands[0]!.resourceOperations = []), "deviceCommands[0].resourceOperations"],
    ["duplicate command", (p) => p.deviceCommands.push({ name: "Climate", readWrite: "R", resourceOperations: [{ deviceResource: "Setpoint" }] }), "deviceCommands[1].name"],
    ["command named like a resource it does not wrap alone", (p) => (p.deviceCommands[0]!.name = "Setpoint"), "deviceCommands[0].name"],
    ["command writes a read-only resource", (p) => (p.deviceCommands[0]!.readWrite = "RW"), "deviceCommands[0].readWrite"],
    ["bad command readWrite", (p) => (p.deviceCommands[0]!.readWrite = "read"), "deviceCommands[0].readWrite"],
    ["labels not a list", (p) => ((p as Record<string, unknown>).labels = "hvac"), "labels"],
    ["deviceResources not a list", (p) => ((p as Record<string, unknown>).deviceResources = {}), "deviceResources"],
    ["id not a UUID", (p) => (p.id = "42"), "id"],
    ["created not an integer", (p) => (p.created = "yesterday"), "created"],
    ["mappings value not a scalar", (p) => ((p.deviceCommands[0]!.resourceOperations[0] as Record<string, unknown>).mappings = { a: [1] }), "deviceCommands[0].resourceOperations[0].mappings.a"],
  ];
  for (const [what, change, path] of bad) {
    it(`reports ${what} at ${path}`, () => {
      const problems = problemsOf(() => validateProfile(mutated(change)), ErrorCode.ProfileInvalid);
      assert.deepEqual(where(problems), [path]);
    });
  }

  it("reports a value that is not an object", () => {
    for (const v of [null, 5, "x", []]) assert.deepEqual(where(problemsOf(() => validateProfile(v), ErrorCode.ProfileInvalid)), [""]);
  });

  it("lists every problem, not just the first", () => {
    const p = mutated((b) => {
      b.name = "";
      b.deviceResources[0]!.properties.valueType = "Nope";
      b.deviceResources[2]!.name = "Temperature";
      b.deviceCommands[0]!.resourceOperations[0]!.deviceResource = "Gone";
    });
    assert.deepEqual(where(problemsOf(() => validateProfile(p), ErrorCode.ProfileInvalid)), [
      "name",
      "deviceResources[0].properties.valueType",
      "deviceResources[2].name",
      "deviceCommands[0].resourceOperations[0].deviceResource",
    ]);
  });

  it("accepts every value type in any letter case and returns the canonical spelling", () => {
    for (const t of VALUE_TYPES) {
      for (const spelling of [t, t.toLowerCase(), t.toUpperCase()]) {
        const p = validateProfile({ name: "P", deviceResources: [{ name: "R", properties: { valueType: spelling, readWrite: "R" } }] });
        assert.equal(p.deviceResources[0]!.properties.valueType, t);
      }
    }
    assert.equal(VALUE_TYPES.length, 27);
  });

  it("canonicalises readWrite, including WR", () => {
    const p = validateProfile({
      name: "P",
      deviceResources: [{ name: "A", properties: { valueType: "Int8", readWrite: "wr" } }, { name: "B", properties: { valueType: "Int8", readWrite: "r" } }],
      deviceCommands: [{ name: "C", readWrite: "r", resourceOperations: [{ deviceResource: "A" }, { deviceResource: "B" }] }],
    });
    assert.deepEqual(p.deviceResources.map((r) => r.properties.readWrite), ["WR", "R"]);
    assert.equal(p.deviceCommands![0]!.readWrite, "R");
  });

  it("defaults a command's readWrite to what all its resources allow", () => {
    const resources = [
      { name: "RO", properties: { valueType: "Int8", readWrite: "R" } },
      { name: "WO", properties: { valueType: "Int8", readWrite: "W" } },
      { name: "RW", properties: { valueType: "Int8", readWrite: "RW" } },
    ];
    const commandOf = (...names: string[]): DeviceProfile =>
      validateProfile({ name: "P", deviceResources: resources, deviceCommands: [{ name: "C", resourceOperations: names.map((deviceResource) => ({ deviceResource })) }] });
    assert.equal(commandOf("RW").deviceCommands![0]!.readWrite, "RW");
    assert.equal(commandOf("RO", "RW").deviceCommands![0]!.readWrite, "R");
    assert.equal(commandOf("WO", "RW").deviceCommands![0]!.readWrite, "W");
    assert.deepEqual(where(problemsOf(() => commandOf("RO", "WO"), ErrorCode.ProfileInvalid)), ["deviceCommands[0].readWrite"]);
  });

  it("allows a command named like the one resource it wraps (EdgeX's Simple-Driver Image)", () => {
    const p = validateProfile({
      name: "P",
      deviceResources: [{ name: "Image", properties: { valueType: "Binary", readWrite: "R" } }],
      deviceCommands: [{ name: "Image", readWrite: "R", resourceOperations: [{ deviceResource: "Image" }] }],
    });
    assert.equal(p.deviceCommands![0]!.name, "Image");
  });

  it("turns numeric strings into numbers and keeps numbers", () => {
    const p = validateProfile({
      name: "P",
      deviceResources: [
        { name: "R", properties: { valueType: "Uint16", readWrite: "R", minimum: "-1.5", maximum: "1e3", mask: "0x0F", shift: " 4 ", scale: 0.5, offset: "2", base: "10" } },
      ],
    });
    const { minimum, maximum, mask, shift, scale, offset, base } = p.deviceResources[0]!.properties;
    assert.deepEqual({ minimum, maximum, mask, shift, scale, offset, base }, { minimum: -1.5, maximum: 1000, mask: 15, shift: 4, scale: 0.5, offset: 2, base: 10 });
  });

  it("keeps unknown keys, such as a stale apiVersion, and drops keys set to null", () => {
    const p = validateProfile({ apiVersion: "v2", name: "P", vendorExtension: { a: 1 }, description: null, deviceResources: [] }) as DeviceProfile & Record<string, unknown>;
    assert.equal(p.apiVersion, "v2");
    assert.deepEqual(p.vendorExtension, { a: 1 });
    assert.equal("description" in p, false);
    assert.deepEqual(p.deviceResources, []);
    assert.deepEqual(p.deviceCommands, []);
  });

  it("reads created and modified as exact bigint nanoseconds", () => {
    const p = validateProfile({ name: "P", created: "1700000000000000001", modified: 1700000000000000 });
    assert.equal(p.created, 1700000000000000001n);
    assert.equal(p.modified, 1700000000000000n);
  });

  it("does not modify its input", () => {
    const input = mutated((b) => (b.deviceResources[0]!.properties.valueType = "float32"));
    const before = clone(input);
    validateProfile(input);
    assert.deepEqual(input, before);
  });
});

describe("parseProfile", () => {
  it("reports five different mistakes as five problems, each with its path and line", () => {
    const text = [
      'name: "Bad-Profile"', //                       1
      "deviceResources:", //                          2
      '  - name: "Temperature"', //                   3
      "    properties:", //                           4
      '      valueType: "Float33"', //                5  unknown value type
      '      readWrite: "R"', //                      6
      '  - name: "Image"', //                         7
      "    properties:", //                           8
      '      valueType: "Binary"', //                 9
      '      readWrite: "RW"', //                     10 Binary writable
      '  - name: "Temperature"', //                   11 duplicate name
      "    properties:", //                           12
      '      valueType: "Int16"', //                  13
      '      readWrite: "RW"', //                     14
      '      minimum: "ten"', //                      15 not a number
      "deviceCommands:", //                           16
      '  - name: "Read"', //                          17
      '    readWrite: "R"', //                        18
      "    resourceOperations:", //                   19
      '      - deviceResource: "Humidity"', //        20 no such resource
    ].join("\n");
    const problems = problemsOf(() => parseProfile(text), ErrorCode.ProfileInvalid);
    assert.deepEqual(where(problems), [
      "deviceResources[0].properties.valueType@5",
      "deviceResources[1].properties.readWrite@10",
      "deviceResources[2].name@11",
      "deviceResources[2].properties.minimum@15",
      "deviceCommands[0].resourceOperations[0].deviceResource@20",
    ]);
    for (const p of problems) assert.ok(p.message.length > 0);
  });

  it("points a missing field at the line of the object that lacks it", () => {
    const text = "name: P\ndeviceResources:\n  - name: A\n    properties:\n      readWrite: R\n";
    assert.deepEqual(where(problemsOf(() => parseProfile(text), ErrorCode.ProfileInvalid)), ["deviceResources[0].properties.valueType@5"]);
  });

  it("reports unparseable YAML as YAML_MALFORMED with its line", () => {
    const problems = problemsOf(() => parseProfile("name: P\ndeviceResources:\n  - name: [A\n  - b: c\n"), ErrorCode.YamlMalformed);
    assert.ok(problems.length >= 1);
    assert.ok(problems.every((p) => typeof p.line === "number" && p.line >= 3), JSON.stringify(problems));
  });

  it("reports duplicate keys as YAML_MALFORMED", () => {
    const problems = problemsOf(() => parseProfile("name: P\nname: Q\n"), ErrorCode.YamlMalformed);
    assert.equal(problems[0]!.line, 2);
  });

  it("accepts JSON text, with lines", () => {
    const json = JSON.stringify({ name: "P", deviceResources: [{ name: "A", properties: { valueType: "int8", readWrite: "R" } }] }, null, 2);
    assert.equal(parseProfile(json).deviceResources[0]!.properties.valueType, "Int8");
    const bad = JSON.stringify({ name: "P", deviceResources: [{ name: "A", properties: { valueType: "int9", readWrite: "R" } }] }, null, 2);
    const [problem] = problemsOf(() => parseProfile(bad), ErrorCode.ProfileInvalid);
    assert.equal(problem!.path, "deviceResources[0].properties.valueType");
    assert.equal(bad.split("\n")[problem!.line! - 1]!.trim(), '"valueType": "int9",');
  });

  it("keeps texts written as YAML numbers as written", () => {
    const text = "name: P\nmodel: 3000\ndeviceResources:\n  - name: A\n    properties: { valueType: Float64, readWrite: RW, defaultValue: 0.0, minimum: '1', maximum: 5 }\n" +
      "deviceCommands:\n  - name: C\n    readWrite: RW\n    resourceOperations:\n      - { deviceResource: A, defaultValue: 1.50, mappings: { 1: 2.0 } }\n";
    const p = parseProfile(text);
    assert.equal(p.model, "3000");
    assert.equal(p.deviceResources[0]!.properties.defaultValue, "0.0");
    assert.equal(p.deviceResources[0]!.properties.minimum, 1);
    assert.equal(p.deviceCommands![0]!.resourceOperations[0]!.defaultValue, "1.50");
    assert.deepEqual(p.deviceCommands![0]!.resourceOperations[0]!.mappings, { "1": "2.0" });
  });

  it("keeps the text of non-integer numbers in attributes (EdgeX Modbus's startingAddress: 10.10 is bit 10)", () => {
    const text =
      "name: P\ndeviceResources:\n  - name: A\n    attributes: { primaryTable: HOLDING_REGISTERS, startingAddress: 10.10, nested: { deadband: 0.50, list: [1.0, 2.25] } }\n" +
      "    properties: { valueType: Bool, readWrite: R }\n  - name: B\n    attributes: { startingAddress: 7, scale: 1e3 }\n    properties: { valueType: Int16, readWrite: R }\n";
    const p = parseProfile(text);
    assert.deepEqual(p.deviceResources[0]!.attributes, { primaryTable: "HOLDING_REGISTERS", startingAddress: "10.10", nested: { deadband: "0.50", list: [1, "2.25"] } });
    assert.deepEqual(p.deviceResources[1]!.attributes, { startingAddress: 7, scale: 1000 });
  });

  it("keeps numbers in the attributes of a JSON body (they have no source text)", () => {
    const p = validateProfile({ name: "P", deviceResources: [{ name: "A", attributes: { startingAddress: 10.1 }, properties: { valueType: "Bool", readWrite: "R" } }] });
    assert.equal(p.deviceResources[0]!.attributes!.startingAddress, 10.1);
  });

  it("reports an empty document", () => {
    assert.deepEqual(where(problemsOf(() => parseProfile(""), ErrorCode.ProfileInvalid), false), [""]);
  });
});
