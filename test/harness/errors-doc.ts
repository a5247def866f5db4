/**
 * Reads docs/errors.md for the per-package error-code tests: the `| CODE | kind | meaning |` rows of one section.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DOC = fileURLToPath(new URL("../../docs/errors.md", import.meta.url));

/** Code -> kind of every row under `## <heading>` in docs/errors.md; fails the test when the section is missing. */
export function documentedCodes(heading: string): Map<string, string> {
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
