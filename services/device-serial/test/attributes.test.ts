import { strict as assert } from "node:assert";
import type { DeviceResource, ValueType } from "@brink/contracts";
import { bindPlan, parseJsonPath, planOf } from "../src/attributes.js";
import { SerialError, SerialErrorCode } from "../src/errors.js";
import { Frame } from "../src/framing/frame.js";
import { ParseProblem, extractValue, fromText } from "../src/parse.js";

function resource(valueType: ValueType, attributes: Record<string, unknown>, name = "r"): DeviceResource {
  return { name, properties: { valueType, readWrite: "RW" }, attributes };
}

/** The value `attributes` read from `payload` for a device with `vars`. */
function read(valueType: ValueType, attributes: Record<string, unknown>, payload: string | Buffer, vars: Record<string, unknown> = {}) {
  const b = bindPlan(planOf(resource(valueType, attributes)), vars);
  return extractValue(new Frame(typeof payload === "string" ? Buffer.from(payload, "latin1") : payload, 1n), b.spec, valueType);
}

describe("resource attributes", () => {
  describe("reading values", () => {
    it("takes the named group `value`, else the first group, else the whole match", () => {
      assert.equal(read("Float32", { pattern: "^VAL \\d (?<value>\\S+)$" }, "VAL 1 21.5"), 21.5);
      assert.equal(read("Int16", { pattern: "^VAL \\d (\\S+)$" }, "VAL 1 -12"), -12);
      assert.equal(read("String", { pattern: "[A-Z]+" }, "12ABC34"), "ABC");
      assert.equal(read("String", { pattern: "^(?<a>\\w+) (?<b>\\w+)$", group: "b" }, "one two"), "two");
    });

    it("fills {name} in patterns from the resource's attributes and the device's variables", () => {
      assert.equal(read("Float64", { channel: 2, pattern: "^{unit}:VAL {channel} (?<value>\\S+)$" }, "07:VAL 2 3.25", { unit: "07" }), 3.25);
      assert.throws(() => read("Float64", { channel: 2, pattern: "^{unit}:VAL {channel} (?<value>\\S+)$" }, "01:VAL 2 3.25", { unit: "07" }), ParseProblem);
    });

    it("reads CSV fields, NMEA coordinates and hemisphere signs", () => {
      const gga = "$GPGGA,123519,4807.038,S,01131.000,W,1,08,0.9,545.4,M,46.9,M,,";
      assert.equal(read("Float64", { field: 2, convert: "degreesMinutes", sign: 3 }, gga), -48.1173);
      assert.equal(read("Float64", { field: 4, convert: "degreesMinutes", sign: "5" }, gga), -11.516666667);
      assert.equal(read("Uint8", { field: 7 }, gga), 8);
      assert.equal(read("Float64", { field: 13 }, gga), undefined, "an empty field gives no value");
      assert.throws(() => read("Float64", { field: 20 }, gga), ParseProblem);
    });

    it("maps device text through valueMap", () => {
      assert.equal(read("Bool", { pattern: "^S (?<value>[SD]) ", valueMap: { S: true, D: false } }, "S D  1.00 g"), false);
      assert.equal(read("Bool", { field: 2, valueMap: { A: "true", V: "false" } }, "$GPRMC,1,A,"), true);
    });

    it("reads JSON paths, from the whole frame or from a regex group", () => {
      const json = '{"a":{"b":[10,{"c":"x"}]},"t":21.5,"ok":true,"n":null}';
      assert.equal(read("Int32", { path: "a.b[0]" }, json), 10);
      assert.equal(read("String", { path: "$.a.b.1.c" }, json), "x");
      assert.equal(read("Float32", { parse: "json", path: "t" }, json), 21.5);
      assert.equal(read("Bool", { path: "ok" }, json), true);
      assert.equal(read("Float32", { path: "n" }, json), undefined);
      assert.deepEqual(read("Object", { parse: "json" }, json), JSON.parse(json));
      assert.deepEqual(read("Int32Array", { parse: "json", pattern: "^01:(.*)$", path: "a.b.0" }, `01:{"a":{"b":[[1,2]]}}`), [1, 2]);
      assert.throws(() => read("Int32", { path: "missing" }, json), ParseProblem);
      assert.throws(() => read("Int32", { path: "t" }, json), ParseProblem, "21.5 is not an Int32");
      assert.throws(() => read("Int32", { path: "t" }, "not json"), ParseProblem);
    });

    it("reads binary fields of every width and byte order", () => {
      const p = Buffer.alloc(24);
      p.writeInt16BE(-215, 0);
      p.writeUInt32LE(123456, 2);
      p.writeFloatBE(1.5, 6);
      p[10] = 0b10;
      p.writeBigUInt64LE(2n ** 63n + 5n, 11);
      p.write("AB\0\0", 19, "latin1");
      assert.equal(read("Int16", { offset: 0 }, p), -215);
      assert.equal(read("Float32", { offset: 0, rawType: "Int16" }, p), -215);
      assert.equal(read("Uint32", { offset: 2, endian: "little" }, p), 123456);
      assert.equal(read("Float32", { offset: 6 }, p), 1.5);
      assert.equal(read("Bool", { offset: 10, rawType: "Uint8", bit: 1 }, p), true);
      assert.equal(read("Bool", { offset: 10, rawType: "Uint8", bit: 0 }, p), false);
      assert.equal(read("Uint64", { offset: 11, endian: "little" }, p), 2n ** 63n + 5n);
      assert.equal(read("String", { offset: 19, rawType: "String", length: 4 }, p), "AB");
      assert.deepEqual(read("Binary", { offset: 19, rawType: "Binary", length: 2 }, p), new Uint8Array([0x41, 0x42]));
      assert.deepEqual(read("Uint8Array", { offset: 19, length: 3 }, p), [0x41, 0x42, 0]);
      assert.throws(() => read("Uint8", { offset: 30 }, p), ParseProblem);
      assert.throws(() => read("Int8", { offset: 2, rawType: "Uint8" }, Buffer.from([0, 0, 200])), ParseProblem, "200 does not fit Int8");
    });

    it("reads the whole frame as text, numbers trimmed", () => {
      assert.equal(read("Float64", {}, "  12.5 "), 12.5);
      assert.equal(read("String", { parse: "text" }, "hello"), "hello");
      assert.equal(read("Uint16", { convert: "hex" }, "1F"), 31);
    });
  });

  describe("fromText", () => {
    const ok: [string, ValueType, unknown][] = [
      ["1", "Bool", true],
      ["off", "Bool", false],
      ["+0012", "Int32", 12],
      ["-1e3", "Float64", -1000],
      ["18446744073709551615", "Uint64", 18446744073709551615n],
      ["[1, 2]", "Int8Array", [1, 2]],
      ['{"a":1}', "Object", { a: 1 }],
    ];
    for (const [text, type, value] of ok) {
      it(`reads ${JSON.stringify(text)} as ${type}`, () => assert.deepEqual(fromText(text, type), value));
    }
    const bad: [string, ValueType][] = [["maybe", "Bool"], ["1.5", "Int32"], ["256", "Uint8"], ["abc", "Float32"], ["{", "Object"]];
    for (const [text, type] of bad) {
      it(`refuses ${JSON.stringify(text)} as ${type}`, () => assert.throws(() => fromText(text, type), ParseProblem));
    }
  });

  describe("planOf", () => {
    it("reads the request, write, match, error, stream and timeout attributes", () => {
      const p = planOf(resource("Float32", { channel: 1, request: "READ?{channel}\r\n", write: "SET {channel} {value}", match: "^VAL", error: "^ERR", writeAck: "^OK", stream: "true", streamEvent: "S", timeoutMs: "250" }));
      assert.deepEqual(p.request?.names, ["channel"]);
      assert.deepEqual(p.write?.names, ["channel", "value"]);
      assert.equal(p.match, "^VAL");
      assert.equal(p.stream, true);
      assert.equal(p.streamEvent, "S");
      assert.equal(p.timeoutMs, 250);
    });

    it("lists every problem of a resource's attributes", () => {
      try {
        planOf(resource("Int8", { request: "READ?{value}", write: "{x", match: "(", parse: "xml", field: -1, timeoutMs: 0, bit: 3, stream: "yes", valueMap: [1] }));
        assert.fail("expected an error");
      } catch (err) {
        assert.ok(err instanceof SerialError);
        assert.equal(err.code, SerialErrorCode.AttributesInvalid);
        const paths = (err.details?.problems as { path: string }[]).map((x) => x.path).sort();
        assert.deepEqual(paths, ["attributes.match", "attributes.parse", "attributes.request", "attributes.stream", "attributes.timeoutMs", "attributes.valueMap", "attributes.write"]);
      }
    });

    it("requires a pattern for parse: regex and a field for parse: csv", () => {
      assert.throws(() => planOf(resource("Int8", { parse: "regex" })), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.AttributesInvalid);
      assert.throws(() => planOf(resource("Int8", { parse: "csv" })), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.AttributesInvalid);
      assert.throws(() => planOf(resource("Int8", { offset: 0, rawType: "Widget" })), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.AttributesInvalid);
    });
  });

  it("splits JSON paths", () => {
    assert.deepEqual(parseJsonPath("$.a.b[2].c"), ["a", "b", 2, "c"]);
    assert.deepEqual(parseJsonPath(""), []);
  });
});
