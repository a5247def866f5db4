/**
 * node-opcua loads only when the driver starts: importing the package, creating the service definition and the
 * driver cost nothing (checked in a fresh process, through Node's CommonJS module cache where node-opcua lands).
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

const SCRIPT = `
import { createRequire } from "node:module";
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("node-opcua")).length;
const pkg = await import("@brink/device-opcua");
const driver = new pkg.OpcuaDriver();
const before = { definition: typeof pkg.deviceOpcuaService.create, driver: typeof driver.read, loaded: loaded() };
await pkg.loadOpcua();
console.log("RESULT " + JSON.stringify({ ...before, after: loaded() }));
`;

describe("device-opcua's cost when it does not run", function () {
  this.timeout(30_000);

  it("does not load node-opcua on import, service definition or driver construction; loads it on demand", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ["--import", "tsx", "--conditions=brink-src", "--input-type=module", "-e", SCRIPT], { cwd: REPO_ROOT }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const line = out.split("\n").find((l) => l.startsWith("RESULT ")) ?? "RESULT {}";
    const result = JSON.parse(line.slice("RESULT ".length)) as { definition: string; driver: string; loaded: number; after: number };
    assert.equal(result.definition, "function");
    assert.equal(result.driver, "function");
    assert.equal(result.loaded, 0, "node-opcua modules loaded before the driver started");
    assert.ok(result.after > 0, "loadOpcua() loads node-opcua");
  });
});
