/**
 * The device SDK's driver conformance suite, run against SerialDriver with real peers: the simulated text instrument
 * and the simulated binary instrument, each on its own socat pty pair.
 */
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { SerialDriver } from "../src/driver.js";
import { startSerialInstrument, startSerialPair, type SerialInstrument, type SerialPair } from "../../../test/harness/index.js";
import { SERIAL_BLOCKS, deviceOn, loadProfile } from "./fixtures.js";

const peers: { pair: SerialPair; sim: SerialInstrument }[] = [];

/** A pty pair and an instrument, started before the suites run (their paths are needed when they are declared). */
const ready = (async () => {
  for (const protocol of ["sim", "binary"] as const) {
    const pair = await startSerialPair();
    const sim = await startSerialInstrument({ path: pair.b, protocol, units: [1], checksum: protocol === "sim" });
    peers.push({ pair, sim });
  }
})();

const instrument = loadProfile("instrument");
const binary = loadProfile("binary");
await ready;

describe("SerialDriver on socat pty pairs", function () {
  this.timeout(30_000);

  after(async () => {
    for (const { pair, sim } of peers.splice(0)) {
      await sim.stop();
      await pair.stop();
    }
  });

  driverConformanceSuite({
    name: "SerialDriver (Brink-Serial-Instrument, text lines with XOR checksums)",
    createDriver: () => new SerialDriver(),
    device: deviceOn("sim-1", instrument, peers[0]!.pair.a, SERIAL_BLOCKS.instrument),
    profile: instrument,
    readable: ["Identity", "Temperature", "Humidity", "Offset", "Counter", "Mode", "StatusOk", "Alarms", "Status"],
    writable: [
      { resource: "Temperature", value: 42.5 },
      { resource: "Humidity", value: 12.25 },
      { resource: "Offset", value: -7 },
      { resource: "Mode", value: "idle" },
    ],
    unreachableDevice: deviceOn("sim-nowhere", instrument, "/dev/brink-no-such-port", SERIAL_BLOCKS.instrument),
    unreachableTimeoutMs: 2000,
  });

  driverConformanceSuite({
    name: "SerialDriver (Brink-Serial-Binary, length prefix and CRC-16/MODBUS)",
    createDriver: () => new SerialDriver(),
    device: deviceOn("bin-1", binary, peers[1]!.pair.a, SERIAL_BLOCKS.binary),
    profile: binary,
    readable: ["Temperature", "Counter", "Pressure", "Running", "Alarm", "Setpoint"],
    writable: [{ resource: "Setpoint", value: 65535 }],
    unreachableDevice: deviceOn("bin-nowhere", binary, "/dev/brink-no-such-port-2", SERIAL_BLOCKS.binary),
    unreachableTimeoutMs: 2000,
  });
});
