/**
 * AutoEvents: each device's `autoEvents` polled through the command pipeline on one shared {@link Scheduler}.
 * A device's AutoEvents run while the service and the device are UNLOCKED; they stop when either is LOCKED or the
 * device is removed, and restart (with a fresh onChange reference) when it is added, updated or UNLOCKED. Every
 * AutoEvent read is published (AutoEvents always push), unless `onChange` finds nothing changed. Failures count
 * towards the device's health in the pipeline (N in a row set it DOWN).
 */
import { ServiceError, type AutoEvent, type Device, type Event } from "@brink/contracts";
import type { Logger } from "pino";
import { DeviceSdkErrorCode } from "../../errors.js";
import { ChangeDetector } from "./change-detector.js";
import type { ScheduledTask, Scheduler } from "./scheduler.js";

/** What AutoEvents need from the pipeline. */
export interface AutoEventRunner {
  executeRead(deviceName: string, sourceName: string, options: { pushEvent: boolean; returnEvent: boolean }): Promise<Event | undefined>;
  publish(event: Event): Promise<void>;
}

/** Collaborators of {@link AutoEventManager}. */
export interface AutoEventManagerOptions {
  readonly scheduler: Scheduler;
  readonly runner: AutoEventRunner;
  readonly logger: Logger;
  /** Parses a Go duration ("1s", "1m30s") to ms; throws when invalid. */
  readonly parseIntervalMs: (text: string) => number;
  /**
   * Spread first runs over one interval (by a hash of device and interval) instead of starting every AutoEvent one
   * interval after it is scheduled, so 1,000 devices added at once are not all read in the same instant.
   * @default false
   */
  readonly spreadFirstRuns?: boolean;
}

/** FNV-1a of a string: a stable, cheap phase for spreading first runs. */
function phaseOf(text: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 1 + (h % Math.max(1, Math.floor(intervalMs)));
}

interface DeviceAutoEvents {
  readonly signature: string;
  readonly tasks: ScheduledTask[];
}

/** Error codes that say "not now", not "the device failed": logged at debug level only. */
const QUIET_CODES: ReadonlySet<string> = new Set([DeviceSdkErrorCode.DeviceDown, DeviceSdkErrorCode.Locked, DeviceSdkErrorCode.ServiceStopping]);

/** See the module comment. */
export class AutoEventManager {
  private readonly running = new Map<string, DeviceAutoEvents>();
  private readonly known = new Map<string, Device>();
  private serviceLocked = false;

  constructor(private readonly options: AutoEventManagerOptions) {}

  /** Starts, restarts or stops the device's AutoEvents to match its current definition and state. */
  upsert(device: Device): void {
    this.known.set(device.name, device);
    this.sync(device);
  }

  /** Stops and forgets a removed device's AutoEvents. */
  remove(deviceName: string): void {
    this.known.delete(deviceName);
    this.cancel(deviceName);
  }

  /** Stops every AutoEvent while the service is LOCKED; restarts them on UNLOCK. */
  setServiceLocked(locked: boolean): void {
    if (this.serviceLocked === locked) return;
    this.serviceLocked = locked;
    for (const d of this.known.values()) this.sync(d);
  }

  /** Number of AutoEvents currently scheduled for the device. */
  scheduledCount(deviceName: string): number {
    return this.running.get(deviceName)?.tasks.length ?? 0;
  }

  /** Cancels everything. */
  stop(): void {
    for (const name of [...this.running.keys()]) this.cancel(name);
    this.known.clear();
  }

  private sync(device: Device): void {
    const active = !this.serviceLocked && device.adminState !== "LOCKED" && (device.autoEvents?.length ?? 0) > 0;
    if (!active) {
      this.cancel(device.name);
      return;
    }
    const signature = JSON.stringify(device.autoEvents);
    if (this.running.get(device.name)?.signature === signature) return;
    this.cancel(device.name);
    const tasks: ScheduledTask[] = [];
    for (const ae of device.autoEvents ?? []) {
      const task = this.scheduleOne(device.name, ae);
      if (task !== undefined) tasks.push(task);
    }
    this.running.set(device.name, { signature, tasks });
  }

  private scheduleOne(deviceName: string, ae: AutoEvent): ScheduledTask | undefined {
    let intervalMs: number;
    try {
      intervalMs = this.options.parseIntervalMs(ae.interval);
      if (!(intervalMs > 0)) throw new RangeError("interval must be positive");
    } catch (err) {
      this.options.logger.error({ device: deviceName, source: ae.sourceName, interval: ae.interval, err }, "AutoEvent skipped: invalid interval");
      return undefined;
    }
    const detector = ae.onChange === true ? new ChangeDetector(ae.onChangeThreshold) : undefined;
    // The phase depends on the device and the interval, not the source: a device's AutoEvents of one interval fall
    // due together, so a driver can merge their reads (Modbus reads neighbouring registers in one request).
    const firstDelayMs = this.options.spreadFirstRuns === true ? phaseOf(`${deviceName}/${intervalMs}`, intervalMs) : intervalMs;
    return this.options.scheduler.schedule(intervalMs, () => this.runOnce(deviceName, ae.sourceName, detector), firstDelayMs);
  }

  private async runOnce(deviceName: string, sourceName: string, detector: ChangeDetector | undefined): Promise<void> {
    try {
      const event = await this.options.runner.executeRead(deviceName, sourceName, { pushEvent: false, returnEvent: true });
      if (event === undefined) return;
      if (detector !== undefined && !detector.accept(event.readings)) return;
      await this.options.runner.publish(event);
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : undefined;
      const log = { device: deviceName, source: sourceName, code, err };
      if (code !== undefined && QUIET_CODES.has(code)) this.options.logger.debug(log, "AutoEvent read skipped");
      else this.options.logger.warn(log, "AutoEvent read failed");
    }
  }

  private cancel(deviceName: string): void {
    const r = this.running.get(deviceName);
    if (r === undefined) return;
    for (const t of r.tasks) t.cancel();
    this.running.delete(deviceName);
  }
}
