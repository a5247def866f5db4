/**
 * docs/rules.md and the code keep in step: every YAML example that is a rule compiles, and every error code and
 * metric the page names exists.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { METRIC, compileRule } from "../src/index.js";

const doc = readFileSync(fileURLToPath(new URL("../../../docs/rules.md", import.meta.url)), "utf8");

describe("docs/rules.md", () => {
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it("has rule examples", () => {
    assert.ok(blocks.length >= 5);
  });

  blocks.forEach((text, i) => {
    const value = parse(text) as { name?: string };
    it(`example ${i + 1} (${value.name ?? "?"}) compiles`, () => {
      assert.doesNotThrow(() => compileRule(value));
    });
  });

  it("names only metrics the service registers", () => {
    const named = new Set([...doc.matchAll(/`(brink_(?:rules|notification)_[a-z_]+)/g)].map((m) => m[1]!));
    assert.deepEqual([...named].sort(), Object.values(METRIC).sort());
  });
});
