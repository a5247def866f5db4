/**
 * EdgeX's own sample files (test/fixtures/edgex, copied byte-for-byte; see SOURCES.md there) load unchanged.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { parseDeviceList, parseProfile, parseProvisionWatcher, validateProfile } from "@brink/contracts";
import { fixture } from "../helpers.js";

const dir = (sub: string): string[] => readdirSync(fileURLToPath(new URL(`../fixtures/edgex/${sub}`, import.meta.url))).sort();

/** Asserts every value of the raw YAML is in `got` (texts written as YAML numbers may come back as their string). */
function assertKeeps(raw: unknown, got: unknown, path: string): void {
  if (raw === null) return; // `key:` with no value means "not given"
  if (Array.isArray(raw)) {
    assert.ok(Array.isArray(got), `${path} should be an array`);
    raw.forEach((r, i) => assertKeeps(r, got[i], `${path}[${i}]`));
  } else if (typeof raw === "object") {
    assert.ok(typeof got === "object" && got !== null, `${path} should be an object`);
    for (const [k, v] of Object.entries(raw)) assertKeeps(v, (got as Record<string, unknown>)[k], `${path}.${k}`);
  } else if (typeof raw === "number" && typeof got === "string") {
    assert.equal(Number(got), raw, path);
  } else {
    assert.equal(got, raw, path);
  }
}

describe("EdgeX reference files", () => {
  const profiles = dir("profiles");
  it("has the seven reference profiles", () => assert.equal(profiles.length, 7));

  for (const file of profiles) {
    it(`loads profile ${file} unchanged`, () => {
      const text = fixture(`edgex/profiles/${file}`);
      const profile = parseProfile(text);
      assertKeeps(parseYaml(text), profile, "");
      assert.ok(profile.deviceResources.length > 0);
      // Validating the result again changes nothing (what core-metadata does with a stored profile).
      assert.deepEqual(validateProfile(structuredClone(profile)), profile);
    });
  }

  it("keeps the Simple-Driver's stale apiVersion and its Image command", () => {
    const p = parseProfile(fixture("edgex/profiles/device-sdk-go__Simple-Driver.yaml"));
    assert.equal(p.apiVersion, "v2");
    assert.deepEqual(p.deviceCommands!.map((c) => c.name), ["Switch", "Image", "Rotation"]);
  });

  for (const file of dir("devices").filter((f) => !f.includes("Provision-Watcher"))) {
    it(`parses device list ${file}`, () => {
      const text = fixture(`edgex/devices/${file}`);
      const devices = parseDeviceList(text, { serviceName: "device-test" });
      const raw = parseYaml(text) as { deviceList: unknown[] };
      assert.equal(devices.length, raw.deviceList.length);
      assertKeeps(raw.deviceList, devices, "deviceList");
      for (const d of devices) {
        assert.equal(d.serviceName, "device-test");
        assert.equal(d.adminState, "UNLOCKED");
      }
    });
  }

  it("parses the provision watcher, with numeric blockingIdentifiers as strings", () => {
    const w = parseProvisionWatcher(fixture("edgex/devices/device-sdk-go__Simple-Provision-Watcher.yml"));
    assert.equal(w.name, "Simple-Provision-Watcher");
    assert.equal(w.serviceName, "device-simple");
    assert.deepEqual(w.identifiers, { Address: "simple[0-9]+", Port: "3[0-9]{2}" });
    assert.deepEqual(w.blockingIdentifiers, { Port: ["397", "398", "399"] });
    assert.equal(w.discoveredDevice.autoEvents![0]!.interval, "15s");
  });
});
