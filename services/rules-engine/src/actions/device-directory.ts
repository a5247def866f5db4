/**
 * Which device service owns a device, so a command action can send its write straight to that service over bus
 * request/reply (what core-command does for `PUT /api/v3/device/name/{device}/{command}`), without a REST hop.
 * Devices come from core-metadata, are kept for `ttlMs`, and are dropped at once by metadata system events
 * (`edgex.system-events.core-metadata.>`) about them, so a device moved to another service or LOCKED is seen from
 * the next write on.
 */
import type { Device, SystemEvent } from "@brink/contracts";

/** Options of {@link DeviceDirectory}. */
export interface DeviceDirectoryOptions {
  /** Looks a device up in core-metadata; rejects with NotFound when there is none. */
  readonly lookup: (name: string) => Promise<Device>;
  /** How long a device is served without asking again, ms; 0 asks every time. */
  readonly ttlMs: number;
  /** Clock, ms. @default performance.now */
  readonly now?: () => number;
}

interface Entry {
  readonly device: Promise<Device>;
  readonly expiresAt: number;
}

/** Devices by name, each fetched once per TTL however many writes ask at the same time. */
export class DeviceDirectory {
  private readonly lookup: (name: string) => Promise<Device>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: DeviceDirectoryOptions) {
    this.lookup = options.lookup;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** The device, from the cache while fresh; rejects with core-metadata's error. */
  device(name: string): Promise<Device> {
    const now = this.now();
    const hit = this.entries.get(name);
    if (hit && hit.expiresAt > now) return hit.device;
    const device = this.lookup(name);
    if (this.ttlMs <= 0) return device;
    const entry: Entry = { device, expiresAt: now + this.ttlMs };
    this.entries.set(name, entry);
    // A failed lookup is not kept: the next write asks again.
    device.catch(() => {
      if (this.entries.get(name) === entry) this.entries.delete(name);
    });
    return device;
  }

  /** Drops what a metadata system event makes stale; an event it cannot read clears everything. */
  onSystemEvent(event: SystemEvent): void {
    if (event.type !== "device") {
      // A device service renamed or deleted changes where its devices' writes go.
      if (event.type === "deviceservice") this.entries.clear();
      return;
    }
    const details = event.details as { name?: unknown } | null | undefined;
    if (typeof details?.name === "string") this.entries.delete(details.name);
    else this.entries.clear();
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }
}
