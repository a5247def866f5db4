import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RulesErrorCode } from "../src/index.js";

describe("RulesErrorCode", () => {
  it("matches the @brink/rules-engine table of docs/errors.md", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("@brink/rules-engine"));
    assert.ok(section, "docs/errors.md has a @brink/rules-engine section");
    const documented = [...section.matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== "CODE").sort();
    assert.deepEqual(documented, Object.values(RulesErrorCode).sort());
  });
});
