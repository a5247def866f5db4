/**
 * docs/configuration.md lists every config key of every service `brink` can run, as the schemas define them.
 * Regenerate it with `npx brink config --markdown > docs/configuration.md`.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { serviceConfigKeys } from "../services/brink/src/config-doc.js";
import { serviceNames } from "../services/brink/src/registry.js";

describe("docs/configuration.md", () => {
  const doc = readFileSync(new URL("../docs/configuration.md", import.meta.url), "utf8");
  const sections = new Map(doc.split(/^## /m).slice(1).map((s) => [s.slice(0, s.indexOf("\n")).trim(), s]));

  it("has a section for every service brink can run, and no other", () => {
    assert.deepEqual([...sections.keys()].sort(), serviceNames().sort(), "regenerate: npx brink config --markdown > docs/configuration.md");
  });

  it("lists every key of each service with its default and environment variables", async () => {
    const missing: string[] = [];
    for (const service of serviceNames()) {
      const section = sections.get(service) ?? "";
      for (const key of await serviceConfigKeys(service)) {
        const row = section.split("\n").find((l) => l.startsWith(`| \`${key.path}\` |`));
        if (!row || !key.env.every((e) => row.includes(`\`${e}\``))) missing.push(`${service}: ${key.path}`);
      }
    }
    assert.deepEqual(missing, [], "regenerate: npx brink config --markdown > docs/configuration.md");
  });
});
