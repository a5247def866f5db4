/**
 * The `brink` client verbs against a running `brink start` (with a token), as a user runs them: output, --json,
 * and exit codes (0 ok, 1 failed, 2 usage, 3 unreachable, 4 not found, 5 unauthorized).
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_VERSION, parseJson } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { createDeviceService } from "@brink/device-sdk";
import { FAKE_PROFILE_NAME, FakeDriver, fakeThermostatProfile } from "@brink/device-sdk/testing";
import { freePort, httpJson, waitFor } from "../harness/index.js";
import { BRINK_BIN, REPO_ROOT } from "../e2e/brink-process.js";
import { runBrink, startBrinkWithConsole, type BrinkWithConsole } from "./brink-fixture.js";

const TOKEN = "cli-test-token";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const DEVICE = "Random-Float-Device";
const FLOAT_PROFILE = readFileSync(join(REPO_ROOT, "device-profiles/virtual/device.virtual.float.yaml"), "utf8");

describe("brink client verbs against brink start", function () {
  this.timeout(90_000);
  let brink: BrinkWithConsole;
  let common: string[];
  const dir = mkdtempSync(join(tmpdir(), "brink-cli-e2e-"));
  const cli = (...args: string[]) => runBrink([...args, ...common]);

  before(async () => {
    brink = await startBrinkWithConsole({ token: TOKEN });
    common = ["--url", brink.consoleUrl, "--token", TOKEN];
  });

  after(async () => {
    await brink?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("devices", () => {
    it("lists the devices in a table, and as JSON with --json", async () => {
      const table = await cli("devices", "list");
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s+SERVICE\s+PROFILE\s+STATE\s+ADMIN\s+LAST READING\s+LABELS$/m);
      assert.match(table.stdout, new RegExp(`^${DEVICE}\\s+device-virtual\\s+${DEVICE}\\s+UP\\s+UNLOCKED`, "m"));
      const json = await cli("devices", "--json");
      assert.equal(json.code, 0, json.stderr);
      const devices = parseJson(json.stdout) as { name: string; serviceName: string }[];
      assert.ok(devices.some((d) => d.name === DEVICE && d.serviceName === "device-virtual"));
    });

    it("filters by label", async () => {
      const none = await cli("devices", "list", "--label", "no-such-label", "--json");
      assert.deepEqual(parseJson(none.stdout), []);
      const some = await cli("devices", "list", "--label", "device-virtual-example", "--json");
      assert.ok((parseJson(some.stdout) as unknown[]).length >= 6);
    });

    it("shows one device with its resources and commands", async () => {
      const r = await cli("devices", "show", DEVICE);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Profile:\s+Random-Float-Device$/m);
      assert.match(r.stdout, /^Float64\s+Float64\s+RW/m);
      assert.match(r.stdout, /^WriteFloat64Value\s+yes\s+Float64:Float64 EnableRandomization_Float64:Bool$/m);
    });

    it("exits 4 for a device that does not exist", async () => {
      const r = await cli("devices", "show", "No-Such-Device");
      assert.equal(r.code, 4);
      assert.match(r.stderr, /NOT_FOUND/);
    });

    it("locks a device so commands to it fail with exit 1, and unlocks it", async () => {
      assert.equal((await cli("devices", "lock", DEVICE)).code, 0);
      const refused = await cli("read", DEVICE, "Float64");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /LOCKED/);
      const unlocked = await cli("devices", "unlock", DEVICE);
      assert.equal(unlocked.code, 0);
      assert.equal(unlocked.stdout, `${DEVICE}: UNLOCKED\n`);
      assert.equal((await cli("read", DEVICE, "Float64")).code, 0);
    });
  });

  describe("read and write", () => {
    it("writes 42.5 and reads it back", async () => {
      const w = await cli("write", DEVICE, "WriteFloat64Value", "Float64=42.5");
      assert.equal(w.code, 0, w.stderr);
      const r = await cli("read", DEVICE, "Float64");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Float64\s+42\.5\s+Float64/m);
      const json = await cli("read", DEVICE, "Float64", "--json");
      const event = parseJson(json.stdout) as { readings: { value: string; origin: bigint }[] };
      assert.equal(Number(event.readings[0]?.value), 42.5);
      assert.equal(typeof event.readings[0]?.origin, "bigint");
    });

    it("exits 1 with the device service's error for a value out of range", async () => {
      const r = await cli("write", DEVICE, "WriteFloat64Value", "Float64=not-a-number");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\(([A-Z_]+)\)\n$/);
    });

    it("refuses a setting without = before sending anything", async () => {
      const r = await cli("write", DEVICE, "WriteFloat64Value", "Float64");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ARGUMENT_INVALID/);
    });
  });

  describe("readings tail", () => {
    it("follows new readings live and stops after --count", async () => {
      const child = spawn(process.execPath, [BRINK_BIN, "readings", "tail", DEVICE, "--count", "2", ...common], { cwd: REPO_ROOT });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      try {
        await waitFor(() => out.includes("TIME (UTC)"), { timeoutMs: 10_000, message: "tail is following" });
        for (const resource of ["Float32", "Float64"]) {
          const res = await httpJson("GET", `${brink.consoleUrl}/core-command/api/v3/device/name/${DEVICE}/${resource}?ds-pushevent=true`, undefined, AUTH);
          assert.equal(res.status, 200);
        }
        assert.equal(await exited, 0);
        const rows = out.trim().split("\n").slice(1);
        assert.equal(rows.length, 2, out);
        assert.match(rows[0]!, new RegExp(`${DEVICE}\\s+Float32\\s+\\S+`));
        assert.match(rows[1]!, new RegExp(`${DEVICE}\\s+Float64\\s+\\S+`));
      } finally {
        child.kill();
      }
    });
  });

  describe("profiles", () => {
    const good = join(dir, "meter.yaml");
    const bad = join(dir, "bad.yaml");
    before(() => {
      writeFileSync(good, FLOAT_PROFILE.replace('name: "Random-Float-Device"', 'name: "CLI-Meter"'));
      writeFileSync(bad, FLOAT_PROFILE.replace('name: "Random-Float-Device"', 'name: "CLI-Bad"').replace('readWrite: "RW"', 'readWrite: "XX"'));
    });

    it("validates offline: 0 for a good file, 1 with each problem and its line for a bad one", async () => {
      const ok = await runBrink(["profile", "validate", good]);
      assert.equal(ok.code, 0);
      const ko = await runBrink(["profile", "validate", bad]);
      assert.equal(ko.code, 1);
      const line = readFileSync(bad, "utf8").split("\n").findIndex((l) => l.includes('"XX"')) + 1;
      assert.ok(ko.stdout.includes(`${bad}:${line}: deviceResources[2].properties.readWrite`), ko.stdout);
    });

    it("uploads nothing when the profile has problems", async () => {
      const r = await cli("profile", "upload", bad);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /nothing was uploaded/);
      assert.equal((await httpJson("GET", `${brink.url("core-metadata")}/api/v3/deviceprofile/name/CLI-Bad`, undefined, AUTH)).status, 404);
    });

    it("uploads a good profile, refuses it twice, and replaces it with --replace", async () => {
      const first = await cli("profile", "upload", good);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /uploaded profile CLI-Meter/);
      assert.equal((await httpJson("GET", `${brink.url("core-metadata")}/api/v3/deviceprofile/name/CLI-Meter`, undefined, AUTH)).status, 200);
      const again = await cli("profile", "upload", good);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /--replace.*\(DUPLICATE_NAME\)/);
      const replaced = await cli("profile", "upload", good, "--replace");
      assert.equal(replaced.code, 0, replaced.stderr);
    });
  });

  describe("discover", () => {
    const bus = new InProcessBus();
    const driver = new FakeDriver();
    let fake: RunningService | undefined;
    const SERVICE = "device-fakedisc";

    before(async () => {
      await bus.connect();
      const metadata = brink.url("core-metadata");
      const profile = await httpJson("POST", `${metadata}/api/v3/deviceprofile`, [{ apiVersion: API_VERSION, profile: fakeThermostatProfile() }], AUTH);
      assert.equal(profile.status, 207);
      driver.discovered = [{ name: "Found-Thermostat-1", protocols: { fake: { address: "10.0.0.7" } } }];
      const definition = createDeviceService({ name: SERVICE, version: "0.0.0", defaultPort: await freePort(), driver: () => driver });
      fake = await startService(definition, { bus, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, apiToken: TOKEN, clients: { coreMetadataUrl: metadata } } });
      const watcher = await httpJson("POST", `${metadata}/api/v3/provisionwatcher`, [
        {
          apiVersion: API_VERSION,
          provisionWatcher: {
            name: "fake-watcher",
            serviceName: SERVICE,
            identifiers: { address: "10\\.0\\.0\\.\\d+" },
            adminState: "UNLOCKED",
            discoveredDevice: { profileName: FAKE_PROFILE_NAME, adminState: "UNLOCKED" },
          },
        },
      ], AUTH);
      assert.equal(watcher.status, 207);
    });

    after(async () => {
      await fake?.stop({ force: true });
      await bus.close();
    });

    it("runs a discovery and shows the devices it adds", async () => {
      const r = await cli("discover", SERVICE, "--timeout", "20");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^discovery started on ${SERVICE}`, "m"));
      assert.match(r.stdout, /^added device Found-Thermostat-1$/m);
      assert.match(r.stdout, /^discovery done: 1 device added$/m);
      assert.equal((await httpJson("GET", `${brink.url("core-metadata")}/api/v3/device/name/Found-Thermostat-1`, undefined, AUTH)).status, 200);
    });

    it("exits 1 for a service that cannot discover", async () => {
      const r = await cli("discover", "device-virtual");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /DISCOVERY_NOT_SUPPORTED/);
    });

    it("exits 4 for a service nobody knows", async () => {
      const r = await cli("discover", "device-nowhere");
      assert.equal(r.code, 4);
      assert.match(r.stderr, /PEER_UNKNOWN/);
    });
  });

  describe("exit codes", () => {
    it("exits 5 without the token", async () => {
      const r = await runBrink(["devices", "list", "--url", brink.consoleUrl]);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /UNAUTHORIZED/);
    });

    it("takes the token and URL from BRINK_API_TOKEN and BRINK_URL", async () => {
      const r = await runBrink(["devices", "list"], { BRINK_URL: brink.consoleUrl, BRINK_API_TOKEN: TOKEN });
      assert.equal(r.code, 0, r.stderr);
    });

    it("exits 3 when no Brink answers", async () => {
      const r = await runBrink(["devices", "list", "--url", `http://127.0.0.1:${await freePort()}`]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /SERVICE_UNREACHABLE/);
    });

    it("exits 2 for a usage error", async () => {
      const r = await runBrink(["read", DEVICE]);
      assert.equal(r.code, 2);
    });
  });
});
