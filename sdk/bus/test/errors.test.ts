import assert from "node:assert/strict";
import { ErrorKind } from "@brink/contracts";
import { documentedCodes } from "../../../test/harness/index.js";
import { BusErrorCode } from "../src/errors.js";

describe("bus errors", function () {
  it("docs/errors.md lists exactly the bus error codes", function () {
    const documented = documentedCodes("@brink/bus");
    assert.deepEqual([...documented.keys()].sort(), Object.values(BusErrorCode).sort());
    const kinds = new Set<string>(Object.values(ErrorKind));
    for (const [code, kind] of documented) assert.ok(kinds.has(kind), `${code}: unknown kind ${kind}`);
  });
});
