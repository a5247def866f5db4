/**
 * The device service's view of its devices and their profiles, kept in step with core-metadata by the system-event
 * follower. Entries are replaced, never mutated in place, so a request that looked a device up keeps a consistent
 * snapshot while an update lands.
 */
import type { AdminState, Device, DeviceProfile, OperatingState } from "@brink/contracts";

/** See the module comment. */
export class DeviceCache {
  private readonly devicesByName = new Map<string, Device>();
  private readonly profilesByName = new Map<string, DeviceProfile>();

  /** The device of that name, if this service has it. */
  device(name: string): Device | undefined {
    return this.devicesByName.get(name);
  }

  /** Every device, in insertion order. */
  devices(): Device[] {
    return [...this.devicesByName.values()];
  }

  /** Adds or replaces a device; returns the previous entry. */
  putDevice(device: Device): Device | undefined {
    const previous = this.devicesByName.get(device.name);
    this.devicesByName.set(device.name, device);
    return previous;
  }

  /** Removes a device; returns it when it was present. */
  removeDevice(name: string): Device | undefined {
    const d = this.devicesByName.get(name);
    this.devicesByName.delete(name);
    return d;
  }

  /** Replaces a device's operating state (a new object); returns the updated device. */
  setOperatingState(name: string, state: OperatingState): Device | undefined {
    const d = this.devicesByName.get(name);
    if (d === undefined) return undefined;
    const updated = { ...d, operatingState: state };
    this.devicesByName.set(name, updated);
    return updated;
  }

  /** Replaces a device's admin state; returns the updated device. */
  setAdminState(name: string, state: AdminState): Device | undefined {
    const d = this.devicesByName.get(name);
    if (d === undefined) return undefined;
    const updated = { ...d, adminState: state };
    this.devicesByName.set(name, updated);
    return updated;
  }

  /** The profile of that name, if loaded. */
  profile(name: string): DeviceProfile | undefined {
    return this.profilesByName.get(name);
  }

  /** Adds or replaces a profile. */
  putProfile(profile: DeviceProfile): void {
    this.profilesByName.set(profile.name, profile);
  }

  /** Removes a profile. */
  removeProfile(name: string): void {
    this.profilesByName.delete(name);
  }

  /** Devices that use the profile. */
  devicesOfProfile(profileName: string): Device[] {
    return this.devices().filter((d) => d.profileName === profileName);
  }
}
