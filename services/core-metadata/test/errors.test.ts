import { strict as assert } from "node:assert";
import { ErrorKind } from "@brink/contracts";
import { documentedCodes } from "../../../test/harness/index.js";
import { MetadataErrorCode } from "../src/errors.js";

describe("core-metadata errors", () => {
  it("docs/errors.md lists exactly the core-metadata error codes, each with a known kind", () => {
    const documented = documentedCodes("@brink/core-metadata");
    assert.deepEqual([...documented.keys()].sort(), Object.values(MetadataErrorCode).sort());
    const kinds = new Set<string>(Object.values(ErrorKind));
    for (const [code, kind] of documented) assert.ok(kinds.has(kind), `${code}: unknown kind ${kind}`);
  });
});
