import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ErrorKind } from "@brink/contracts";
import { MetadataErrorCode } from "../src/errors.js";

const DOC = fileURLToPath(new URL("../../../docs/errors.md", import.meta.url));

/** The `| CODE | kind | meaning |` rows under one `## heading` of docs/errors.md. */
function documentedCodes(heading: string): Map<string, string> {
  const text = readFileSync(DOC, "utf8");
  const start = text.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `docs/errors.md has no "## ${heading}" section`);
  const rest = text.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| ([A-Z0-9_]+) \| (\w+) \|/gm)) if (m[1] !== "CODE") rows.set(m[1]!, m[2]!);
  return rows;
}

describe("core-metadata errors", () => {
  it("docs/errors.md lists exactly the core-metadata error codes, each with a known kind", () => {
    const documented = documentedCodes("@brink/core-metadata");
    assert.deepEqual([...documented.keys()].sort(), Object.values(MetadataErrorCode).sort());
    const kinds = new Set<string>(Object.values(ErrorKind));
    for (const [code, kind] of documented) assert.ok(kinds.has(kind), `${code}: unknown kind ${kind}`);
  });
});
