/**
 * Per-device operating-state tracking shared by REST, bus and AutoEvent requests:
 * - `maxConsecutiveFailures` driver failures in a row set the device DOWN; the next success sets it UP.
 * - A DOWN device is probed by at most one request per `downProbeIntervalMs`; the others fail fast (503
 *   DEVICE_DOWN) instead of hammering an unreachable peer.
 */
import type { OperatingState } from "@brink/contracts";

/** What {@link DeviceHealth.admit} decides for a request. */
export type Admission = "go" | "probe" | "down";

/** Collaborators and limits of {@link DeviceHealth}. */
export interface DeviceHealthOptions {
  /** Driver failures in a row that set a device DOWN. @default 3 */
  readonly maxConsecutiveFailures: number;
  /** Least time between two probes of a DOWN device, ms. */
  readonly downProbeIntervalMs: number;
  /** Current operating state of a device (the device cache's view). */
  readonly stateOf: (deviceName: string) => OperatingState | undefined;
  /** Changes a device's operating state (cache, core-metadata, system event). Errors are the callee's to log. */
  readonly setState: (deviceName: string, state: OperatingState, reason: string) => Promise<void>;
  /** Clock, ms. @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  failures: number;
  lastProbeMs: number;
}

/** See the module comment. */
export class DeviceHealth {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: DeviceHealthOptions) {
    this.now = options.now ?? Date.now;
  }

  private entry(deviceName: string): Entry {
    let e = this.entries.get(deviceName);
    if (e === undefined) {
      e = { failures: 0, lastProbeMs: Number.NEGATIVE_INFINITY };
      this.entries.set(deviceName, e);
    }
    return e;
  }

  /** Decides whether a request to the device goes ahead, goes ahead as the probe of a DOWN device, or fails fast. */
  admit(deviceName: string): Admission {
    if (this.options.stateOf(deviceName) !== "DOWN") return "go";
    const e = this.entry(deviceName);
    const now = this.now();
    if (now - e.lastProbeMs < this.options.downProbeIntervalMs) return "down";
    e.lastProbeMs = now;
    return "probe";
  }

  /** Records a driver success: resets the failure count and sets a DOWN device UP. */
  success(deviceName: string): void {
    const e = this.entries.get(deviceName);
    if (e !== undefined) e.failures = 0;
    if (this.options.stateOf(deviceName) === "DOWN") void this.options.setState(deviceName, "UP", "request succeeded");
  }

  /** Records a driver failure; the `maxConsecutiveFailures`-th in a row sets the device DOWN. */
  failure(deviceName: string): void {
    const e = this.entry(deviceName);
    e.failures++;
    if (e.failures >= this.options.maxConsecutiveFailures && this.options.stateOf(deviceName) !== "DOWN") {
      e.lastProbeMs = this.now();
      void this.options.setState(deviceName, "DOWN", `${e.failures} consecutive failures`);
    }
  }

  /** Sets the device DOWN at once (a failed assertion). */
  markDown(deviceName: string, reason: string): void {
    this.entry(deviceName).lastProbeMs = this.now();
    if (this.options.stateOf(deviceName) !== "DOWN") void this.options.setState(deviceName, "DOWN", reason);
  }

  /** Consecutive failures recorded for the device. */
  failures(deviceName: string): number {
    return this.entries.get(deviceName)?.failures ?? 0;
  }

  /** Drops what is known about a removed device. */
  forget(deviceName: string): void {
    this.entries.delete(deviceName);
  }
}
