/**
 * The DeviceServiceSdk handed to the driver in `initialize`: read access to devices and profiles, the push path
 * for asynchronous readings, and operating-state reports. Everything goes through the runtime's pipeline.
 */
import { mkdirSync } from "node:fs";
import type { Device, DeviceProfile, OperatingState } from "@brink/contracts";
import type { Logger } from "pino";
import type { CommandValue, DeviceServiceSdk } from "../../driver.js";
import type { DeviceCache } from "../cache/device-cache.js";
import type { CommandPipeline } from "../pipeline/command-pipeline.js";
import type { StateReporter } from "./state-reporter.js";

/** Collaborators of {@link SdkFacade}. */
export interface SdkFacadeOptions {
  readonly serviceName: string;
  readonly logger: Logger;
  readonly driverConfig: Readonly<Record<string, unknown>>;
  readonly dataDir: string;
  readonly cache: DeviceCache;
  readonly pipeline: CommandPipeline;
  readonly states: StateReporter;
}

/** See the module comment. */
export class SdkFacade implements DeviceServiceSdk {
  readonly serviceName: string;
  readonly logger: Logger;
  readonly driverConfig: Readonly<Record<string, unknown>>;
  private dirMade = false;

  constructor(private readonly options: SdkFacadeOptions) {
    this.serviceName = options.serviceName;
    this.logger = options.logger;
    this.driverConfig = options.driverConfig;
  }

  /** The driver's data directory, created on first access. */
  get dataDir(): string {
    if (!this.dirMade) {
      mkdirSync(this.options.dataDir, { recursive: true });
      this.dirMade = true;
    }
    return this.options.dataDir;
  }

  devices(): readonly Device[] {
    return this.options.cache.devices();
  }

  device(name: string): Device | undefined {
    return this.options.cache.device(name);
  }

  profile(name: string): DeviceProfile | undefined {
    return this.options.cache.profile(name);
  }

  async pushValues(deviceName: string, sourceName: string, values: readonly CommandValue[]): Promise<void> {
    await this.options.pipeline.pushValues(deviceName, sourceName, values);
  }

  setOperatingState(deviceName: string, state: OperatingState): Promise<void> {
    return this.options.states.set(deviceName, state, "reported by the driver");
  }
}
