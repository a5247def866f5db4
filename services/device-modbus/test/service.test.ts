/**
 * device-modbus as users run it: core-metadata, device-modbus and core-command in one process on the in-process
 * bus, a pymodbus server as the field device, EdgeX's reference profiles and device list, driven over real HTTP
 * through core-command; the plan endpoint of the device service.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import modbusSerial from "modbus-serial";
import { stringify } from "yaml";
import { ALL_EVENTS, type Event, type Reading } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "@brink/core-command";
import { deviceModbusService, type DeviceReport } from "../src/index.js";
import { httpJson, startPymodbusServer, waitFor, type PymodbusServer, type PymodbusUnit } from "../../../test/harness/index.js";
import { PROFILES_DIR, SIMULATOR_UNIT, tcpDevice } from "./fixtures.js";

const ModbusRTU = modbusSerial.default;

/** Unit 1 holds what EdgeX's CoolMasterNet test profile reads. */
const COOLMASTER_UNIT: PymodbusUnit = {
  co: { 0: [1], 14: [0] },
  hr: { 1: [2, 0, 3], 5: [215], 10: [0x0400], 15: [0x6865, 0x6c6c, 0x6f00, 0, 0] },
  ir: { 1: [0x4f4b], 3: [235] },
};

function valueOf(event: Event, resource: string): string {
  const r = event.readings.find((x: Reading) => x.resourceName === resource);
  assert.ok(r !== undefined && "value" in r, `reading ${resource}`);
  return (r as { value: string }).value;
}

describe("device-modbus with core-metadata and core-command (embedded)", function () {
  this.timeout(30_000);
  const bus = new InProcessBus();
  const running: RunningService[] = [];
  let server: PymodbusServer;
  let dataDir: string;
  let command: (path: string) => string;
  let modbus: RunningService;
  let raw: InstanceType<typeof ModbusRTU>;

  before(async () => {
    server = await startPymodbusServer({ units: { 1: COOLMASTER_UNIT, 3: SIMULATOR_UNIT } });
    await bus.connect();
    dataDir = mkdtempSync(join(tmpdir(), "brink-device-modbus-"));
    const devicesDir = join(dataDir, "devices");
    mkdirSync(devicesDir);
    // EdgeX's device list as shipped, pointed at the test server's port instead of 1502.
    const edgexList = readFileSync(join(PROFILES_DIR, "modbus.test.devices.yaml"), "utf8").replaceAll("Port: 1502", `Port: ${server.ports[0]}`);
    writeFileSync(join(devicesDir, "edgex.yaml"), edgexList);
    const sim = tcpDevice("sim", server.ports[0]!, {
      unitId: 3,
      autoEvents: [
        { interval: "1h", sourceName: "numbers", onChange: false },
        { interval: "1h", sourceName: "status", onChange: false },
        { interval: "1h", sourceName: "u16ByteSwap", onChange: false },
        { interval: "1h", sourceName: "meter", onChange: false },
      ],
    });
    const { adminState: _a, operatingState: _o, serviceName: _s, ...simEntry } = sim;
    writeFileSync(join(devicesDir, "sim.yaml"), stringify({ deviceList: [simEntry] }));
    const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown> = {}) => {
      const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent" }, dataDir, ...overrides } });
      running.push(s);
      return s;
    };
    const metadata = await start(coreMetadataService);
    const clients = { coreMetadataUrl: metadata.url };
    modbus = await start(deviceModbusService, { clients, device: { devicesDir, metadataWaitMs: 0 } });
    const core = await start(coreCommandService, { clients });
    command = (path) => `${core.url}/api/v3${path}`;
    await waitFor(
      async () => {
        const res = await httpJson("GET", `${metadata.url}/api/v3/device/service/name/device-modbus?limit=-1`);
        return ((res.body as { devices?: unknown[] }).devices ?? []).length === 4;
      },
      { timeoutMs: 10_000, intervalMs: 50, message: "modbus devices not registered" },
    );
    raw = new ModbusRTU();
    await raw.connectTCP("127.0.0.1", { port: server.ports[0]! });
    raw.setTimeout(2000);
  });

  after(async () => {
    raw?.close(() => undefined);
    for (const s of running.reverse()) await s.stop();
    await bus.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function get(device: string, cmd: string): Promise<Event> {
    const res = await httpJson("GET", command(`/device/name/${device}/${cmd}`));
    assert.equal(res.status, 200, res.text);
    return (res.body as { event: Event }).event;
  }

  it("seeds EdgeX's Modbus reference profiles unchanged", async () => {
    for (const name of ["Test-Device-Modbus-Profile", "Test-Device-Modbus-String-Profile", "Brink-Modbus-Simulator"]) {
      const res = await httpJson("GET", `${running[0]!.url}/api/v3/deviceprofile/name/${name}`);
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
  });

  it("reads EdgeX's HVACValues through core-command, with the profile's mappings and rawType scaling", async () => {
    const event = await get("Modbus-TCP-test-device", "HVACValues");
    assert.equal(valueOf(event, "OperationMode"), "Auto");
    assert.equal(valueOf(event, "FanSpeed"), "Auto");
    assert.equal(Number(valueOf(event, "Temperature")), 21.5);
    const room = await get("Modbus-TCP-test-device", "RoomTemperature");
    assert.equal(Number(valueOf(room, "RoomTemperature")), 23.5);
  });

  it("reads EdgeX's bit address 10.10 as bit 10 of register 10", async () => {
    const res = await httpJson("GET", `${modbus.url}/api/v3/device/name/Modbus-TCP-test-device/CommunicationFailure`);
    assert.equal(res.status, 200, res.text);
    assert.equal(valueOf((res.body as { event: Event }).event, "CommunicationFailure"), "true");
  });

  it("writes EdgeX's HVACValues and Switch through core-command; the server holds the new registers and coils", async () => {
    const put = await httpJson("PUT", command("/device/name/Modbus-TCP-test-device/HVACValues"), { OperationMode: "Heat", FanSpeed: "High", Temperature: "19.5" });
    assert.equal(put.status, 200, put.text);
    raw.setID(1);
    assert.deepEqual((await raw.readHoldingRegisters(1, 5)).data, [1, 0, 2, 0, 195]);
    const sw = await httpJson("PUT", command("/device/name/Modbus-TCP-test-device/Switch"), { SwitchA: "OFF", SwitchB: "ON" });
    assert.equal(sw.status, 200, sw.text);
    const coils = (await raw.readCoils(0, 15)).data;
    assert.deepEqual([coils[0], coils[14]], [false, true]);
  });

  it("reads and writes EdgeX's string registers", async () => {
    assert.equal(valueOf(await get("Modbus-TCP-Read-String", "ReadString"), "StringA"), "OK");
    const put = await httpJson("PUT", command("/device/name/Modbus-TCP-Read-String/WriteString"), { StringB: "brink" });
    assert.equal(put.status, 200, put.text);
    assert.equal(valueOf(await get("Modbus-TCP-Read-String", "WriteString"), "StringB"), "brink");
  });

  it("reads every numeric type with EdgeX's reading text, Int64 and Uint64 exactly", async () => {
    const event = await get("sim", "numbers");
    assert.equal(valueOf(event, "u16"), "65000");
    assert.equal(valueOf(event, "i16"), "-1234");
    assert.equal(valueOf(event, "u32"), "4000000000");
    assert.equal(valueOf(event, "i32"), "-123456789");
    assert.equal(Number(valueOf(event, "f32")), 3.25);
    assert.equal(valueOf(event, "u64"), "18446744073709551000");
    assert.equal(valueOf(event, "i64"), "-9007199254740993");
    assert.equal(Number(valueOf(event, "f64")), -12345.678901234);
    const meter = await get("sim", "meter");
    // The SDK scales in float64, as EdgeX does: 2301 * 0.1 is 230.10000000000002.
    assert.ok(Math.abs(Number(valueOf(meter, "voltage")) - 230.1) < 1e-9);
    assert.ok(Math.abs(Number(valueOf(meter, "energy")) - 1234567.89) < 1e-6);
  });

  it("writes scaled values through core-command and the server holds the raw integers", async () => {
    const put = await httpJson("PUT", command("/device/name/sim/control"), { setpoint: "-12.3", target: "-7" });
    assert.equal(put.status, 200, put.text);
    raw.setID(3);
    assert.deepEqual((await raw.readHoldingRegisters(50, 3)).data, [0x10000 - 123, 0xffff, 0xfff9]);
    assert.equal(Number(valueOf(await get("sim", "control"), "setpoint")), -12.3);
  });

  it("answers an exception response with the exception's code and name", async () => {
    const res = await httpJson("GET", command("/device/name/sim/missing"));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /MODBUS_ILLEGAL_DATA_ADDRESS/);
    assert.match(res.text, /ILLEGAL DATA ADDRESS/);
  });

  it("shows the read plan of a device's AutoEvents on the plan endpoint", async () => {
    const res = await httpJson("GET", `${modbus.url}/api/v3/driver/device/name/sim`);
    assert.equal(res.status, 200, res.text);
    const report = (res.body as { driver: DeviceReport }).driver;
    assert.equal(report.unitId, 3);
    assert.equal(report.link.link, `tcp://127.0.0.1:${server.ports[0]}`);
    assert.equal(report.autoEvents.length, 1);
    const plan = report.autoEvents[0]!;
    assert.deepEqual(plan.sources, ["numbers", "status", "u16ByteSwap", "meter"]);
    assert.equal(plan.resources, 17);
    // numbers (HR 0-19) and u16ByteSwap (HR 30) and status (HR 32) are within 10 registers of each other.
    assert.deepEqual(plan.requests.map((r) => [r.table, r.address, r.count]), [
      ["HR", 0, 33],
      ["IR", 0, 5],
    ]);
    assert.deepEqual(plan.summary, [
      "HR 0+33 (fc 3): u16, i16, u32, i32, f32, u64, i64, f64, u16ByteSwap, alarm, standby, running, overheat, fault",
      "IR 0+5 (fc 4): voltage, energy, power",
    ]);
    const missing = await httpJson("GET", `${modbus.url}/api/v3/driver/device/name/nobody`);
    assert.equal(missing.status, 404);
  });

  it("merges the reads of a device's AutoEvents due together: 4 sources, 2 requests per poll", async () => {
    const own = await startPymodbusServer({ units: { 1: SIMULATOR_UNIT } });
    try {
      let events = 0;
      const sub = bus.subscribe(ALL_EVENTS, (m) => {
        if (m.envelope.payload.event.deviceName === "merged") events++;
      });
      const sources = ["numbers", "status", "u16ByteSwap", "meter"];
      const device = tcpDevice("merged", own.ports[0]!, { autoEvents: sources.map((sourceName) => ({ interval: "100ms", sourceName, onChange: false })) });
      const { adminState: _a, operatingState: _o, ...body } = device;
      const res = await httpJson("POST", `${running[0]!.url}/api/v3/device`, [{ apiVersion: "v3", device: { ...body, adminState: "UNLOCKED", operatingState: "UP" } }]);
      assert.equal(res.status, 207, res.text);
      try {
        await waitFor(async () => events >= 4 * 5, { timeoutMs: 10_000, message: "five polls of the four sources" });
        const report = ((await httpJson("GET", `${modbus.url}/api/v3/driver/device/name/merged`)).body as { driver: DeviceReport }).driver;
        const polls = events / 4;
        // Unmerged, each source would cost its own request (4 per poll); merged, HR 0..32 and IR 0..4 (2 per poll).
        // On a loaded machine the four AutoEvents do not always start in the same tick, so some polls merge only
        // partly: the test proves that merging happens (fewer requests than sources), the bench measures how much.
        assert.ok(report.link.requests < 4 * polls, `${report.link.requests} requests for ${polls} polls`);
      } finally {
        sub.unsubscribe();
        await httpJson("DELETE", `${running[0]!.url}/api/v3/device/name/merged`);
      }
    } finally {
      await own.stop();
    }
  });
});
