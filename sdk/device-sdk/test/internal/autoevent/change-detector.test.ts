import { strict as assert } from "node:assert";
import type { Reading, SimpleValueType } from "@brink/contracts";
import { ChangeDetector } from "../../../src/internal/autoevent/change-detector.js";

function r(resourceName: string, value: string, valueType: SimpleValueType = "Float64"): Reading {
  return { origin: 1n, deviceName: "d", profileName: "p", resourceName, valueType, value };
}

describe("ChangeDetector", () => {
  it("accepts the first readings, then only changes", () => {
    const d = new ChangeDetector();
    assert.equal(d.accept([r("a", "1e+00")]), true);
    assert.equal(d.accept([r("a", "1e+00")]), false);
    assert.equal(d.accept([r("a", "2e+00")]), true);
    assert.equal(d.accept([r("a", "2e+00")]), false);
  });

  it("counts any changed reading of a multi-reading event, and a changed set of resources", () => {
    const d = new ChangeDetector();
    d.accept([r("a", "1"), r("b", "1")]);
    assert.equal(d.accept([r("a", "1"), r("b", "2")]), true);
    assert.equal(d.accept([r("a", "1")]), true);
    assert.equal(d.accept([r("c", "1")]), true);
  });

  it("ignores numeric changes smaller than the threshold, measured from the last published value", () => {
    const d = new ChangeDetector(0.5);
    assert.equal(d.accept([r("a", "1e+01")]), true);
    assert.equal(d.accept([r("a", "1.03e+01")]), false);
    // drift adds up against the last published 10, not the last read 10.3
    assert.equal(d.accept([r("a", "1.06e+01")]), true);
    assert.equal(d.accept([r("a", "1.02e+01")]), false);
    assert.equal(d.accept([r("a", "1.015e+01")]), false);
    assert.equal(d.accept([r("a", "1.11e+01")]), true);
  });

  it("applies the threshold to integers and compares non-numeric readings exactly", () => {
    const d = new ChangeDetector(5);
    d.accept([r("n", "100", "Int32"), r("s", "ON", "String")]);
    assert.equal(d.accept([r("n", "104", "Int32"), r("s", "ON", "String")]), false);
    assert.equal(d.accept([r("n", "104", "Int32"), r("s", "OFF", "String")]), true);
    assert.equal(d.accept([r("n", "overflow", "String"), r("s", "OFF", "String")]), true);
  });

  it("compares binary readings by content", () => {
    const d = new ChangeDetector();
    const bin = (b: string): Reading => ({ origin: 1n, deviceName: "d", profileName: "p", resourceName: "img", valueType: "Binary", binaryValue: b, mediaType: "image/png" });
    d.accept([bin("AQID")]);
    assert.equal(d.accept([bin("AQID")]), false);
    assert.equal(d.accept([bin("AQIE")]), true);
  });

  it("starts over after reset", () => {
    const d = new ChangeDetector();
    d.accept([r("a", "1")]);
    d.reset();
    assert.equal(d.accept([r("a", "1")]), true);
  });
});
