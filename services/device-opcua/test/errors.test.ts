import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OpcuaErrorCode } from "../src/index.js";

describe("OpcuaErrorCode", () => {
  it("matches the @brink/device-opcua table of docs/errors.md", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("@brink/device-opcua"));
    assert.ok(section, "docs/errors.md has a @brink/device-opcua section");
    const documented = [...section.matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== "CODE").sort();
    assert.deepEqual(documented, Object.values(OpcuaErrorCode).sort());
  });
});
