/**
 * A short-lived cache of devices and device profiles in front of core-metadata, so that a command round trip costs
 * one bus request instead of two HTTP calls plus the request. Entries expire after `ttlMs`, and metadata system
 * events (`edgex.system-events.core-metadata.>`) drop the entries they concern at once, so a device LOCKED by a PATCH
 * is refused from the next command on.
 */
import type { Device, DeviceProfile, SystemEvent } from "@brink/contracts";

/** The core-metadata lookups core-command needs; the service wires them to the service-kit's MetadataClient. */
export interface MetadataLookup {
  /** Rejects with a ServiceError of kind NotFound when there is no such device. */
  deviceByName(name: string): Promise<Device>;
  /** Rejects with a ServiceError of kind NotFound when there is no such profile. */
  profileByName(name: string): Promise<DeviceProfile>;
}

/** Options of {@link DeviceCache}. */
export interface DeviceCacheOptions {
  /** How long an entry is served without asking core-metadata again, ms; 0 disables caching. */
  readonly ttlMs: number;
  /** Clock, ms. @default performance.now */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: Promise<T>;
  readonly expiresAt: number;
}

/** A device with its profile, as one command needs them. */
export interface DeviceWithProfile {
  readonly device: Device;
  readonly profile: DeviceProfile;
}

/** Devices and profiles by name, each fetched once per TTL however many requests ask at the same time. */
export class DeviceCache {
  private readonly lookup: MetadataLookup;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly devices = new Map<string, Entry<Device>>();
  private readonly profiles = new Map<string, Entry<DeviceProfile>>();

  constructor(lookup: MetadataLookup, options: DeviceCacheOptions) {
    this.lookup = lookup;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** A device and its profile; rejects with core-metadata's error (NotFound for an unknown device). */
  async deviceWithProfile(deviceName: string): Promise<DeviceWithProfile> {
    const device = await this.device(deviceName);
    const profile = await this.profile(device.profileName);
    return { device, profile };
  }

  /** A device by name, from the cache while fresh. */
  device(name: string): Promise<Device> {
    return this.cached(this.devices, name, () => this.lookup.deviceByName(name));
  }

  /** A device profile by name, from the cache while fresh. */
  profile(name: string): Promise<DeviceProfile> {
    return this.cached(this.profiles, name, () => this.lookup.profileByName(name));
  }

  /** Drops what a metadata system event makes stale. Events it cannot read clear the whole cache. */
  onSystemEvent(event: SystemEvent): void {
    const details = event.details as { name?: unknown; id?: unknown } | null | undefined;
    const name = typeof details?.name === "string" ? details.name : undefined;
    if (name === undefined) {
      this.clear();
      return;
    }
    if (event.type === "device") {
      this.devices.delete(name);
      if (typeof details?.id === "string" && details.id !== "") this.dropDeviceById(details.id);
    } else if (event.type === "deviceprofile") {
      this.profiles.delete(name);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.devices.clear();
    this.profiles.clear();
  }

  private cached<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = map.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    if (this.ttlMs <= 0) return value;
    const entry: Entry<T> = { value, expiresAt: now + this.ttlMs };
    map.set(key, entry);
    // A failed lookup is not cached: the next request asks again. Only this entry is removed, in case an event
    // already replaced it.
    value.catch(() => {
      if (map.get(key) === entry) map.delete(key);
    });
    return value;
  }

  private dropDeviceById(id: string): void {
    for (const [key, entry] of this.devices) {
      // Settled entries only matter here; a pending lookup will see the store as it is now.
      void entry.value.then(
        (device) => {
          if (device.id === id && this.devices.get(key) === entry) this.devices.delete(key);
        },
        () => undefined,
      );
    }
  }
}
