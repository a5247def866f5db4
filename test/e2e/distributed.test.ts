/**
 * Distributed mode: core-metadata, core-data, core-command and device-virtual as four `brink run` processes on a
 * real nats-server, each with the same service code as embedded mode.
 */
import { strict as assert } from "node:assert";
import { startNatsServer } from "../harness/index.js";
import { portsFor, startBrink, tempDataDir, waitForPings, type Ports } from "./brink-process.js";
import { assertCommandReadWrite, assertReadingsStored, assertVirtualDevicesRegistered } from "./scenario.js";

const SERVICES = ["core-metadata", "core-data", "core-command", "device-virtual"];

describe("brink run (distributed on NATS)", function () {
  this.timeout(90_000);
  let ports: Ports;
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  const procs: Awaited<ReturnType<typeof startBrink>>[] = [];

  before(async () => {
    nats = await startNatsServer();
    let env: Record<string, string>;
    ({ ports, env } = await portsFor(SERVICES));
    env.BRINK_BUS_URL = nats.url;
    for (const service of SERVICES) {
      // Each process has its own data directory, as separate containers would.
      procs.push(await startBrink(["run", service], { ...env, BRINK_DATA_DIR: tempDataDir(`brink-${service}-`) }, ports[service]!, service));
    }
    await waitForPings(ports);
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
  });

  it("runs each service as its own process", () => {
    assert.equal(new Set(procs.map((p) => p.pid)).size, SERVICES.length);
  });

  it("registers the virtual devices through core-metadata", async () => {
    await assertVirtualDevicesRegistered(ports);
  });

  it("carries AutoEvent readings of a device added at runtime over NATS into core-data", async () => {
    await assertReadingsStored(ports);
  });

  it("reads and writes through core-command over NATS request/reply", async () => {
    await assertCommandReadWrite(ports);
  });
});
