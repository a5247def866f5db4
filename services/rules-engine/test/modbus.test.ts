/**
 * End to end against a real Modbus server (python3-pymodbus): device-modbus polls a temperature register, the rules
 * engine sees it cross a threshold and writes a coil through the device service, and the test reads the coil back
 * from the server itself. Everything embedded on one in-process bus, as `brink start` runs it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import modbusSerial from "modbus-serial";
import { stringify } from "yaml";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { deviceModbusService } from "@brink/device-modbus";
import { rulesEngineService, type FiringRecord } from "../src/index.js";
import { httpJson, startPymodbusServer, waitFor, type PymodbusServer } from "../../../test/harness/index.js";

const ModbusRTU = modbusSerial.default;

/** A boiler: temperature in tenths of a degree in holding register 0, the fan on coil 0. */
export const BOILER_PROFILE = {
  name: "Brink-Rules-Boiler",
  manufacturer: "Brink",
  model: "test-boiler",
  deviceResources: [
    { name: "temperature", attributes: { primaryTable: "HOLDING_REGISTERS", startingAddress: 0, rawType: "INT16" }, properties: { valueType: "Float32", readWrite: "R", scale: 0.1, units: "degC" } },
    { name: "fan", attributes: { primaryTable: "COILS", startingAddress: 0 }, properties: { valueType: "Bool", readWrite: "RW" } },
  ],
};

const RULES = `
rules:
  - name: boiler-fan-on
    source: { device: boiler-1 }
    when: temperature > 80
    hysteresis: 5
    actions:
      - type: command
        command: fan
        body: { fan: "true" }
  - name: boiler-fan-off
    source: { device: boiler-1 }
    when: temperature < 70
    actions:
      - type: command
        command: fan
        body: { fan: "false" }
`;

describe("rules engine end to end with device-modbus and pymodbus", function () {
  this.timeout(60_000);
  const bus = new InProcessBus();
  const running: RunningService[] = [];
  let server: PymodbusServer;
  let client: InstanceType<typeof ModbusRTU>;
  let dataDir: string;
  let rules: RunningService;

  before(async () => {
    server = await startPymodbusServer({ units: { 1: { hr: { 0: [215] }, co: { 0: [0] } } } });
    client = new ModbusRTU();
    await client.connectTCP("127.0.0.1", { port: server.ports[0]! });
    client.setID(1);
    await bus.connect();
    dataDir = mkdtempSync(join(tmpdir(), "brink-rules-modbus-"));
    const profilesDir = join(dataDir, "profiles");
    const devicesDir = join(dataDir, "devices");
    const rulesDir = join(dataDir, "rule-files");
    for (const d of [profilesDir, devicesDir, rulesDir]) mkdirSync(d);
    writeFileSync(join(profilesDir, "boiler.yaml"), stringify(BOILER_PROFILE));
    writeFileSync(
      join(devicesDir, "boiler.yaml"),
      stringify({
        deviceList: [
          {
            name: "boiler-1",
            profileName: BOILER_PROFILE.name,
            protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: String(server.ports[0]), UnitID: "1", Timeout: "500ms", IdleTimeout: "0" } },
            autoEvents: [{ interval: "50ms", onChange: false, sourceName: "temperature" }],
          },
        ],
      }),
    );
    writeFileSync(join(rulesDir, "boiler.yaml"), RULES);
    const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown>): Promise<RunningService> => {
      const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent" }, ...overrides } });
      running.push(s);
      return s;
    };
    const metadata = await start(coreMetadataService, { dataDir: join(dataDir, "metadata") });
    const clients = { coreMetadataUrl: metadata.url };
    await start(deviceModbusService, { clients, dataDir: join(dataDir, "modbus"), device: { profilesDir, devicesDir, metadataWaitMs: 0 } });
    rules = await start(rulesEngineService, { clients, dataDir: join(dataDir, "rules"), rulesDir });
  });

  after(async () => {
    for (const s of running.reverse()) await s.stop({ force: true });
    await bus.close();
    client?.close(() => undefined);
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const coil = async (): Promise<boolean> => (await client.readCoils(0, 1)).data[0] === true;

  async function firings(rule: string): Promise<FiringRecord[]> {
    return (await httpJson<{ firings: FiringRecord[] }>("GET", `${rules.url}/api/v3/rule/name/${rule}/firing?limit=-1`)).body.firings;
  }

  it("writes the fan coil when the temperature register crosses the threshold, and reads it back from the server", async () => {
    assert.equal(await coil(), false);
    await client.writeRegister(0, 855); // 85.5 degC
    await waitFor(coil, { timeoutMs: 10_000, message: "coil 0 set by the rule" });
    const [on] = await waitFor(async () => {
      const f = await firings("boiler-fan-on");
      return f.length > 0 ? f : undefined;
    });
    assert.equal(on!.ok, true);
    assert.equal(on!.device, "boiler-1");
    assert.ok(Math.abs(Number(on!.inputs.temperature) - 85.5) < 1e-4);
    assert.deepEqual(on!.actions[0]!.detail, { device: "boiler-1", command: "fan", service: "device-modbus" });

    await client.writeRegister(0, 780); // inside the hysteresis band: no change
    await client.writeRegister(0, 650); // below 70: the other rule switches the fan off
    await waitFor(async () => !(await coil()), { timeoutMs: 10_000, message: "coil 0 cleared by the rule" });
    assert.equal((await firings("boiler-fan-on")).length, 1, "fired once while the temperature stayed high");
    assert.equal((await firings("boiler-fan-off")).length >= 1, true);
  });
});
