/**
 * The files of device-profiles/serial/: every profile validates as core-metadata would, every resource's attributes
 * compile, and every device of the example device list passes the driver's validation.
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseDeviceList, parseProfile, type DeviceProfile } from "@brink/contracts";
import { planOf } from "../src/attributes.js";
import { SerialDriver } from "../src/driver.js";
import { SERIAL_PROFILES_DIR } from "../src/service.js";
import { RecordingSdk } from "./fixtures.js";

const files = readdirSync(SERIAL_PROFILES_DIR).filter((f) => /\.ya?ml$/.test(f));
const texts = new Map(files.map((f) => [f, readFileSync(join(SERIAL_PROFILES_DIR, f), "utf8")]));
const profileFiles = files.filter((f) => !/^deviceList\s*:/m.test(texts.get(f)!));

describe("device-profiles/serial", () => {
  const profiles: DeviceProfile[] = [];

  for (const file of profileFiles) {
    it(`${file} is a valid profile whose attributes all compile`, () => {
      const profile = parseProfile(texts.get(file)!);
      for (const r of profile.deviceResources) assert.doesNotThrow(() => planOf(r), r.name);
      profiles.push(profile);
    });
  }

  it("ships the four profiles", () => {
    assert.deepEqual(profiles.map((p) => p.name).sort(), ["Brink-Serial-Binary", "Brink-Serial-Instrument", "Mettler-Toledo-MT-SICS", "NMEA-0183-GPS"]);
  });

  it("devices.example.yaml holds valid devices for those profiles", () => {
    const devices = parseDeviceList(texts.get("devices.example.yaml")!, { serviceName: "device-serial" });
    assert.equal(devices.length, 5);
    const driver = new SerialDriver();
    driver.initialize(new RecordingSdk(devices, profiles));
    for (const d of devices) {
      assert.ok(profiles.some((p) => p.name === d.profileName), d.profileName);
      assert.doesNotThrow(() => driver.validateDevice(d), d.name);
    }
  });

  it("documents where each format comes from", () => {
    const sources = readFileSync(join(SERIAL_PROFILES_DIR, "SOURCES.md"), "utf8");
    for (const file of profileFiles) assert.ok(sources.includes(file), file);
  });
});
