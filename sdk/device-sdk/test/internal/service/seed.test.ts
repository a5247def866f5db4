import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { stringify } from "yaml";
import type { Device, DeviceProfile } from "@brink/contracts";
import { seedDevices, seedProfiles, type SeedOutcome } from "../../../src/internal/service/seed.js";
import { fakeDevice, fakeThermostatProfile } from "../../../src/testing/fixtures.js";

describe("seed", () => {
  let dir: string;
  const added = { profiles: [] as DeviceProfile[], devices: [] as Device[] };
  const metadata = {
    async addProfiles(p: readonly DeviceProfile[]): Promise<SeedOutcome[]> {
      added.profiles.push(...p);
      return p.map((x) => ({ status: x.name === "exists" ? "exists" : "ok" }));
    },
    async addDevices(d: readonly Device[]): Promise<SeedOutcome[]> {
      added.devices.push(...d);
      return d.map(() => ({ status: "ok" }));
    },
  };
  const logger = pino({ level: "silent" });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "brink-seed-"));
    await writeFile(join(dir, "a-profile.yaml"), stringify(fakeThermostatProfile("p1")));
    await writeFile(join(dir, "b-profile.yml"), stringify(fakeThermostatProfile("exists")));
    await writeFile(join(dir, "broken.yaml"), "name: [unclosed\n");
    await writeFile(join(dir, "readme.txt"), "not yaml");
    await writeFile(
      join(dir, "devices.yaml"),
      stringify({ deviceList: [{ ...fakeDevice("mine", ""), serviceName: undefined }, fakeDevice("theirs", "other-service")] }),
    );
    await writeFile(join(dir, "more-devices.json"), JSON.stringify({ deviceList: [{ ...fakeDevice("mine-2", "svc") }] }));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("uploads the profiles of a directory that also holds device lists, skipping files that do not parse", async () => {
    const n = await seedProfiles(dir, metadata, logger);
    assert.equal(n, 1, "one new, one existing");
    assert.deepEqual(added.profiles.map((p) => p.name).sort(), ["exists", "p1"]);
  });

  it("adds only this service's devices, filling in serviceName", async () => {
    const n = await seedDevices(dir, "svc", metadata, logger);
    assert.equal(n, 2);
    assert.deepEqual(added.devices.map((d) => [d.name, d.serviceName]), [["mine", "svc"], ["mine-2", "svc"]]);
  });

  it("treats a missing directory as empty", async () => {
    assert.equal(await seedProfiles(join(dir, "missing"), metadata, logger), 0);
  });
});
