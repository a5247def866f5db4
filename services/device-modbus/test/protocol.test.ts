import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import type { ServiceError} from "@brink/contracts";
import { parseDeviceList, type Device } from "@brink/contracts";
import { Backoff, ModbusErrorCode, parseDeviceAddress } from "../src/index.js";
import { PROFILES_DIR } from "./fixtures.js";

function device(protocols: Record<string, unknown>): Device {
  return { name: "d", adminState: "UNLOCKED", operatingState: "UP", serviceName: "device-modbus", profileName: "p", protocols: protocols as Device["protocols"] };
}

describe("parseDeviceAddress", () => {
  it("reads EdgeX's reference device list unchanged", () => {
    const devices = parseDeviceList(readFileSync(`${PROFILES_DIR}modbus.test.devices.yaml`, "utf8"), { serviceName: "device-modbus" });
    const [tcp, rtu] = devices.map((d) => parseDeviceAddress(d));
    assert.deepEqual(tcp, { link: { kind: "tcp", key: "tcp://0.0.0.0:1502", host: "0.0.0.0", port: 1502 }, unitId: 1, timeoutMs: 5000, idleTimeoutMs: 5000 });
    assert.deepEqual(rtu, {
      link: { kind: "rtu", key: "rtu:///tmp/slave", path: "/tmp/slave", baudRate: 19200, dataBits: 8, stopBits: 1, parity: "none" },
      unitId: 1,
      timeoutMs: 5000,
      idleTimeoutMs: 5000,
    });
  });

  it("takes strings, numbers, fractions of seconds and Go durations, keys in any case", () => {
    const a = parseDeviceAddress(device({ "modbus-tcp": { address: "10.0.0.5", port: "5020", unitid: "17", timeout: "0.25", idletimeout: "1m" } }));
    assert.deepEqual([a.link.key, a.unitId, a.timeoutMs, a.idleTimeoutMs], ["tcp://10.0.0.5:5020", 17, 250, 60_000]);
    const b = parseDeviceAddress(device({ "modbus-tcp": { Address: "::1", Timeout: "300ms" } }));
    assert.deepEqual([b.link.key, b.unitId, b.timeoutMs, b.idleTimeoutMs], ["tcp://[::1]:502", 1, 300, 0], "defaults");
    const c = parseDeviceAddress(device({ "modbus-rtu": { Address: "/dev/ttyUSB0", UnitID: 3, BaudRate: "9600", Parity: "E", StopBits: 2, DataBits: 7 } }));
    assert.deepEqual(c.link, { kind: "rtu", key: "rtu:///dev/ttyUSB0", path: "/dev/ttyUSB0", baudRate: 9600, dataBits: 7, stopBits: 2, parity: "even" });
    assert.equal(c.maxRegistersPerRead, undefined);
    assert.equal(parseDeviceAddress(device({ "modbus-rtu": { Address: "/dev/x", MaxRegistersPerRead: "80" } })).maxRegistersPerRead, 80);
  });

  const bad: [string, Record<string, unknown>, number][] = [
    ["no Modbus block", { other: {} }, 1],
    ["both blocks", { "modbus-tcp": { Address: "a" }, "modbus-rtu": { Address: "b" } }, 1],
    ["no Address", { "modbus-tcp": { Port: 502 } }, 1],
    ["a port out of range and a bad unit id", { "modbus-tcp": { Address: "a", Port: 70000, UnitID: 256 } }, 2],
    ["a bad timeout", { "modbus-tcp": { Address: "a", Timeout: "soon" } }, 1],
    ["a zero timeout", { "modbus-tcp": { Address: "a", Timeout: 0 } }, 1],
    ["unit 0 on a serial line (broadcast: no answer)", { "modbus-rtu": { Address: "/dev/x", UnitID: 0 } }, 1],
    ["a bad parity", { "modbus-rtu": { Address: "/dev/x", Parity: "X" } }, 1],
    ["a read limit above 125", { "modbus-tcp": { Address: "a", MaxRegistersPerRead: 126 } }, 1],
  ];
  for (const [what, protocols, problems] of bad) {
    it(`refuses ${what} with MODBUS_PROTOCOL_INVALID listing every problem`, () => {
      assert.throws(
        () => parseDeviceAddress(device(protocols)),
        (e: ServiceError) => e.code === ModbusErrorCode.ProtocolInvalid && e.kind === "ContractInvalid" && (e.details?.problems as string[]).length === problems,
      );
    });
  }
});

describe("Backoff", () => {
  it("doubles up to the maximum, with jitter between half and all of each step, and resets", () => {
    const top = new Backoff(100, 1000, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => top.next()), [100, 200, 400, 800, 1000]);
    const bottom = new Backoff(100, 1000, () => 0);
    assert.deepEqual([1, 2, 3].map(() => bottom.next()), [50, 100, 200]);
    assert.equal(bottom.attempts, 3);
    bottom.reset();
    assert.equal(bottom.next(), 50);
  });
});
