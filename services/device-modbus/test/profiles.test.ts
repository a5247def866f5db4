/**
 * The Modbus profiles of device-profiles/: they parse, every resource is readable over Modbus, and the vendor
 * profiles read what a device with their register map holds (a pymodbus server loaded with realistic values).
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseProfile, type DeviceProfile } from "@brink/contracts";
import { ModbusDriver, parseResourceAddress, type ModbusRequest, type Transport, modbusSerialTransport } from "../src/index.js";
import { startPymodbusServer, type PymodbusServer } from "../../../test/harness/index.js";
import { fakeSdk, requestOf, tcpDevice } from "./fixtures.js";

const ROOT = fileURLToPath(new URL("../../../device-profiles/", import.meta.url));
const FILES = ["modbus/modbus.test.device.profile.yml", "modbus/modbus.test.device.string.profile.yml", "modbus/brink-modbus-simulator.yaml", "eastron/sdm630.yaml", "generic/sht20-xy-md02.yaml"];

function load(file: string): DeviceProfile {
  return parseProfile(readFileSync(ROOT + file, "utf8"));
}

/** Float32 words, most significant first. */
function float32(...values: number[]): number[] {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatBE(v, i * 4));
  return Array.from({ length: values.length * 2 }, (_, i) => b.readUInt16BE(i * 2));
}

describe("Modbus device profiles", function () {
  this.timeout(20_000);

  it("lists every profile file of device-profiles/modbus in this test", () => {
    const modbus = readdirSync(`${ROOT}modbus`).filter((f) => /\.ya?ml$/.test(f) && !f.includes("devices"));
    assert.deepEqual(modbus.map((f) => `modbus/${f}`).sort(), FILES.filter((f) => f.startsWith("modbus/")).sort());
  });

  for (const file of FILES) {
    it(`${file}: parses, and every resource has usable Modbus attributes`, () => {
      const profile = load(file);
      assert.ok(profile.deviceResources.length > 0);
      for (const r of profile.deviceResources) assert.doesNotThrow(() => parseResourceAddress(r), `${r.name}`);
    });
  }

  describe("against a server holding their register maps", () => {
    let server: PymodbusServer;
    let driver: ModbusDriver;
    const sent: ModbusRequest[] = [];
    const sdm = load("eastron/sdm630.yaml");
    const sht = load("generic/sht20-xy-md02.yaml");

    before(async () => {
      const ir: Record<number, number[]> = {
        0: float32(230.1, 231.2, 229.8, 5.5, 6.25, 4.75, 1265.6, 1445, 1091.5),
        0x46: float32(49.98, 12345.6, 7.5),
        0xc8: float32(399.5, 400.1, 398.7, 399.4),
        0xe0: float32(1.25),
        0x156: float32(12353.1, 88.25),
      };
      server = await startPymodbusServer({ units: { 1: { ir, hr: { 2: float32(15) } }, 2: { ir: { 1: [0xffe7, 553] }, hr: { 257: [2, 0, 0xfffb] } } } });
      driver = new ModbusDriver({
        transport: (spec): Transport => {
          const t = modbusSerialTransport(spec);
          const send = t.send.bind(t);
          t.send = (unit, request, cb) => {
            sent.push(request);
            send(unit, request, cb);
          };
          return t;
        },
      });
      driver.initialize(fakeSdk([sdm, sht]));
      await driver.start();
    });

    after(async () => {
      await driver?.stop({ force: true });
      await server?.stop();
    });

    it("reads an Eastron SDM630's 39 readings in 5 requests of at most 80 registers", async () => {
      const meter = tcpDevice("sdm630", server.ports[0]!, { profileName: sdm.name });
      (meter.protocols["modbus-tcp"] as Record<string, unknown>).MaxRegistersPerRead = 80;
      const readings = sdm.deviceCommands!.find((c) => c.name === "Readings")!.resourceOperations.map((o) => o.deviceResource);
      assert.equal(readings.length, 39);
      sent.length = 0;
      const values = new Map((await driver.read(meter, readings.map((n) => requestOf(sdm, n)))).map((v) => [v.resourceName, v.value]));
      assert.equal(values.get("L1Voltage"), Math.fround(230.1));
      assert.equal(values.get("L3Power"), 1091.5);
      assert.equal(values.get("Frequency"), Math.fround(49.98));
      assert.equal(values.get("ImportEnergy"), Math.fround(12345.6));
      assert.equal(values.get("L2L3Voltage"), Math.fround(400.1));
      assert.equal(values.get("NeutralCurrent"), 1.25);
      assert.equal(values.get("TotalEnergy"), Math.fround(12353.1));
      assert.deepEqual(sent.map((r) => [r.fc, r.address, "count" in r ? r.count : 0]), [
        [4, 0, 80],
        [4, 84, 4],
        [4, 200, 8],
        [4, 224, 2],
        [4, 342, 4],
      ]);
      const [period] = await driver.read(meter, [requestOf(sdm, "DemandPeriod")]);
      assert.equal(period!.value, 15);
    });

    it("reads an SHT20 transmitter's temperature and humidity (raw tenths) and its settings", async () => {
      const sensor = tcpDevice("sht20", server.ports[0]!, { unitId: 2, profileName: sht.name });
      const values = await driver.read(sensor, ["Temperature", "Humidity", "DeviceAddress", "BaudRate", "TemperatureOffset"].map((n) => requestOf(sht, n)));
      assert.deepEqual(values.map((v) => v.value), [-25, 553, 2, 0, -5]);
    });
  });
});
