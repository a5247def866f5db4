/**
 * One discovery run: ask the driver for devices, match each against this service's provision watchers, and add the
 * accepted ones that are not already known to core-metadata. The added devices come back to the service through
 * core-metadata's system events, like any other new device.
 *
 * Progress is reported as EdgeX device-sdk does: 0 when the run starts, what the driver reports, 100 when it is done
 * (with the number of devices found), -1 with a message when it fails or is cancelled.
 */
import { ErrorKind, newUuid, type Device, type ProvisionWatcher } from "@brink/contracts";
import type { Logger } from "pino";
import type { Discoverable, DiscoveredDeviceInfo } from "../../driver.js";
import { DeviceSdkError, DeviceSdkErrorCode } from "../../errors.js";
import { deviceFromDiscovery, findWatcher } from "./provision.js";

/** The outcome of one item of a batch add, as service-kit's MetadataClient reports it. */
export interface AddOutcome {
  readonly status: "ok" | "exists" | "failed";
  readonly error?: Error;
}

/** What discovery needs of core-metadata (service-kit's MetadataClient has this shape). */
export interface DiscoveryMetadata {
  getProvisionWatchersByService(serviceName: string): Promise<ProvisionWatcher[]>;
  addDevices(devices: readonly Device[]): Promise<readonly AddOutcome[]>;
}

/** Collaborators of {@link DiscoveryRunner}. */
export interface DiscoveryRunnerOptions {
  readonly driver: Discoverable;
  readonly serviceName: string;
  readonly metadata: DiscoveryMetadata;
  /** True when this service already has a device of that name. */
  readonly hasDevice: (name: string) => boolean;
  readonly logger: Logger;
  /** Publishes a progress notice (the device service sends it as a discovery system event). */
  readonly report?: (progress: DiscoveryProgress) => void;
}

/** EdgeX's `DeviceDiscoveryProgress`: the details of a discovery system event. */
export interface DiscoveryProgress {
  readonly requestId: string;
  /** 0..100, or -1 when the run failed or was cancelled. */
  readonly progress: number;
  readonly message: string;
  readonly discoveredDeviceCount: number;
}

/** What one run did. */
export interface DiscoveryResult {
  readonly requestId: string;
  /** Devices the driver reported. */
  readonly discovered: number;
  /** Names added to core-metadata. */
  readonly added: string[];
  /** Accepted by a watcher but already present. */
  readonly existing: string[];
  /** Accepted by no watcher (or blocked). */
  readonly unmatched: string[];
  /** Accepted but refused by core-metadata. */
  readonly failed: string[];
}

/** See the module comment. At most one run at a time. */
export class DiscoveryRunner {
  /** The run in progress. */
  private active: { readonly requestId: string; readonly promise: Promise<DiscoveryResult>; readonly abort: AbortController } | undefined;
  private progress = 0;

  constructor(private readonly options: DiscoveryRunnerOptions) {}

  /** True while a run is in progress. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /** Progress of the current run, 0..100, as the driver reports it. */
  get percent(): number {
    return this.progress;
  }

  /** Starts a run; rejects at once with 503 DISCOVERY_RUNNING when one is in progress. */
  trigger(requestId: string = newUuid()): Promise<DiscoveryResult> {
    if (this.active !== undefined) {
      return Promise.reject(new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.DiscoveryRunning, "a device discovery is already running"));
    }
    this.progress = 0;
    const abort = new AbortController();
    this.report(requestId, 0, "", 0);
    const run = this.run(requestId, abort.signal)
      .catch((err: unknown) => {
        const message = abort.signal.aborted ? "discovery cancelled" : `discovery failed: ${err instanceof Error ? err.message : String(err)}`;
        this.report(requestId, -1, message, 0);
        throw err;
      })
      .finally(() => {
        this.active = undefined;
      });
    this.active = { requestId, promise: run, abort };
    return run;
  }

  /** The request id of the run in progress. */
  get requestId(): string | undefined {
    return this.active?.requestId;
  }

  /**
   * Cancels the run in progress (when `requestId` is given, only if it is that run's). Returns false when there is
   * no such run. The run rejects with 503 DISCOVERY_CANCELLED and adds no device.
   */
  cancel(requestId?: string): boolean {
    const active = this.active;
    if (active === undefined || (requestId !== undefined && requestId !== active.requestId)) return false;
    active.abort.abort(new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.DiscoveryCancelled, `discovery ${active.requestId} was cancelled`));
    return true;
  }

  private report(requestId: string, progress: number, message: string, discoveredDeviceCount: number): void {
    try {
      this.options.report?.({ requestId, progress, message, discoveredDeviceCount });
    } catch (err) {
      this.options.logger.warn({ err, requestId }, "cannot publish discovery progress");
    }
  }

  /** Waits for the current run, if any (errors are the run's caller's). */
  async settle(): Promise<void> {
    await this.active?.promise.catch(() => undefined);
  }

  private async run(requestId: string, signal: AbortSignal): Promise<DiscoveryResult> {
    const { driver, serviceName, metadata, logger } = this.options;
    // The driver is asked to stop through the signal; the run does not wait for it to comply.
    const cancelled = new Promise<never>((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
    });
    cancelled.catch(() => undefined);
    const discovering = Promise.resolve().then(() =>
      driver.discover({
        signal,
        onProgress: (percent, message) => {
          if (signal.aborted) return;
          const p = Math.max(0, Math.min(99, Math.round(percent)));
          this.progress = p;
          logger.debug({ requestId, percent: p, message }, "discovery progress");
          this.report(requestId, p, message ?? "", 0);
        },
      }),
    );
    discovering.catch(() => undefined);
    const found: DiscoveredDeviceInfo[] = await Promise.race([discovering, cancelled]);
    if (signal.aborted) throw signal.reason as Error;
    const watchers = (await metadata.getProvisionWatchersByService(serviceName)).filter((w) => w.adminState !== "LOCKED");
    const result: DiscoveryResult = { requestId, discovered: found.length, added: [], existing: [], unmatched: [], failed: [] };
    const toAdd: Device[] = [];
    const seen = new Set<string>();
    for (const info of found) {
      if (typeof info?.name !== "string" || info.name === "" || seen.has(info.name)) continue;
      seen.add(info.name);
      const watcher = findWatcher(watchers, info);
      if (watcher === undefined) result.unmatched.push(info.name);
      else if (this.options.hasDevice(info.name)) result.existing.push(info.name);
      else toAdd.push(deviceFromDiscovery(info, watcher, serviceName));
    }
    if (signal.aborted) throw signal.reason as Error;
    if (toAdd.length > 0) {
      const outcomes = await metadata.addDevices(toAdd);
      toAdd.forEach((d, i) => {
        const o = outcomes[i];
        if (o?.status === "ok") result.added.push(d.name);
        else if (o?.status === "exists") result.existing.push(d.name);
        else {
          result.failed.push(d.name);
          logger.warn({ requestId, device: d.name, err: o?.error }, "discovered device refused by core-metadata");
        }
      });
    }
    this.progress = 100;
    this.report(requestId, 100, "", result.discovered);
    logger.info({ requestId, discovered: result.discovered, added: result.added, existing: result.existing.length, unmatched: result.unmatched.length }, "discovery done");
    return result;
  }
}
