/**
 * `brink start` as a user runs it: one process, in-process bus, local files, simulated devices.
 */
import { strict as assert } from "node:assert";
import { EMBEDDED_ORDER } from "../../services/brink/src/registry.js";
import { httpJson, waitFor } from "../harness/index.js";
import { portsFor, startBrink, tempDataDir, waitForPings, type Ports } from "./brink-process.js";
import { assertCommandReadWrite, assertReadingsStored, assertVirtualDevicesRegistered } from "./scenario.js";

// Every service `brink start` runs gets a free port, so the test follows the registry as services land.
const EMBEDDED = EMBEDDED_ORDER;

describe("brink start (embedded)", function () {
  this.timeout(60_000);
  let ports: Ports;
  let env: Record<string, string>;
  let brink: Awaited<ReturnType<typeof startBrink>> | undefined;
  const dataDir = tempDataDir();

  before(async () => {
    ({ ports, env } = await portsFor(EMBEDDED));
    env.BRINK_DATA_DIR = dataDir;
    brink = await startBrink(["start"], env, ports["device-virtual"]!);
    await waitForPings(ports);
  });

  after(async () => {
    await brink?.stop();
  });

  it("registers EdgeX's virtual devices with core-metadata", async () => {
    await assertVirtualDevicesRegistered(ports);
  });

  it("stores AutoEvent readings of a device added at runtime, with exact int64 origins", async () => {
    await assertReadingsStored(ports);
  });

  it("reads and writes devices through core-command", async () => {
    await assertCommandReadWrite(ports);
  });

  it("stops cleanly on SIGTERM and keeps its data across a restart", async () => {
    const before = await httpJson("GET", `http://127.0.0.1:${ports["core-metadata"]}/api/v3/device/all?limit=-1`);
    const count = (before.body as { totalCount: number }).totalCount;
    const exit = await brink!.stop();
    assert.equal(exit.code, 0, `exit code after SIGTERM; output:\n${brink!.output()}`);
    brink = await startBrink(["start"], env, ports["device-virtual"]!);
    await waitForPings(ports);
    const after = await httpJson("GET", `http://127.0.0.1:${ports["core-metadata"]}/api/v3/device/all?limit=-1`);
    assert.equal((after.body as { totalCount: number }).totalCount, count);
  });
});

describe("brink start with BRINK_API_TOKEN", function () {
  this.timeout(60_000);
  let ports: Ports;
  let brink: Awaited<ReturnType<typeof startBrink>> | undefined;

  before(async () => {
    let env: Record<string, string>;
    ({ ports, env } = await portsFor(EMBEDDED));
    env.BRINK_DATA_DIR = tempDataDir();
    env.BRINK_API_TOKEN = "s3cret-token";
    brink = await startBrink(["start"], env, ports["device-virtual"]!);
    await waitForPings(ports);
  });

  after(async () => {
    await brink?.stop();
  });

  it("answers ping without a token and refuses other routes without it", async () => {
    const devices = `http://127.0.0.1:${ports["core-metadata"]}/api/v3/device/all`;
    assert.equal((await httpJson("GET", devices)).status, 401);
    assert.equal((await httpJson("GET", devices, undefined, { authorization: "Bearer wrong" })).status, 401);
    assert.equal((await httpJson("GET", devices, undefined, { authorization: "Bearer s3cret-token" })).status, 200);
  });

  it("lets the services talk to each other with the token (devices register, commands work)", async () => {
    const auth = { authorization: "Bearer s3cret-token" };
    await waitFor(
      async () => (await httpJson("GET", `http://127.0.0.1:${ports["core-metadata"]}/api/v3/device/name/Random-Integer-Device`, undefined, auth)).status === 200,
      { timeoutMs: 15_000, intervalMs: 100, message: "device-virtual did not register its devices with the token" },
    );
    const res = await httpJson("GET", `http://127.0.0.1:${ports["core-command"]}/api/v3/device/name/Random-Integer-Device/Int16`, undefined, auth);
    assert.equal(res.status, 200, res.text);
  });
});
