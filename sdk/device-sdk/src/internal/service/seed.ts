/**
 * Start-up seeding: device profiles from `profilesDir` and device lists from `devicesDir` are uploaded to
 * core-metadata. An entity that already exists (409) is fine; a file that does not parse is logged and skipped, so
 * one bad file does not keep the service down.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDeviceList, parseProfile, type Device, type DeviceProfile } from "@brink/contracts";
import type { Logger } from "pino";

/** The outcome of one item of a batch add, as service-kit's MetadataClient reports it. */
export interface SeedOutcome {
  readonly status: "ok" | "exists" | "failed";
  readonly error?: Error;
}

/** What seeding needs of core-metadata (service-kit's MetadataClient has this shape). */
export interface SeedMetadata {
  addProfiles(profiles: readonly DeviceProfile[]): Promise<readonly SeedOutcome[]>;
  addDevices(devices: readonly Device[]): Promise<readonly SeedOutcome[]>;
}

const FILE_PATTERN = /\.(ya?ml|json)$/i;
/** A device-list document has a top-level `deviceList` key (YAML or JSON); anything else is taken for a profile. */
const DEVICE_LIST = /^(?:deviceList\s*:|\s*\{\s*"deviceList"\s*:)/m;

/** One directory may hold both profiles and device lists (as EdgeX's device-virtual does). */
function isDeviceList(text: string): boolean {
  return DEVICE_LIST.test(text);
}

async function filesOf(dir: string, logger: Logger): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((n) => FILE_PATTERN.test(n)).sort().map((n) => join(dir, n));
  } catch (err) {
    logger.warn({ dir, err }, "cannot list the seed directory");
    return [];
  }
}

function report(kind: string, names: readonly string[], outcomes: readonly SeedOutcome[], logger: Logger): number {
  let added = 0;
  outcomes.forEach((o, i) => {
    if (o.status === "ok") added++;
    else if (o.status === "failed") logger.error({ name: names[i], err: o.error }, `core-metadata refused the ${kind}`);
  });
  return added;
}

/** Uploads every profile file of `dir`; resolves with the number newly added. */
export async function seedProfiles(dir: string, metadata: SeedMetadata, logger: Logger): Promise<number> {
  const profiles: DeviceProfile[] = [];
  for (const file of await filesOf(dir, logger)) {
    try {
      const text = await readFile(file, "utf8");
      if (!isDeviceList(text)) profiles.push(parseProfile(text));
    } catch (err) {
      logger.error({ file, err }, "device profile file skipped");
    }
  }
  if (profiles.length === 0) return 0;
  return report("profile", profiles.map((p) => p.name), await metadata.addProfiles(profiles), logger);
}

/**
 * Adds the devices of every device-list file of `dir` that belong to `serviceName` (entries naming another service
 * are skipped); resolves with the number newly added.
 */
export async function seedDevices(dir: string, serviceName: string, metadata: SeedMetadata, logger: Logger): Promise<number> {
  const devices: Device[] = [];
  for (const file of await filesOf(dir, logger)) {
    try {
      const text = await readFile(file, "utf8");
      if (!isDeviceList(text)) continue;
      for (const d of parseDeviceList(text, { serviceName })) {
        if (d.serviceName === serviceName) devices.push(d);
        else logger.info({ file, device: d.name, serviceName: d.serviceName }, "device of another service skipped");
      }
    } catch (err) {
      logger.error({ file, err }, "device list file skipped");
    }
  }
  if (devices.length === 0) return 0;
  return report("device", devices.map((d) => d.name), await metadata.addDevices(devices), logger);
}
