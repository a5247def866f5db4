/**
 * device-serial as users run it embedded: core-metadata, device-serial and core-command in one process on the
 * in-process bus, devices on socat pty pairs with simulated instruments, driven over real HTTP through core-command.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_EVENTS, type Device, type Event, type Reading } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "@brink/core-command";
import { deviceSerialService } from "../src/index.js";
import { SerialErrorCode } from "../src/errors.js";
import { httpJson, startSerialInstrument, startSerialPair, waitFor, type SerialInstrument, type SerialPair } from "../../../test/harness/index.js";
import { SERIAL_BLOCKS } from "./fixtures.js";

describe("device-serial with core-metadata and core-command (embedded)", function () {
  this.timeout(30_000);
  const bus = new InProcessBus();
  const running: RunningService[] = [];
  const events: Event[] = [];
  const peers: { pair: SerialPair; sim: SerialInstrument }[] = [];
  let dataDir: string | undefined;
  let metadataUrl: string;
  let serialUrl: string;
  let command: (path: string) => string;

  async function addDevice(name: string, profileName: string, serial: Record<string, unknown>): Promise<void> {
    const device: Omit<Device, "operatingState"> & { operatingState: "UP" } = {
      name, profileName, serviceName: "device-serial", adminState: "UNLOCKED", operatingState: "UP", protocols: { serial },
    };
    const res = await httpJson("POST", `${metadataUrl}/api/v3/device`, [{ apiVersion: "v3", device }]);
    assert.equal(res.status, 207, res.text);
    assert.equal((res.body as { statusCode: number }[])[0]!.statusCode, 201, res.text);
  }

  const operatingState = async (name: string) =>
    ((await httpJson("GET", `${metadataUrl}/api/v3/device/name/${name}`)).body as { device: Device }).device.operatingState;

  before(async () => {
    await bus.connect();
    bus.subscribe(ALL_EVENTS, (msg) => void events.push((msg.envelope.payload as { event: Event }).event));
    dataDir = mkdtempSync(join(tmpdir(), "brink-device-serial-"));
    const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown> = {}) => {
      const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, dataDir, ...overrides } });
      running.push(s);
      return s;
    };
    for (const protocol of ["sim", "nmea"] as const) {
      const pair = await startSerialPair();
      peers.push({ pair, sim: await startSerialInstrument({ path: pair.b, protocol, units: [1], checksum: true, streamIntervalMs: protocol === "nmea" ? 50 : 0 }) });
    }
    const metadata = await start(coreMetadataService);
    metadataUrl = metadata.url;
    const clients = { coreMetadataUrl: metadata.url };
    const serial = await start(deviceSerialService, {
      clients,
      device: { maxConsecutiveFailures: 2, downProbeIntervalMs: 0 },
      driver: { timeoutMs: 300, portCheckIntervalMs: 100 },
    });
    serialUrl = serial.url;
    const core = await start(coreCommandService, { clients });
    command = (path) => `${core.url}/api/v3${path}`;
    await addDevice("sim-1", "Brink-Serial-Instrument", { path: peers[0]!.pair.a, ...SERIAL_BLOCKS.instrument });
    await addDevice("gps", "NMEA-0183-GPS", { path: peers[1]!.pair.a, ...SERIAL_BLOCKS.nmea, idleTimeoutMs: 400 });
    await waitFor(async () => (await httpJson("GET", command("/device/name/sim-1/Counter"))).status === 200, { timeoutMs: 10_000, message: "sim-1 answers" });
  });

  after(async () => {
    for (const s of running.reverse()) await s.stop();
    await bus.close();
    for (const { pair, sim } of peers) {
      await sim.stop();
      await pair.stop();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function get(path: string): Promise<Reading[]> {
    const res = await httpJson("GET", command(path));
    assert.equal(res.status, 200, res.text);
    return (res.body as { event: Event }).event.readings;
  }

  it("uploads the serial profiles at start", async () => {
    const res = await httpJson("GET", `${metadataUrl}/api/v3/deviceprofile/all?limit=-1`);
    const names = ((res.body as { profiles: { name: string }[] }).profiles ?? []).map((p) => p.name);
    for (const n of ["Brink-Serial-Instrument", "Brink-Serial-Binary", "NMEA-0183-GPS", "Mettler-Toledo-MT-SICS"]) assert.ok(names.includes(n), n);
  });

  it("reads a command of four resources through core-command, in EdgeX's value format", async () => {
    const readings = await get("/device/name/sim-1/Channels");
    assert.deepEqual(
      readings.map((r) => [r.resourceName, (r as { value: string }).value]),
      [["Temperature", "2.15e+01"], ["Humidity", "4.525e+01"], ["Offset", "-3"], ["Counter", "1000"]],
    );
  });

  it("writes through core-command and reads the value back", async () => {
    const put = await httpJson("PUT", command("/device/name/sim-1/Temperature"), { Temperature: "30.5" });
    assert.equal(put.status, 200, put.text);
    assert.equal(((await get("/device/name/sim-1/Temperature"))[0] as { value: string }).value, "3.05e+01");
  });

  it("answers a refusal by the device with 400 SERIAL_DEVICE_REFUSED", async () => {
    const res = await httpJson("GET", command("/device/name/sim-1/Missing"));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, new RegExp(SerialErrorCode.DeviceRefused));
  });

  it("publishes streamed GPS sentences as events on the bus", async () => {
    const seen = (source: string) => events.some((e) => e.deviceName === "gps" && e.sourceName === source);
    await waitFor(() => seen("GGA") && seen("RMC"), { timeoutMs: 5000, message: "GGA and RMC events" });
    const gga = events.find((e) => e.deviceName === "gps" && e.sourceName === "GGA")!;
    assert.equal(gga.profileName, "NMEA-0183-GPS");
    assert.deepEqual(gga.readings.map((r) => r.resourceName), ["UtcTime", "Latitude", "Longitude", "FixQuality", "Satellites", "HDOP", "Altitude"]);
    const rmc = events.find((e) => e.deviceName === "gps" && e.sourceName === "RMC")!;
    const kmh = rmc.readings.find((r) => r.resourceName === "SpeedKmh") as { value: string };
    assert.ok(Math.abs(Number(kmh.value) - 22.4 * 1.852) < 1e-9, "the profile's scale turns knots into km/h");
  });

  it("sets a device DOWN when it stops answering and UP when it answers again", async () => {
    const sim = peers[0]!.sim;
    await sim.silence(true);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await httpJson("GET", command("/device/name/sim-1/Counter"))).status, 503);
      await waitFor(async () => (await operatingState("sim-1")) === "DOWN", { timeoutMs: 5000, message: "sim-1 DOWN" });
    } finally {
      await sim.silence(false);
    }
    // core-command refuses commands to a DOWN device (423); the device service probes it directly.
    await waitFor(async () => (await httpJson("GET", `${serialUrl}/api/v3/device/name/sim-1/Counter`)).status === 200, { timeoutMs: 5000, message: "probe" });
    await waitFor(async () => (await operatingState("sim-1")) === "UP", { timeoutMs: 5000, message: "sim-1 UP" });
  });

  it("sets a silent streaming device DOWN after idleTimeoutMs and UP when it streams again", async () => {
    const gps = peers[1]!.sim;
    await gps.silence(true);
    try {
      await waitFor(async () => (await operatingState("gps")) === "DOWN", { timeoutMs: 5000, message: "gps DOWN" });
    } finally {
      await gps.silence(false);
    }
    await waitFor(async () => (await operatingState("gps")) === "UP", { timeoutMs: 5000, message: "gps UP" });
  });

  it("exports the port counters on /api/v3/metrics", async () => {
    await peers[1]!.sim.corrupt(1);
    await waitFor(async () => /brink_serial_frames_dropped_total\{port="[^"]+",reason="bad_checksum"\} [1-9]/.test((await httpJson("GET", `${serialUrl}/api/v3/metrics`)).text), {
      timeoutMs: 5000,
      message: "bad checksum counted",
    });
    const text = (await httpJson("GET", `${serialUrl}/api/v3/metrics`)).text;
    assert.match(text, /brink_serial_frames_total\{port="[^"]+"\} [1-9]/);
    assert.match(text, /brink_serial_exchanges_total/);
  });
});
