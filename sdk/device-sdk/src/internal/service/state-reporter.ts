/**
 * Operating-state changes of devices (UP/DOWN): applied to the cache at once, announced on the bus as a system
 * event on `edgex.system-events.<service>.device.update.<service>.<device>`, and written to core-metadata (whose own
 * `device.update` system event then echoes back, harmlessly).
 */
import { API_VERSION, deviceServiceEventSubject, nowNanos, type OperatingState, type SystemEvent } from "@brink/contracts";
import type { MessageBus } from "@brink/bus";
import type { Logger } from "pino";
import type { DeviceCache } from "../cache/device-cache.js";

/** What the reporter needs of core-metadata. */
export interface OperatingStateStore {
  updateDevice(update: { name: string; operatingState: OperatingState }): Promise<void>;
}

/** How long after the runtime changed a device's operating state core-metadata's copy counts as stale, ms. */
export const OWN_STATE_WINDOW_MS = 10_000;

/** See the module comment. */
export class StateReporter {
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly serviceName: string;
      readonly cache: DeviceCache;
      readonly bus: MessageBus;
      readonly metadata: OperatingStateStore;
      readonly logger: Logger;
    },
  ) {}

  /** Sets the device's operating state; does nothing when it already has it or is unknown. */
  async set(deviceName: string, state: OperatingState, reason: string): Promise<void> {
    const { cache, bus, metadata, logger, serviceName } = this.options;
    const current = cache.device(deviceName);
    if (current === undefined || current.operatingState === state) return;
    const device = cache.setOperatingState(deviceName, state)!;
    this.changedAt.set(deviceName, Date.now());
    if (state === "DOWN") logger.warn({ device: deviceName, reason }, "device is DOWN");
    else logger.info({ device: deviceName, reason }, `device is ${state}`);
    const event: SystemEvent = {
      apiVersion: API_VERSION,
      type: "device",
      action: "update",
      source: serviceName,
      owner: serviceName,
      tags: { operatingState: state, reason },
      details: device,
      timestamp: nowNanos(),
    };
    await Promise.all([
      bus.publish(deviceServiceEventSubject(serviceName, "update", serviceName, deviceName), event).catch((err: unknown) => {
        logger.warn({ err, device: deviceName }, "cannot publish the operating-state event");
      }),
      metadata.updateDevice({ name: deviceName, operatingState: state }).catch((err: unknown) => {
        logger.warn({ err, device: deviceName }, "cannot record the operating state in core-metadata");
      }),
    ]);
  }

  /** True when the runtime changed the device's operating state within {@link OWN_STATE_WINDOW_MS}. */
  changedRecently(deviceName: string): boolean {
    const t = this.changedAt.get(deviceName);
    return t !== undefined && Date.now() - t < OWN_STATE_WINDOW_MS;
  }
}
