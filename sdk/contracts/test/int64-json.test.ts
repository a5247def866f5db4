import assert from "node:assert/strict";
import { parseJson, stringifyJson, toNanos } from "@brink/contracts";

describe("int64-json", () => {
  const exact = [2n ** 53n + 1n, 9223372036854775807n, -9223372036854775808n, 1700000000123456789n, 0n, 5n];
  for (const n of exact) {
    it(`round-trips origin ${n} exactly`, () => {
      const text = stringifyJson({ origin: n, readings: [{ origin: n }] });
      assert.equal(text, `{"origin":${n},"readings":[{"origin":${n}}]}`);
      const back = parseJson<{ origin: bigint; readings: { origin: bigint }[] }>(text);
      assert.equal(back.origin, n);
      assert.equal(back.readings[0]!.origin, n);
    });
  }

  it("reads every int64 field (origin, created, modified, timestamp) as bigint", () => {
    const v = parseJson<Record<string, unknown>>('{"origin":1,"created":9007199254740993,"modified":2,"timestamp":-3,"other":4}');
    assert.deepEqual(v, { origin: 1n, created: 9007199254740993n, modified: 2n, timestamp: -3n, other: 4 });
  });

  it("leaves digits inside strings untouched, however long, escaped or marker-like", () => {
    const v = { origin: 9223372036854775807n, a: "12345678901234567890", b: 'q"12345678901234567890', c: "i64:5", d: "\u0000i64:7x", e: "\\", f: "9223372036854775807" };
    assert.deepEqual(parseJson(stringifyJson(v)), v);
  });

  it("leaves floats untouched, including long fractions and exponents", () => {
    const text = '{"a":1.2345678901234567,"b":-0.12345678901234567,"c":1e21,"d":12345678901234567e-5,"e":3.5E+300,"f":[0.1,2.25]}';
    assert.deepEqual(parseJson(text), JSON.parse(text));
  });

  it("reads long integers outside int64 fields as numbers, as JSON.parse does", () => {
    assert.deepEqual(parseJson('{"n":[12345678901234567890],"x":{"y":9007199254740993}}'), JSON.parse('{"n":[12345678901234567890],"x":{"y":9007199254740993}}'));
    assert.equal(parseJson("12345678901234567890"), Number("12345678901234567890"));
  });

  it("throws SyntaxError on malformed text", () => {
    assert.throws(() => parseJson('{"origin":12345678901234567890'), SyntaxError);
    assert.throws(() => parseJson('{"a":"unterminated 12345678901234567890}'), SyntaxError);
  });

  it("writes bigints anywhere as bare integers", () => {
    assert.equal(stringifyJson([1n, { x: -2n }], undefined), "[1,{\"x\":-2}]");
    assert.equal(stringifyJson(undefined), "null");
  });

  it("coerces timestamps with toNanos", () => {
    assert.equal(toNanos("9223372036854775807"), 9223372036854775807n);
    assert.equal(toNanos(12), 12n);
    assert.equal(toNanos(1.5), undefined);
    assert.equal(toNanos("1e3"), undefined);
  });
});
