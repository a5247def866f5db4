/**
 * One discovery run: ask the driver for devices, match each against this service's provision watchers, and add the
 * accepted ones that are not already known to core-metadata. The added devices come back to the service through
 * core-metadata's system events, like any other new device.
 */
import { randomUUID } from "node:crypto";
import { ErrorKind, type Device, type ProvisionWatcher } from "@brink/contracts";
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
  private current: Promise<DiscoveryResult> | undefined;
  private progress = 0;

  constructor(private readonly options: DiscoveryRunnerOptions) {}

  /** True while a run is in progress. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** Progress of the current run, 0..100, as the driver reports it. */
  get percent(): number {
    return this.progress;
  }

  /** Starts a run; rejects at once with 503 DISCOVERY_RUNNING when one is in progress. */
  trigger(requestId: string = randomUUID()): Promise<DiscoveryResult> {
    if (this.current !== undefined) {
      return Promise.reject(new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.DiscoveryRunning, "a device discovery is already running"));
    }
    this.progress = 0;
    const run = this.run(requestId).finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  /** Waits for the current run, if any (errors are the run's caller's). */
  async settle(): Promise<void> {
    await this.current?.catch(() => undefined);
  }

  private async run(requestId: string): Promise<DiscoveryResult> {
    const { driver, serviceName, metadata, logger } = this.options;
    const found: DiscoveredDeviceInfo[] = await driver.discover({
      onProgress: (percent, message) => {
        this.progress = percent;
        logger.debug({ requestId, percent, message }, "discovery progress");
      },
    });
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
    logger.info({ requestId, discovered: result.discovered, added: result.added, existing: result.existing.length, unmatched: result.unmatched.length }, "discovery done");
    return result;
  }
}
