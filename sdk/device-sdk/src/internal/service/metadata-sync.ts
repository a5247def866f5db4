/**
 * Keeps the device service in step with core-metadata. Devices are loaded at start; afterwards core-metadata's
 * system events (`edgex.system-events.core-metadata.*.*.<service>.*`, plus profile updates) add, update, lock and
 * remove devices live, with their AutoEvents and the driver's onDeviceAdded/Updated/Removed. Events are applied one
 * at a time, in arrival order, and only once the service has started.
 */
import { ANY, ServiceError, systemEventSubject, validateDevice, validateProfile, type AdminState, type Device, type DeviceProfile, type SystemEvent } from "@brink/contracts";
import type { MessageBus, Subscription } from "@brink/bus";
import type { Logger } from "pino";
import type { ProtocolDriver } from "../../driver.js";
import type { AutoEventManager } from "../autoevent/auto-event-manager.js";
import type { DeviceCache } from "../cache/device-cache.js";
import type { DeviceHealth } from "../pipeline/device-health.js";

/** What the sync needs of core-metadata (service-kit's MetadataClient has this shape). */
export interface SyncMetadata {
  getDevicesByService(serviceName: string): Promise<Device[]>;
  getProfile(name: string): Promise<DeviceProfile>;
}

/** Collaborators of {@link MetadataSync}. */
export interface MetadataSyncOptions {
  readonly serviceName: string;
  readonly cache: DeviceCache;
  readonly driver: ProtocolDriver;
  readonly autoEvents: AutoEventManager;
  readonly health: DeviceHealth;
  readonly metadata: SyncMetadata;
  readonly logger: Logger;
  /** Called when core-metadata changes this service's adminState. */
  readonly onServiceAdminState: (state: AdminState) => void;
  /** True when the runtime itself changed the device's operating state recently (core-metadata's echo is stale). */
  readonly ownsOperatingState: (deviceName: string) => boolean;
}

/** Fields whose change alone is not worth telling the driver about. */
const BOOKKEEPING = new Set(["operatingState", "modified", "created", "lastConnected", "id"]);

function essence(d: Device): string {
  return JSON.stringify(Object.entries(d).filter(([k]) => !BOOKKEEPING.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
}

/** See the module comment. */
export class MetadataSync {
  private readonly subscriptions: Subscription[] = [];
  private queue: Promise<void> = Promise.resolve();
  private releaseGate: (() => void) | undefined;

  constructor(private readonly options: MetadataSyncOptions) {}

  /** Subscribes to system events; they are held until {@link release}. */
  subscribe(bus: MessageBus): void {
    const gate = new Promise<void>((resolve) => (this.releaseGate = resolve));
    this.queue = gate;
    const handler = (msg: { envelope: { payload: SystemEvent } }): void => {
      const event = msg.envelope.payload;
      this.queue = this.queue.then(() => this.apply(event)).catch((err: unknown) => this.options.logger.error({ err }, "system event not applied"));
    };
    this.subscriptions.push(bus.subscribe(systemEventSubject(ANY, ANY, this.options.serviceName, ANY), handler));
    this.subscriptions.push(bus.subscribe(systemEventSubject("deviceprofile", "update", "core-metadata", ANY), handler));
  }

  /** Starts applying held and new events. */
  release(): void {
    this.releaseGate?.();
  }

  /** Resolves once every event received so far is applied. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  /** Unsubscribes. */
  close(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.release();
  }

  /**
   * Loads this service's devices and their profiles into the cache (no driver callbacks: the driver's start() sees
   * them). Invalid devices are logged and skipped. Returns the devices loaded.
   */
  async load(): Promise<Device[]> {
    const { metadata, serviceName, logger } = this.options;
    const loaded: Device[] = [];
    for (const raw of await metadata.getDevicesByService(serviceName)) {
      const device = await this.check(raw);
      if (device === undefined) continue;
      await this.ensureProfile(device.profileName);
      this.options.cache.putDevice(device);
      loaded.push(device);
    }
    logger.info({ devices: loaded.length }, "devices loaded from core-metadata");
    return loaded;
  }

  /** Applies one system event. */
  async apply(event: SystemEvent): Promise<void> {
    switch (event.type) {
      case "device":
        if (event.action === "delete") await this.removeDevice((event.details as Device | undefined)?.name ?? "");
        else await this.upsertDevice(event.details as Device);
        return;
      case "deviceprofile":
        if (event.action === "update") this.updateProfile(event.details);
        return;
      case "deviceservice": {
        const ds = event.details as { name?: string; adminState?: AdminState } | undefined;
        if (ds?.name !== this.options.serviceName) return;
        if (event.action === "delete") this.options.logger.warn("this device service was deleted from core-metadata");
        else if (ds.adminState === "LOCKED" || ds.adminState === "UNLOCKED") this.options.onServiceAdminState(ds.adminState);
        return;
      }
      default:
        return;
    }
  }

  /** Adds or updates a device (from a system event): validation, profile, cache, driver callback, AutoEvents. */
  async upsertDevice(raw: Device): Promise<void> {
    const { cache, serviceName, logger } = this.options;
    if (raw?.serviceName !== serviceName) {
      if (raw?.name !== undefined && cache.device(raw.name) !== undefined) await this.removeDevice(raw.name);
      return;
    }
    const checked = await this.check(raw);
    if (checked === undefined) {
      await this.removeDevice(raw.name);
      return;
    }
    const previous = cache.device(checked.name);
    const device = previous !== undefined && this.options.ownsOperatingState(checked.name) ? { ...checked, operatingState: previous.operatingState } : checked;
    await this.ensureProfile(device.profileName);
    cache.putDevice(device);
    try {
      if (previous === undefined) await this.options.driver.onDeviceAdded(device);
      else if (essence(previous) !== essence(device)) await this.options.driver.onDeviceUpdated(device, previous);
    } catch (err) {
      logger.error({ err, device: device.name }, "driver failed to take the device change");
    }
    this.options.autoEvents.upsert(device);
    logger.info({ device: device.name }, previous === undefined ? "device added" : "device updated");
  }

  /** Removes a device: AutoEvents, health, cache, then the driver's onDeviceRemoved. */
  async removeDevice(name: string): Promise<void> {
    const { cache, autoEvents, health, driver, logger } = this.options;
    autoEvents.remove(name);
    health.forget(name);
    const removed = cache.removeDevice(name);
    if (removed === undefined) return;
    try {
      await driver.onDeviceRemoved(removed);
    } catch (err) {
      logger.error({ err, device: name }, "driver failed to remove the device");
    }
    logger.info({ device: name }, "device removed");
  }

  private updateProfile(details: unknown): void {
    const { cache, logger } = this.options;
    let profile: DeviceProfile;
    try {
      profile = validateProfile(details);
    } catch (err) {
      logger.error({ err }, "invalid device profile in a system event");
      return;
    }
    const cached = cache.profile(profile.name);
    if (cached === undefined && cache.devicesOfProfile(profile.name).length === 0) return;
    if (cached?.modified !== undefined && cached.modified === profile.modified) return;
    cache.putProfile(profile);
    logger.info({ profile: profile.name }, "device profile updated");
  }

  private async check(raw: Device): Promise<Device | undefined> {
    try {
      const device = validateDevice(raw);
      await this.options.driver.validateDevice(device);
      return device;
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : undefined;
      this.options.logger.error({ device: raw?.name, code, err }, "invalid device skipped");
      return undefined;
    }
  }

  /** Fetches a profile not cached yet (cached ones are kept fresh by profile update events). */
  private async ensureProfile(name: string): Promise<void> {
    if (name === "" || this.options.cache.profile(name) !== undefined) return;
    try {
      this.options.cache.putProfile(validateProfile(await this.options.metadata.getProfile(name)));
    } catch (err) {
      this.options.logger.error({ profile: name, err }, "device profile not available; its devices answer 423 until it is");
    }
  }
}
