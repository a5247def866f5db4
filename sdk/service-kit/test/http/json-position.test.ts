import assert from "node:assert/strict";
import { jsonErrorPosition } from "../../src/http/json-position.js";

describe("jsonErrorPosition", () => {
  const cases: [string, number | undefined][] = [
    ['{"a":1}', undefined],
    [' [1, -2.5e3, "x\\u00e9", true, false, null, {}] ', undefined],
    ['{"a": }', 6],
    ['{"a":1,}', 7],
    ["[1 2]", 3],
    ['{"a":1', 6],
    ["", 0],
    ["tru", 3],
    ["trux", 3],
    ['"abc', 4],
    ['"a\\x"', 3],
    ['"\\u12G4"', 3],
    ["01", 1],
    ["[1] x", 4],
    ['{a:1}', 1],
    ['"tab\there"', 4],
  ];
  for (const [text, expected] of cases) {
    it(`finds ${expected === undefined ? "no error" : `position ${expected}`} in ${JSON.stringify(text)}`, () => {
      assert.equal(jsonErrorPosition(text), expected);
    });
  }

  it("agrees with JSON.parse on which texts are valid", () => {
    const pieces = ["{", "}", "[", "]", '"k"', ":", ",", "1", "-", ".5", "e", "null", " ", "\n", '"\\n"'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 2000; round++) {
      let text = "";
      const length = 1 + (next() % 8);
      for (let k = 0; k < length; k++) text += pieces[next() % pieces.length];
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(jsonErrorPosition(text) === undefined, valid, text);
    }
  });
});
