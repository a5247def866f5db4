/**
 * Test helpers: the serial profiles from device-profiles/serial/, devices on a given port, command requests built
 * from resources, and a DeviceServiceSdk that records pushed values and operating-state reports.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { parseProfile, type Device, type DeviceProfile, type OperatingState } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, RawValue } from "@brink/device-sdk";
import { SERIAL_PROFILES_DIR } from "../src/service.js";

/** Profile files by short name. */
export const PROFILE_FILES = {
  instrument: "brink.serial.instrument.yaml",
  binary: "brink.serial.binary.yaml",
  nmea: "nmea-0183.gps.yaml",
  mtsics: "mettler-toledo.mt-sics.yaml",
} as const;

/** A serial profile, parsed and validated as core-metadata would. */
export function loadProfile(which: keyof typeof PROFILE_FILES): DeviceProfile {
  return parseProfile(readFileSync(join(SERIAL_PROFILES_DIR, PROFILE_FILES[which]), "utf8"));
}

/** Protocol-block settings of each profile's device, less the path. */
export const SERIAL_BLOCKS = {
  instrument: { baudRate: 115200, unit: "01", checksum: "xor", checksumEncoding: "hex", checksumSeparator: "*", timeoutMs: 500 },
  binary: { framing: "lengthPrefix", startByte: "0xAA", lengthOffset: 1, lengthBytes: 1, lengthAdjust: 2, checksum: "crc16-modbus", requestFraming: "framed", address: 1, timeoutMs: 500 },
  nmea: { baudRate: 9600, checksum: "xor", checksumEncoding: "hex", checksumSeparator: "*", checksumSkip: 1, requestFraming: "framed", timeoutMs: 500 },
  mtsics: { baudRate: 9600, flowControl: "xonxoff", timeoutMs: 500 },
} as const;

/** A device of `profile` on `path`, UP and UNLOCKED. */
export function deviceOn(name: string, profile: DeviceProfile, path: string, block: Readonly<Record<string, unknown>>): Device {
  return { name, profileName: profile.name, serviceName: "device-serial", adminState: "UNLOCKED", operatingState: "UP", protocols: { serial: { path, ...block } } };
}

/** The request the runtime would hand the driver for one resource. */
export function requestOf(profile: DeviceProfile, name: string): CommandRequest {
  const resource = profile.deviceResources.find((r) => r.name === name);
  if (resource === undefined) throw new Error(`profile ${profile.name} has no resource ${name}`);
  return { resourceName: name, attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource };
}

/** A value to write to one resource. */
export function valueOf(profile: DeviceProfile, name: string, value: RawValue): CommandValue {
  return { resourceName: name, valueType: requestOf(profile, name).valueType, value };
}

/** A DeviceServiceSdk over fixed devices and profiles that records what the driver reports. */
export class RecordingSdk implements DeviceServiceSdk {
  readonly serviceName = "device-serial";
  readonly logger = pino({ level: "silent" });
  readonly dataDir = "/nonexistent";
  readonly pushed: { device: string; source: string; values: readonly CommandValue[] }[] = [];
  readonly states: [string, OperatingState][] = [];

  constructor(
    private readonly all: Device[],
    private readonly profiles: readonly DeviceProfile[],
    readonly driverConfig: Readonly<Record<string, unknown>> = {},
  ) {}

  devices(): readonly Device[] {
    return this.all;
  }
  device(name: string): Device | undefined {
    return this.all.find((d) => d.name === name);
  }
  profile(name: string): DeviceProfile | undefined {
    return this.profiles.find((p) => p.name === name);
  }
  async pushValues(device: string, source: string, values: readonly CommandValue[]): Promise<void> {
    this.pushed.push({ device, source, values });
  }
  async setOperatingState(device: string, state: OperatingState): Promise<void> {
    this.states.push([device, state]);
  }

  /** Replaces the devices the runtime knows. */
  setDevices(devices: readonly Device[]): void {
    this.all.splice(0, this.all.length, ...devices);
  }

  /** The last state reported for a device. */
  lastState(device: string): OperatingState | undefined {
    return this.states.filter(([d]) => d === device).at(-1)?.[1];
  }
}
