import assert from "node:assert/strict";
import { ErrorCode } from "@brink/contracts";
import { Checker, SourceText, formatPath } from "../../src/validation/common.js";
import { problemsOf } from "../helpers.js";

describe("validation/common", () => {
  it("formats paths with dots and [index]", () => {
    assert.equal(formatPath([]), "");
    assert.equal(formatPath(["deviceResources", 3, "properties", "valueType"]), "deviceResources[3].properties.valueType");
    assert.equal(formatPath([0, "a"]), "[0].a");
  });

  it("finds the line of a value, of its nearest present ancestor, through integer keys and aliases", () => {
    const src = SourceText.parse("a:\n  b: 1\n  1: x\nlist:\n  - &anchor\n    k: v\n  - *anchor\n", "test");
    assert.equal(src.lineOf(["a", "b"]), 2);
    assert.equal(src.lineOf(["a", "1"]), 3);
    assert.equal(src.lineOf(["a", "missing", "deeper"]), 2);
    assert.equal(src.lineOf(["list", 0, "k"]), 6);
    assert.equal(src.lineOf(["list", 1, "k"]), 6);
    assert.equal(src.lineOf([]), 1);
  });

  it("keeps int64 fields exact and other integers as numbers", () => {
    const src = SourceText.parse("created: 9223372036854775807\nport: 502\nlist: [1, 2]\n", "test");
    assert.deepEqual(src.data, { created: 9223372036854775807n, port: 502, list: [1, 2] });
  });

  it("refuses alias bombs as YAML_MALFORMED", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]"].join("\n");
    problemsOf(() => SourceText.parse(bomb, "test"), ErrorCode.YamlMalformed);
  });

  it("collects problems with lines and throws them together, in line order", () => {
    const src = SourceText.parse("x: 1\ny:\n  z: 2\n", "test");
    const ck = new Checker(src);
    ck.add(["y", "z"], "second");
    ck.add(["x"], "first");
    const problems = problemsOf(() => ck.throwIfAny(ErrorCode.RequestInvalid, "test"), ErrorCode.RequestInvalid);
    assert.deepEqual(problems, [{ path: "x", message: "first", line: 1 }, { path: "y.z", message: "second", line: 3 }]);
  });

  it("reads numbers and numeric strings, and texts as written", () => {
    const src = SourceText.parse("a: 0.10\nb: true\n", "test");
    const ck = new Checker(src);
    assert.equal(ck.text(0.1, ["a"]), "0.10");
    assert.equal(ck.text(true, ["b"]), "true");
    assert.equal(ck.number("0x10", ["n"]), 16);
    assert.equal(ck.number(" -2.5e1 ", ["n"]), -25);
    assert.equal(ck.number("", ["n"]), undefined);
    assert.equal(ck.number(Number.NaN, ["n"]), undefined);
    assert.deepEqual(ck.problems.map((p) => p.path), ["n", "n"]);
  });
});
