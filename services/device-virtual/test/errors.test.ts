import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { VirtualErrorCode } from "../src/index.js";

describe("VirtualErrorCode", () => {
  it("matches the @brink/device-virtual table of docs/errors.md", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("@brink/device-virtual"));
    assert.ok(section, "docs/errors.md has a @brink/device-virtual section");
    const documented = [...section.matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== "CODE").sort();
    assert.deepEqual(documented, Object.values(VirtualErrorCode).sort());
  });
});
