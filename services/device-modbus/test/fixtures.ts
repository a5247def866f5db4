/**
 * Test fixtures: the simulator profile of device-profiles/modbus/, what a pymodbus server holds for it (register
 * words written out by hand, not by the driver's codec), the raw values the driver must read, devices and a
 * DeviceServiceSdk handle.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { normalizeValueType, parseProfile, type Device, type DeviceProfile } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, RawValue } from "@brink/device-sdk";
import type { PymodbusUnit } from "../../../test/harness/index.js";

export const PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/modbus/", import.meta.url));
export const SIMULATOR_PROFILE = "Brink-Modbus-Simulator";

/** The simulator profile, parsed as core-metadata parses an upload. */
export function simulatorProfile(): DeviceProfile {
  return parseProfile(readFileSync(`${PROFILES_DIR}brink-modbus-simulator.yaml`, "utf8"));
}

/** Unit 1 of the simulator: register contents in hex, as a device would hold them. */
export const SIMULATOR_UNIT: PymodbusUnit = {
  hr: {
    0: [65000, 0xfb2e, 0xee6b, 0x2800, 0xf8a4, 0x32eb, 0x4050, 0x0000],
    8: [0xffff, 0xffff, 0xffff, 0xfd98, 0xffdf, 0xffff, 0xffff, 0xffff, 0xc0c8, 0x1cd6, 0xe63c, 0x529f],
    // 123.456 (0x42F6E979) byte-swapped, then word-swapped; -987654321 (0xC521974F) little-endian; 0x112210F47DE98115
    // with its registers reversed; 0x1234 byte-swapped.
    20: [0xf642, 0x79e9, 0xe979, 0x42f6, 0x4f97, 0x21c5, 0x8115, 0x7de9, 0x10f4, 0x1122, 0x3412],
    31: [235, 0x8009, 0xfffb, 200],
    // "Brink-Sim\0", then "SN-00042" with the bytes of each register swapped.
    40: [0x4272, 0x696e, 0x6b2d, 0x5369, 0x6d00, 0x4e53, 0x302d, 0x3030, 0x3234],
  },
  ir: { 0: [2301, 0x075b, 0xcd15, 0x44bb, 0x9000] },
  co: { 0: [1, 0, 1], 20: [1] },
  di: { 0: [1, 0] },
};

/** What the driver must return for each resource of the simulator (raw, before the SDK's scale). */
export const SIMULATOR_VALUES: Readonly<Record<string, RawValue>> = {
  u16: 65000,
  i16: -1234,
  u32: 4_000_000_000,
  i32: -123_456_789,
  f32: 3.25,
  u64: 18446744073709551000n,
  i64: -9007199254740993n,
  f64: -12345.678901234,
  f32ByteSwap: Math.fround(123.456),
  f32WordSwap: Math.fround(123.456),
  i32BothSwaps: -987_654_321,
  u64WordSwap: 1234567890123456789n,
  u16ByteSwap: 0x1234,
  temperature: 235,
  voltage: 2301,
  energy: 123_456_789,
  power: 1500.5,
  alarm: true,
  standby: false,
  running: true,
  overheat: false,
  fault: true,
  i8: -5,
  u8: 200,
  label: "Brink-Sim",
  serial: "SN-00042",
  setpoint: 0,
  target: 0,
  relay1: true,
  relay2: false,
  relay3: true,
  pump: true,
  doorOpen: true,
  smoke: false,
};

/** A device on a Modbus TCP server. */
export function tcpDevice(name: string, port: number, extra: { unitId?: number; timeout?: string | number; profileName?: string; autoEvents?: Device["autoEvents"]; serviceName?: string } = {}): Device {
  return {
    name,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName: extra.serviceName ?? "device-modbus",
    profileName: extra.profileName ?? SIMULATOR_PROFILE,
    protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: String(port), UnitID: String(extra.unitId ?? 1), Timeout: extra.timeout ?? "500ms", IdleTimeout: "0" } },
    ...(extra.autoEvents ? { autoEvents: extra.autoEvents } : {}),
  };
}

/** A device on a serial line. */
export function rtuDevice(name: string, path: string, extra: { unitId?: number; timeout?: string | number; baudRate?: number } = {}): Device {
  return {
    name,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName: "device-modbus",
    profileName: SIMULATOR_PROFILE,
    protocols: { "modbus-rtu": { Address: path, UnitID: extra.unitId ?? 1, BaudRate: extra.baudRate ?? 19200, DataBits: 8, StopBits: 1, Parity: "N", Timeout: extra.timeout ?? "500ms", IdleTimeout: 0 } },
  };
}

/** The CommandRequest the SDK would make for a resource. */
export function requestOf(profile: DeviceProfile, name: string): CommandRequest {
  const resource = profile.deviceResources.find((r) => r.name === name);
  if (resource === undefined) throw new Error(`profile ${profile.name} has no resource ${name}`);
  const valueType = normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
  return { resourceName: name, attributes: resource.attributes ?? {}, valueType, resource };
}

/** A CommandValue to write. */
export function valueOf(request: CommandRequest, value: RawValue): CommandValue {
  return { resourceName: request.resourceName, valueType: request.valueType, value };
}

/** A DeviceServiceSdk that knows the given profiles and devices. */
export function fakeSdk(profiles: readonly DeviceProfile[], devices: readonly Device[] = [], driverConfig: Record<string, unknown> = {}): DeviceServiceSdk {
  return {
    serviceName: "device-modbus",
    logger: pino({ level: "silent" }),
    driverConfig,
    dataDir: "/nonexistent",
    devices: () => devices,
    device: (name) => devices.find((d) => d.name === name),
    profile: (name) => profiles.find((p) => p.name === name),
    pushValues: async () => undefined,
    setOperatingState: async () => undefined,
  };
}
