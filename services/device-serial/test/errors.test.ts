import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SerialErrorCode } from "../src/index.js";

describe("SerialErrorCode", () => {
  it("matches the @brink/device-serial table of docs/errors.md", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("@brink/device-serial"));
    assert.ok(section, "docs/errors.md has a @brink/device-serial section");
    const documented = [...section.matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== "CODE").sort();
    assert.deepEqual(documented, Object.values(SerialErrorCode).sort());
  });
});
