/**
 * The `brink` launcher (services/brink/bin/brink.js): `brink run <service>` and `brink start` take a direct path that
 * does not load the command-line parser; everything else goes through it. Both paths must behave as one command.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { BRINK_BIN, BRINK_LAUNCHER_ENV, BRINK_NODE_FLAGS, REPO_ROOT, tempDataDir } from "./brink-process.js";
import { freePort } from "../harness/index.js";

function brink(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...BRINK_NODE_FLAGS, BRINK_BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 20_000,
    env: { ...process.env, ...BRINK_LAUNCHER_ENV, BRINK_LOG_LEVEL: "warn", ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the brink launcher", function () {
  this.timeout(60_000);

  it("fails `brink run <unknown>` at once with UNKNOWN_SERVICE listing the services, without waiting for NATS", async () => {
    // No NATS server listens on this port: the name must be checked before the bus is awaited.
    const r = brink(["run", "core-nothing"], { BRINK_BUS_URL: `nats://127.0.0.1:${await freePort()}`, BRINK_DATA_DIR: tempDataDir("brink-launcher-") });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^brink: unknown service "core-nothing"; known: .*core-metadata.*\(UNKNOWN_SERVICE\)/m);
  });

  it("hands other command lines to the full parser: versions, listings, usage errors", () => {
    const version = brink(["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
    const services = brink(["services"]);
    assert.equal(services.status, 0, services.stderr);
    assert.ok(services.stdout.split("\n").includes("core-data"));
    const missing = brink(["run"]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /missing required argument 'service'/);
    const extra = brink(["run", "core-data", "--bogus"]);
    assert.notEqual(extra.status, 0);
    assert.match(extra.stderr, /unknown option '--bogus'/);
  });
});
