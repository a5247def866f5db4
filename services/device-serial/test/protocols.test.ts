/**
 * The shipped profiles against simulated devices on real pty pairs: the binary instrument (length prefix,
 * CRC-16/MODBUS, binary fields), an NMEA 0183 GPS receiver (streamed GGA/RMC) and an MT-SICS balance.
 */
import { strict as assert } from "node:assert";
import type { Device, DeviceProfile } from "@brink/contracts";
import { SerialDriver } from "../src/driver.js";
import { SerialError, SerialErrorCode } from "../src/errors.js";
import { crc16ModbusBitwise, startSerialInstrument, startSerialPair, waitFor, type InstrumentProtocolName, type SerialInstrument, type SerialPair } from "../../../test/harness/index.js";
import { RecordingSdk, SERIAL_BLOCKS, deviceOn, loadProfile, requestOf, valueOf } from "./fixtures.js";

interface Rig {
  pair: SerialPair;
  sim: SerialInstrument;
  device: Device;
  sdk: RecordingSdk;
  driver: SerialDriver;
}

/** A pty pair, an instrument on its far end, and a started driver with one device on the near end. */
function rig(which: "binary" | "nmea" | "mtsics", protocol: InstrumentProtocolName, streamIntervalMs = 0): { get: () => Rig; profile: DeviceProfile } {
  const profile = loadProfile(which);
  let r: Rig | undefined;
  before(async () => {
    const pair = await startSerialPair();
    const sim = await startSerialInstrument({ path: pair.b, protocol, streamIntervalMs });
    const device = deviceOn(`${which}-device`, profile, pair.a, SERIAL_BLOCKS[which]);
    const sdk = new RecordingSdk([device], [profile]);
    const driver = new SerialDriver();
    driver.initialize(sdk);
    await driver.start();
    r = { pair, sim, device, sdk, driver };
  });
  after(async () => {
    await r?.driver.stop({ force: true });
    await r?.sim.stop();
    await r?.pair.stop();
  });
  return { get: () => r!, profile };
}

describe("serial profiles against simulated devices", function () {
  this.timeout(30_000);

  describe("Brink-Serial-Binary (length prefix, CRC-16/MODBUS, binary fields)", () => {
    const { get, profile } = rig("binary", "binary");
    const read = (...names: string[]) => get().driver.read(get().device, names.map((n) => requestOf(profile, n)));

    it("reads every field of one answer frame with one request", async () => {
      const before = (await get().sim.received()).length;
      const values = await read("Temperature", "Counter", "Pressure", "Running", "Alarm", "Setpoint");
      assert.deepEqual(values.map((v) => v.value), [215, 1, 1.5, true, false, 500]);
      const sent = (await get().sim.received()).slice(before);
      assert.equal(sent.length, 1);
      const crc = crc16ModbusBitwise(Buffer.from([0xaa, 0x02, 0x01, 0x01]));
      assert.equal(sent[0], Buffer.from([0xaa, 0x02, 0x01, 0x01, crc & 0xff, crc >>> 8]).toString("hex"), "AA 02 01 01, then the CRC low byte first");
    });

    it("writes a u16 through a framed write template and reads it back", async () => {
      await get().driver.write(get().device, [requestOf(profile, "Setpoint")], [valueOf(profile, "Setpoint", 1234)]);
      assert.equal((await read("Setpoint"))[0]!.value, 1234);
    });

    it("drops streamed frames with bad CRCs and pushes the rest", async () => {
      const { sim, sdk, driver, pair } = get();
      const base = driver.portStats()[pair.a]!.badChecksum;
      await sim.inject(Buffer.from([0x00, 0xaa, 0x09, 0x01]));
      await sim.corrupt(2);
      await sim.burst(10);
      await waitFor(() => sdk.pushed.length >= 8, { timeoutMs: 5000, message: "8 streamed frames" });
      // The injected header claims 9 bytes and swallows the start of the first (corrupted) frame: one bad frame; the
      // framer then finds the next start byte. Two corrupted frames follow.
      assert.equal(driver.portStats()[pair.a]!.badChecksum - base, 3);
      assert.deepEqual(sdk.pushed.map((p) => p.values.map((v) => v.value)).slice(0, 2), [[215, 3], [215, 4]]);
    });
  });

  describe("NMEA-0183-GPS", () => {
    const { get, profile } = rig("nmea", "nmea", 20);

    it("streams GGA and RMC sentences as two events with decimal-degree coordinates", async () => {
      const { sdk } = get();
      await waitFor(() => sdk.pushed.some((p) => p.source === "GGA") && sdk.pushed.some((p) => p.source === "RMC"), { timeoutMs: 5000, message: "GGA and RMC" });
      const gga = sdk.pushed.find((p) => p.source === "GGA")!;
      const byName = new Map(gga.values.map((v) => [v.resourceName, v.value]));
      assert.deepEqual([...byName.keys()], ["UtcTime", "Latitude", "Longitude", "FixQuality", "Satellites", "HDOP", "Altitude"]);
      const seq = Number((byName.get("UtcTime") as string).slice(4, 6));
      assert.ok(Math.abs((byName.get("Latitude") as number) - (48 + (7.038 + seq / 1000) / 60)) < 1e-6);
      assert.ok(Math.abs((byName.get("Longitude") as number) - (11 + (31 + seq / 1000) / 60)) < 1e-6);
      assert.equal(byName.get("Satellites"), 8);
      assert.equal(byName.get("Altitude"), 545.4);
      const rmc = sdk.pushed.find((p) => p.source === "RMC")!;
      assert.deepEqual(rmc.values.map((v) => [v.resourceName, v.value]), [["FixValid", true], ["SpeedKnots", 22.4], ["SpeedKmh", 22.4], ["Course", 84.4], ["Date", "230394"]]);
    });

    it("leaves out empty fields while the receiver has no fix", async () => {
      const { sdk, sim } = get();
      await sim.set("fix", false);
      sdk.pushed.length = 0;
      const noFix = (p: (typeof sdk.pushed)[number]) => p.values.some((v) => (v.resourceName === "FixQuality" && v.value === 0) || (v.resourceName === "FixValid" && v.value === false));
      await waitFor(() => sdk.pushed.filter(noFix).length >= 2, { timeoutMs: 5000, message: "no-fix sentences" });
      const gga = sdk.pushed.filter((p) => p.source === "GGA" && noFix(p)).at(-1)!;
      assert.deepEqual(gga.values.map((v) => [v.resourceName, v.value]).slice(1), [["FixQuality", 0], ["Satellites", 0]]);
      assert.deepEqual(sdk.pushed.filter((p) => p.source === "RMC" && noFix(p)).at(-1)!.values.map((v) => v.value), [false, "230394"]);
      await sim.set("fix", true);
    });

    it("writes a PMTK command with its checksum and waits for the acknowledgement", async () => {
      const { driver, device, sim } = get();
      await driver.write(device, [requestOf(profile, "UpdateIntervalMs")], [valueOf(profile, "UpdateIntervalMs", 50)]);
      assert.ok((await sim.received()).includes("$PMTK220,50*1B"));
    });

    it("reads a streamed resource through GET, from the last sentence", async () => {
      const { driver, device, sdk } = get();
      sdk.pushed.length = 0;
      await waitFor(() => sdk.pushed.some((p) => p.values.some((v) => v.resourceName === "Satellites" && v.value === 8)), { timeoutMs: 5000, message: "a GGA sentence with a fix" });
      const [sats] = await driver.read(device, [requestOf(profile, "Satellites")]);
      assert.equal(sats!.value, 8);
    });
  });

  describe("Mettler-Toledo-MT-SICS", () => {
    const { get, profile } = rig("mtsics", "mt-sics");
    const read = (...names: string[]) => get().driver.read(get().device, names.map((n) => requestOf(profile, n)));
    const write = (name: string, value: unknown) => get().driver.write(get().device, [requestOf(profile, name)], [valueOf(profile, name, value as never)]);

    it("reads identification, the stable weight and one SI answer into weight, stability and unit", async () => {
      assert.deepEqual((await read("SerialNumber", "Model")).map((v) => v.value), ["B021002593", "BRINK-SICS 6200.0 g"]);
      assert.equal((await read("StableWeight"))[0]!.value, 100);
      const before = (await get().sim.received()).length;
      assert.deepEqual((await read("Weight", "WeightStable", "WeightUnit")).map((v) => v.value), [100, true, "g"]);
      assert.deepEqual((await get().sim.received()).slice(before), ["SI"]);
    });

    it("refuses a stable weight while the balance is not stable (S I), and gives the dynamic one", async () => {
      await get().sim.set("stable", false);
      await get().sim.set("load", 250.5);
      try {
        await assert.rejects(read("StableWeight"), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.DeviceRefused && e.details?.answer === "S I");
        assert.deepEqual((await read("Weight", "WeightStable")).map((v) => v.value), [250.5, false]);
      } finally {
        await get().sim.set("stable", true);
      }
    });

    it("tares, presets and clears the tare, and zeroes", async () => {
      await get().sim.set("load", 300);
      await write("TareNow", true);
      assert.deepEqual((await read("Tare", "Weight")).map((v) => v.value), [300, 0]);
      await write("Tare", 50);
      assert.deepEqual((await read("Tare", "Weight")).map((v) => v.value), [50, 250]);
      await write("ClearTare", true);
      await write("ZeroNow", true);
      assert.deepEqual((await read("Tare", "Weight")).map((v) => v.value), [0, 0]);
      assert.ok((await get().sim.received()).includes("TA 50.00 g"));
    });

    it("streams the weight continuously after SIR and stops after @", async () => {
      const { sdk, sim } = get();
      await sim.set("load", 342.25);
      await write("Continuous", true);
      await waitFor(() => sdk.pushed.length >= 2, { timeoutMs: 5000, message: "SIR output" });
      assert.deepEqual(sdk.pushed[0]!.values.map((v) => [v.resourceName, v.value]), [["StreamWeight", 42.25], ["StreamStable", true]]);
      assert.equal(sdk.pushed[0]!.source, "WeightStream");
      await write("Continuous", false);
      const received = await sim.received();
      assert.deepEqual(received.slice(-2), ["SIR", "@"]);
    });
  });
});
