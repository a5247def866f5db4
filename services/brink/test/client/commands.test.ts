/** `brink write` settings: resource=value, JSON objects for Object resources. */
import { strict as assert } from "node:assert";
import { parseSettings } from "../../src/client/commands.js";
import { ClientErrorCode } from "../../src/client/errors.js";

describe("parseSettings", () => {
  it("keeps values as the EdgeX strings they are, splitting at the first =", () => {
    assert.deepEqual(parseSettings(["Float64=42.5", "Mode=a=b", "Gains=[1, 2]", "Empty="]), { Float64: "42.5", Mode: "a=b", Gains: "[1, 2]", Empty: "" });
  });

  it("sends a value that starts with { as a JSON object", () => {
    assert.deepEqual(parseSettings(['Config={"a": 1, "b": [true]}']), { Config: { a: 1, b: [true] } });
  });

  for (const args of [[], ["Float64"], ["=1"], ["Config={bad"]]) {
    it(`refuses ${JSON.stringify(args)} with ARGUMENT_INVALID`, () => {
      assert.throws(() => parseSettings(args), (err: { code?: string; kind?: string }) => err.code === ClientErrorCode.ArgumentInvalid && err.kind === "ContractInvalid");
    });
  }
});
