/**
 * docs/writing-a-driver.md followed end to end: `brink new driver`, build, the package's own conformance tests, then
 * the service run alone on NATS beside core-metadata, reading and writing a real HTTP sensor over REST.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, httpJson, startNatsServer, startProcess, waitFor } from "../harness/index.js";
import { BRINK_BIN, REPO_ROOT, portEnv, startBrink, tempDataDir } from "./brink-process.js";

type Handle = Awaited<ReturnType<typeof startProcess>>;

function run(cmd: string, args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** The sensor of the guide: GET /<path> answers { value }, PUT stores it. */
function startSensor(): Promise<Server> {
  const registers = new Map<string, unknown>([["/temperature", 21.5], ["/setpoint", 20], ["/enabled", false]]);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!registers.has(req.url ?? "")) return void res.writeHead(404).end();
      if (req.method === "PUT") registers.set(req.url!, (JSON.parse(Buffer.concat(chunks).toString()) as { value: unknown }).value);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: registers.get(req.url!) }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("brink new driver (docs/writing-a-driver.md end to end)", function () {
  this.timeout(180_000);
  // Inside the repository, so the package resolves @brink/* through the workspace's node_modules.
  const root = join(REPO_ROOT, ".tmp", `scaffold-${process.pid}`);
  const dir = join(root, "device-acme");
  const procs: Handle[] = [];
  let nats: Awaited<ReturnType<typeof startNatsServer>> | undefined;
  let sensor: Server | undefined;

  before(() => mkdirSync(root, { recursive: true }));

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    sensor?.closeAllConnections();
    sensor?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("scaffolds a package and refuses a bad name or an existing folder", () => {
    const made = run(process.execPath, [BRINK_BIN, "new", "driver", "acme", "--dir", dir, "--port", "59990"], REPO_ROOT);
    assert.equal(made.status, 0, made.output);
    assert.match(made.output, /src\/driver\.ts/);
    const again = run(process.execPath, [BRINK_BIN, "new", "driver", "acme", "--dir", dir], REPO_ROOT);
    assert.equal(again.status, 1);
    assert.match(again.output, /SCAFFOLD_EXISTS/);
    const bad = run(process.execPath, [BRINK_BIN, "new", "driver", "Bad_Name", "--dir", join(root, "x")], REPO_ROOT);
    assert.equal(bad.status, 1);
    assert.match(bad.output, /SCAFFOLD_NAME_INVALID/);
  });

  it("builds with tsc -b", () => {
    const built = run(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-b", dir], REPO_ROOT);
    assert.equal(built.status, 0, built.output);
  });

  it("passes its own tests: the SDK's conformance suite against a real HTTP sensor", () => {
    const tested = run(process.execPath, [join(REPO_ROOT, "node_modules/mocha/bin/mocha.js"), "test/**/*.test.ts"], dir);
    assert.equal(tested.status, 0, tested.output);
    assert.match(tested.output, /9 passing/);
  });

  it("runs alone on NATS beside core-metadata and serves reads and writes of a real sensor", async () => {
    nats = await startNatsServer();
    sensor = await startSensor();
    const metadataPort = await freePort();
    const acmePort = await freePort();
    const env = {
      BRINK_BUS_URL: nats.url,
      [portEnv("core-metadata")]: String(metadataPort),
      [portEnv("device-acme")]: String(acmePort),
      BRINK_CLIENTS_CORE_METADATA_URL: `http://127.0.0.1:${metadataPort}`,
    };
    procs.push(await startBrink(["run", "core-metadata"], { ...env, BRINK_DATA_DIR: tempDataDir() }, metadataPort));
    procs.push(
      await startProcess({
        name: "device-acme",
        cmd: process.execPath,
        args: [join(dir, "dist/main.js")],
        env: { ...process.env, ...env, BRINK_DATA_DIR: tempDataDir(), BRINK_LOG_LEVEL: "warn" },
        cwd: dir,
        readyWhen: { port: acmePort },
        timeoutMs: 20_000,
      }),
    );
    const metadata = `http://127.0.0.1:${metadataPort}/api/v3`;
    // the service seeded its profile at start
    await waitFor(async () => (await httpJson("GET", `${metadata}/deviceprofile/name/acme-sensor`)).status === 200, {
      timeoutMs: 15_000, intervalMs: 100, message: "profile acme-sensor not seeded",
    });
    const baseUrl = `http://127.0.0.1:${(sensor.address() as AddressInfo).port}`;
    const add = await httpJson("POST", `${metadata}/device`, [
      { apiVersion: "v3", device: { name: "kitchen", serviceName: "device-acme", profileName: "acme-sensor", adminState: "UNLOCKED", operatingState: "UP", protocols: { http: { baseUrl } } } },
    ]);
    assert.equal((add.body as { statusCode: number }[])[0]!.statusCode, 201, add.text);

    const acme = `http://127.0.0.1:${acmePort}/api/v3/device/name/kitchen`;
    let climate = await httpJson("GET", `${acme}/climate`);
    await waitFor(async () => (climate = await httpJson("GET", `${acme}/climate`)).status === 200, { timeoutMs: 10_000, intervalMs: 100, message: "kitchen not served" });
    const readings = (climate.body as { event: { readings: { resourceName: string; value: string }[] } }).event.readings;
    assert.deepEqual(readings.map((r) => r.resourceName), ["temperature", "setpoint"]);
    assert.equal(Number.parseFloat(readings[0]!.value), 21.5);

    const on = await httpJson("PUT", `${acme}/power`, { enabled: "ON" });
    assert.equal(on.status, 200, on.text);
    const power = await httpJson("GET", `${acme}/power`);
    assert.equal((power.body as { event: { readings: { value: string }[] } }).event.readings[0]!.value, "ON");
    const outOfRange = await httpJson("PUT", `${acme}/setpoint`, { setpoint: "99" });
    assert.equal(outOfRange.status, 400);
  });
});
