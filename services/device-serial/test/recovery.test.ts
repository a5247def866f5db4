/**
 * Recovery on real ptys: the port is unplugged (socat stopped, its links gone) and plugged back (socat restarted
 * under the same names); the driver notices, reports the devices DOWN, reopens with back-off and reads again. A
 * streaming device that falls silent is reported DOWN after its idleTimeoutMs.
 */
import { strict as assert } from "node:assert";
import type { Device } from "@brink/contracts";
import { SerialDriver } from "../src/driver.js";
import { SerialError, SerialErrorCode } from "../src/errors.js";
import { startPtyPair, startSerialInstrument, waitFor, type PtyPair, type SerialInstrument } from "../../../test/harness/index.js";
import { RecordingSdk, SERIAL_BLOCKS, deviceOn, loadProfile, requestOf } from "./fixtures.js";

const FAST_RECOVERY = { reopenInitialDelayMs: 50, reopenMaxDelayMs: 200, portCheckIntervalMs: 50 };

describe("SerialDriver recovery", function () {
  this.timeout(30_000);
  const profile = loadProfile("instrument");
  let pty: PtyPair;
  let sim: SerialInstrument;
  let device: Device;
  let sdk: RecordingSdk;
  let driver: SerialDriver;

  before(async () => {
    pty = await startPtyPair();
    sim = await startSerialInstrument({ path: pty.b, protocol: "sim", units: [1], checksum: true });
    device = deviceOn("unit-1", profile, pty.a, SERIAL_BLOCKS.instrument);
    sdk = new RecordingSdk([device], [profile], FAST_RECOVERY);
    driver = new SerialDriver();
    driver.initialize(sdk);
  });

  after(async () => {
    await driver?.stop({ force: true });
    await sim?.stop();
    await pty?.stop();
  });

  const temperature = async () => (await driver.read(device, [requestOf(profile, "Temperature")]))[0]!.value;

  it("starts with its port missing, reports the device DOWN, and opens the port once it appears", async () => {
    await pty.unplug();
    await driver.start();
    assert.equal(sdk.lastState("unit-1"), "DOWN");
    await assert.rejects(temperature(), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.PortUnavailable);
    await pty.replug();
    await waitFor(() => temperature().catch(() => undefined), { timeoutMs: 10_000, message: "read after the port appeared" });
    assert.equal(await temperature(), 21.5);
  });

  it("notices an unplug, fails reads, reopens with back-off after the replug, and reads again", async () => {
    const before = driver.portStats()[pty.a]!;
    sdk.states.length = 0;
    await pty.unplug();
    await waitFor(() => sdk.lastState("unit-1") === "DOWN", { timeoutMs: 5000, message: "DOWN after unplug" });
    await assert.rejects(temperature(), (e: unknown) => e instanceof SerialError && (e.code === SerialErrorCode.PortUnavailable || e.code === SerialErrorCode.PortClosed));
    await new Promise((r) => setTimeout(r, 500)); // several reopen attempts fail meanwhile
    await pty.replug();
    await waitFor(() => temperature().catch(() => undefined), { timeoutMs: 10_000, message: "read after replug" });
    const after = driver.portStats()[pty.a]!;
    assert.equal(after.losses - before.losses, 1);
    assert.equal(after.opens - before.opens, 1);
  });

  it("reports a streaming device DOWN when it falls silent for idleTimeoutMs, and pushes again when it talks", async () => {
    const quiet = deviceOn("unit-1-idle", profile, pty.a, { ...SERIAL_BLOCKS.instrument, idleTimeoutMs: 300 });
    await driver.onDeviceRemoved(device);
    sdk.setDevices([quiet]);
    await driver.onDeviceAdded(quiet);
    await sim.stream(20);
    await waitFor(() => sdk.pushed.some((p) => p.device === "unit-1-idle"), { timeoutMs: 5000, message: "stream" });
    sdk.states.length = 0;
    await sim.silence(true);
    await waitFor(() => sdk.lastState("unit-1-idle") === "DOWN", { timeoutMs: 5000, message: "DOWN when silent" });
    sdk.pushed.length = 0;
    await sim.silence(false);
    await waitFor(() => sdk.pushed.length > 0, { timeoutMs: 5000, message: "pushes resume" });
    await sim.stream(0);
  });
});
