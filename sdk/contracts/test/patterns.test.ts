import assert from "node:assert/strict";
import { anchoredRegExp } from "../src/index.js";

describe("anchoredRegExp", () => {
  it("matches the whole name only", () => {
    const re = anchoredRegExp("dev1|temp.*")!;
    assert.equal(re.test("dev1"), true);
    assert.equal(re.test("dev10"), false);
    assert.equal(re.test("temperature"), true);
    assert.equal(re.test("xtemp"), false);
  });

  it("is undefined for a pattern that does not compile", () => {
    assert.equal(anchoredRegExp("(unclosed"), undefined);
  });
});
