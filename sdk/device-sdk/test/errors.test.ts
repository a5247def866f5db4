import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ErrorCode } from "@brink/contracts";
import { DeviceSdkErrorCode } from "@brink/device-sdk";
import { FakeDriverErrorCode } from "@brink/device-sdk/testing";

describe("DeviceSdkErrorCode", () => {
  it("matches the @brink/device-sdk table of docs/errors.md (shared codes are in the prose)", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");
    const section = doc.split(/^## /m).find((s) => s.startsWith("@brink/device-sdk"));
    assert.ok(section, "docs/errors.md has a @brink/device-sdk section");
    const documented = [...section.matchAll(/^\| ([A-Z][A-Z0-9_]+) \|/gm)].map((m) => m[1]).filter((c) => c !== "CODE").sort();
    const shared = new Set<string>(Object.values(ErrorCode));
    const own = [...Object.values(DeviceSdkErrorCode), ...Object.values(FakeDriverErrorCode)].filter((c) => !shared.has(c));
    assert.deepEqual(documented, [...new Set(own)].sort());
    for (const code of Object.values(DeviceSdkErrorCode).filter((c) => shared.has(c))) assert.ok(section.includes(`\`${code}\``), `${code} is mentioned`);
  });
});
