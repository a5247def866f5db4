/**
 * Test helpers: EdgeX's virtual profiles and devices read from device-profiles/virtual/, command requests built
 * from resources, and a DeviceServiceSdk handle that answers from those profiles.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { parse } from "yaml";
import type { Device, DeviceProfile, DeviceResource } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, RawValue } from "@brink/device-sdk";

export const PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/virtual/", import.meta.url));

/** Every virtual profile, by name. */
export function virtualProfiles(): Map<string, DeviceProfile> {
  const out = new Map<string, DeviceProfile>();
  for (const file of readdirSync(PROFILES_DIR).filter((f) => f.startsWith("device.virtual.") && f.endsWith(".yaml"))) {
    const profile = parse(readFileSync(join(PROFILES_DIR, file), "utf8")) as DeviceProfile;
    out.set(profile.name, profile);
  }
  return out;
}

/** The devices of devices.yaml, completed with the states and service a runtime would give them. */
export function virtualDevices(): Device[] {
  const doc = parse(readFileSync(join(PROFILES_DIR, "devices.yaml"), "utf8")) as { deviceList: Omit<Device, "adminState" | "operatingState" | "serviceName">[] };
  return doc.deviceList.map((d) => ({ ...d, adminState: "UNLOCKED", operatingState: "UP", serviceName: "device-virtual" }));
}

export function deviceOf(profile: DeviceProfile, name = `${profile.name}-test`): Device {
  return { name, profileName: profile.name, serviceName: "device-virtual", adminState: "UNLOCKED", operatingState: "UP", protocols: { other: {} } };
}

export function resourceOf(profile: DeviceProfile, name: string): DeviceResource {
  const r = profile.deviceResources.find((x) => x.name === name);
  if (!r) throw new Error(`profile ${profile.name} has no resource ${name}`);
  return r;
}

export function requestOf(resource: DeviceResource): CommandRequest {
  return { resourceName: resource.name, attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource };
}

export function valueOf(resource: DeviceResource, value: RawValue): CommandValue {
  return { resourceName: resource.name, valueType: resource.properties.valueType, value };
}

/** A DeviceServiceSdk that knows the given profiles and devices; pushes and state changes are recorded. */
export function fakeSdk(profiles: Map<string, DeviceProfile>, devices: Device[] = []): DeviceServiceSdk {
  return {
    serviceName: "device-virtual",
    logger: pino({ level: "silent" }),
    driverConfig: {},
    dataDir: "/nonexistent",
    devices: () => devices,
    device: (name) => devices.find((d) => d.name === name),
    profile: (name) => profiles.get(name),
    pushValues: async () => undefined,
    setOperatingState: async () => undefined,
  };
}

/** A random source that walks through `values` cyclically. */
export function cyclic(values: readonly number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
