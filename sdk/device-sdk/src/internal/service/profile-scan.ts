/**
 * Profile scan (EdgeX 4 `POST /api/v3/profilescan`): the driver builds a profile from what the device reports; the
 * runtime adds it to core-metadata and points the device at it.
 */
import { validateProfile, type Device, type DeviceProfile } from "@brink/contracts";
import type { ProfileScanner } from "../../driver.js";

/** What a profile scan needs of core-metadata (service-kit's MetadataClient has this shape). */
export interface ProfileScanMetadata {
  addProfiles(profiles: readonly DeviceProfile[]): Promise<readonly { status: "ok" | "exists" | "failed"; error?: Error }[]>;
  updateDevice(update: { name: string; profileName: string }): Promise<void>;
}

/** Scans, stores and assigns the profile; rejects with the first failure. */
export async function runProfileScan(
  driver: ProfileScanner,
  device: Device,
  options: { profileName: string; options?: Readonly<Record<string, unknown>> },
  metadata: ProfileScanMetadata,
): Promise<DeviceProfile> {
  const profile = validateProfile({ ...(await driver.scanProfile(device, options)), name: options.profileName });
  const [outcome] = await metadata.addProfiles([profile]);
  if (outcome?.status !== "ok") throw outcome?.error ?? new Error(`core-metadata did not store profile ${profile.name}`);
  await metadata.updateDevice({ name: device.name, profileName: profile.name });
  return profile;
}
