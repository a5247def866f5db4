import { strict as assert } from "node:assert";
import { Template, TemplateProblem, expandRegexSource, float32Text } from "../src/template.js";

const vars: Record<string, unknown> = { unit: "01", channel: 3, address: 1, value: 42.5, big: 300, neg: -2, name: "run", flag: true, id: 12345678901234567890n };
const expand = (source: string, extra: Record<string, unknown> = {}) => Template.compile(source).expand((n) => extra[n] ?? vars[n]);

describe("Template", () => {
  const text: [string, string][] = [
    ["READ?{channel}\r\n", "READ?3\r\n"],
    ["{unit}:SET {channel} {value}", "01:SET 3 42.5"],
    ["{value:.2f}", "42.50"],
    ["{value:08.3f}", "0042.500"],
    ["{neg:05d}", "-0002"],
    ["{channel:4d}|", "   3|"],
    ["{big:x} {big:04X}", "12c 012C"],
    ["{name:6s}", "   run"],
    ["{flag} {flag:d}", "true 1"],
    ["{id}", "12345678901234567890"],
    ['{{"set":{value}}}', '{"set":42.5}'],
    ["\\x02A\\x03\\r\\n", "\x02A\x03\r\n"],
    ["no placeholders", "no placeholders"],
  ];
  for (const [source, expected] of text) {
    it(`expands ${JSON.stringify(source)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(expand(source).toString("latin1"), expected);
    });
  }

  const binary: [string, string][] = [
    ["\xAA{address:u8}\x01", "aa0101"],
    ["{big:u16}", "012c"],
    ["{big:u16le}", "2c01"],
    ["{neg:i16}", "fffe"],
    ["{neg:i32le}", "feffffff"],
    ["{value:f32}", "422a0000"],
    ["{value:f64le}", "0000000000404540"],
    ["{id:u64}", "ab54a98ceb1f0ad2"],
  ];
  for (const [source, hex] of binary) {
    it(`encodes ${JSON.stringify(source)} as ${hex}`, () => {
      assert.equal(expand(source).toString("hex"), hex);
    });
  }

  it("lists its placeholder names", () => {
    assert.deepEqual(Template.compile("{unit}:SET {channel} {value:.1f}").names, ["unit", "channel", "value"]);
  });

  const bad = ["READ?{channel", "a}b", "{1x}", "{value:q}", "{value:.2z}", "\u20ac"];
  for (const source of bad) {
    it(`refuses the template ${JSON.stringify(source)}`, () => {
      assert.throws(() => Template.compile(source), TemplateProblem);
    });
  }

  it("refuses values that do not fit their format", () => {
    assert.throws(() => expand("{big:u8}"), TemplateProblem);
    assert.throws(() => expand("{value:d}"), TemplateProblem);
    assert.throws(() => expand("{neg:x}"), TemplateProblem);
    assert.throws(() => expand("{name:u16}"), TemplateProblem);
    assert.throws(() => expand("{missing}"), TemplateProblem);
  });

  it("writes Binary values as their bytes", () => {
    assert.equal(expand("<{value}>", { value: new Uint8Array([1, 2]) }).toString("hex"), "3c01023e");
  });
});

describe("expandRegexSource", () => {
  const lookup = (n: string) => vars[n];
  it("fills known names with escaped values and leaves regex braces alone", () => {
    assert.equal(expandRegexSource("^{unit}:VAL {channel} \\d{2,3}", lookup), "^01:VAL 3 \\d{2,3}");
    assert.equal(expandRegexSource("^{name}.{unknown}$", lookup), "^run.{unknown}$");
  });
  it("escapes regex metacharacters and writes binary formats as \\xNN", () => {
    assert.equal(expandRegexSource("^{v}$", () => "a.b*(c)"), "^a\\x2eb\\x2a\\x28c\\x29$");
    assert.equal(expandRegexSource("^\xAA.{address:u8}\x81", lookup), "^\xAA.\\x01\x81");
    assert.ok(new RegExp(expandRegexSource("^{v}$", () => "a.b*(c)")).test("a.b*(c)"));
  });
});

describe("float32Text", () => {
  it("writes the shortest decimal that reads back as the same float32", () => {
    assert.equal(float32Text(Math.fround(0.1)), "0.1");
    assert.equal(float32Text(Math.fround(21.7)), "21.7");
    assert.equal(float32Text(42.5), "42.5");
    assert.equal(float32Text(Math.fround(1e-7)), "1e-7");
  });
});
