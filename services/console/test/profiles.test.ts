/** Profile checks for the upload page: the same validation as core-metadata, problems sorted by line. */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { parseProfile } from "@brink/contracts";
import { checkProfileText, profileYaml } from "../src/profiles.js";

const FLOAT_PROFILE = readFileSync(new URL("../../../device-profiles/virtual/device.virtual.float.yaml", import.meta.url), "utf8");

describe("checkProfileText", () => {
  it("summarises a valid profile", () => {
    assert.deepEqual(checkProfileText(FLOAT_PROFILE), { valid: true, problems: [], summary: { name: "Random-Float-Device", resources: 8, commands: 4 } });
  });

  it("lists every problem of an invalid profile with its line, in line order", () => {
    const bad = FLOAT_PROFILE.replace('valueType: "Float64"\n', 'valueType: "Float65"\n').replace('name: "WriteFloat32Value"', "name: \"\"");
    const check = checkProfileText(bad);
    assert.equal(check.valid, false);
    assert.equal(check.code, "PROFILE_INVALID");
    const lines = check.problems.map((p) => p.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => (a ?? 0) - (b ?? 0)));
    const valueType = check.problems.find((p) => p.path === "deviceResources[3].properties.valueType");
    assert.equal(valueType?.line, bad.split("\n").findIndex((l) => l.includes("Float65")) + 1);
    assert.ok(check.problems.some((p) => p.path.startsWith("deviceCommands[0].name")));
  });

  it("reports text that is not YAML as YAML_MALFORMED", () => {
    const check = checkProfileText("name: [unclosed\n  - x: {");
    assert.equal(check.valid, false);
    assert.equal(check.code, "YAML_MALFORMED");
    assert.ok(check.problems.length > 0);
  });
});

describe("profileYaml", () => {
  it("writes a profile that parses back the same, without the fields core-metadata adds", () => {
    const profile = { ...parseProfile(FLOAT_PROFILE), id: "6a4c2b4e-7d1c-4cf5-9e5e-6b4f3a0c2d11", created: 1n, modified: 2n, apiVersion: "v3" };
    const yaml = profileYaml(profile);
    assert.doesNotMatch(yaml, /^(id|created|modified|apiVersion):/m);
    assert.deepEqual(parseProfile(yaml), parseProfile(FLOAT_PROFILE));
  });
});
