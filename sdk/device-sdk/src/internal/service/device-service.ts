/**
 * `createDeviceService`: a driver becomes a service-kit ServiceDefinition. The runtime registers the device service
 * with core-metadata, seeds profiles and devices, loads this service's devices, starts the driver and AutoEvents,
 * follows core-metadata's system events, and serves commands over REST and the bus through one pipeline.
 */
import { join } from "node:path";
import { API_VERSION, ErrorKind, ServiceError, discoveryEventSubject, eventSubject, nowNanos, parseGoDuration, type AdminState, type DeviceService, type SystemEvent } from "@brink/contracts";
import type { Subscription } from "@brink/bus";
import { MetadataClient, type ConfigSchema, type ListeningAddress, type ServiceComponent, type ServiceContext, type ServiceDefinition } from "@brink/service-kit";
import type { Router } from "express";
import type { Logger } from "pino";
import { isDiscoverable, type ProtocolDriver } from "../../driver.js";
import { AutoEventManager } from "../autoevent/auto-event-manager.js";
import { Scheduler } from "../autoevent/scheduler.js";
import { DeviceCache } from "../cache/device-cache.js";
import { DiscoveryRunner } from "../discovery/discovery-runner.js";
import { CommandPipeline } from "../pipeline/command-pipeline.js";
import { DeviceHealth } from "../pipeline/device-health.js";
import { serveCommandRequests } from "./bus-commands.js";
import { deviceServiceConfigSchema, type DeviceServiceConfig } from "./config.js";
import { MetadataSync } from "./metadata-sync.js";
import { registerDeviceServiceMetrics } from "./metrics.js";
import { mountRoutes } from "./routes.js";
import { SdkFacade } from "./sdk-facade.js";
import { seedDevices, seedProfiles } from "./seed.js";
import { StateReporter } from "./state-reporter.js";

/** Options of {@link createDeviceService}. */
export interface DeviceServiceOptions {
  /** Service key, such as `device-modbus`. */
  readonly name: string;
  readonly version: string;
  /** EdgeX default port, such as 59901. */
  readonly defaultPort: number;
  /** The driver, or a factory called once per created service (prefer a factory: one driver per running service). */
  readonly driver: ProtocolDriver | (() => ProtocolDriver);
  /** JSON Schema of the driver's `driver:` config section (each key with a description and a default). */
  readonly configSchema?: ConfigSchema;
  /** Default directory of device profile YAML files uploaded at start (config `device.profilesDir` overrides). */
  readonly profilesDir?: string;
  /** Default directory of device-list YAML files added at start (config `device.devicesDir` overrides). */
  readonly devicesDir?: string;
}

const RETRY_KINDS: ReadonlySet<ErrorKind> = new Set([ErrorKind.ServiceUnavailable, ErrorKind.Communication, ErrorKind.Timeout]);

/** Retries `op` while core-metadata is unreachable, up to `waitMs`. */
async function whenReachable<T>(op: () => Promise<T>, waitMs: number, logger: Logger): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 250;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof ServiceError) || !RETRY_KINDS.has(err.kind) || Date.now() + delay > deadline) throw err;
      logger.warn({ code: err.code, retryInMs: delay }, "core-metadata not reachable yet");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}

/** The running part of a device service. */
class DeviceServiceRuntime implements ServiceComponent {
  private readonly driver: ProtocolDriver;
  private readonly cache = new DeviceCache();
  /** Where the HTTP server listens; registered as the service's baseAddress unless configured. */
  private listeningUrl = "";
  private readonly metadata: MetadataClient;
  private readonly health: DeviceHealth;
  private readonly pipeline: CommandPipeline;
  private readonly scheduler = new Scheduler();
  private readonly autoEvents: AutoEventManager;
  private readonly states: StateReporter;
  private readonly sync: MetadataSync;
  private readonly discovery: DiscoveryRunner | undefined;
  private readonly facade: SdkFacade;
  private readonly logger: Logger;
  private commandSubscription: Subscription | undefined;
  private serviceLocked = false;
  private driverStarted = false;

  constructor(
    private readonly ctx: ServiceContext<DeviceServiceConfig>,
    private readonly options: DeviceServiceOptions,
  ) {
    const { name, bus, config } = ctx;
    const cfg = config.custom.device;
    this.logger = ctx.logger;
    this.driver = typeof options.driver === "function" ? options.driver() : options.driver;
    this.metadata = MetadataClient.fromConfig(config);
    this.states = new StateReporter({ serviceName: name, cache: this.cache, bus, metadata: this.metadata, logger: this.logger });
    this.health = new DeviceHealth({
      maxConsecutiveFailures: cfg.maxConsecutiveFailures,
      downProbeIntervalMs: cfg.downProbeIntervalMs,
      stateOf: (device) => this.cache.device(device)?.operatingState,
      setState: (device, state, reason) => this.states.set(device, state, reason),
    });
    this.pipeline = new CommandPipeline({
      driver: this.driver,
      cache: this.cache,
      health: this.health,
      logger: this.logger,
      driverTimeoutMs: cfg.driverTimeoutMs,
      dataTransform: cfg.dataTransform,
      serviceLocked: () => this.serviceLocked,
      events: { publish: (event) => bus.publish(eventSubject(name, event.profileName, event.deviceName, event.sourceName), { apiVersion: API_VERSION, event }) },
    });
    this.autoEvents = new AutoEventManager({
      scheduler: this.scheduler,
      runner: this.pipeline,
      logger: this.logger,
      parseIntervalMs: parseGoDuration,
      spreadFirstRuns: true,
    });
    this.sync = new MetadataSync({
      serviceName: name,
      cache: this.cache,
      driver: this.driver,
      autoEvents: this.autoEvents,
      health: this.health,
      metadata: this.metadata,
      logger: this.logger,
      onServiceAdminState: (state) => this.setServiceAdminState(state),
      ownsOperatingState: (device) => this.states.changedRecently(device),
    });
    registerDeviceServiceMetrics(ctx.metrics, this.scheduler, this.pipeline);
    const driver = this.driver;
    this.discovery = isDiscoverable(driver)
      ? new DiscoveryRunner({
          driver,
          serviceName: name,
          metadata: this.metadata,
          hasDevice: (d) => this.cache.device(d) !== undefined,
          logger: this.logger,
          report: (details) => {
            const event: SystemEvent = { apiVersion: API_VERSION, type: "device", action: "discovery", source: name, owner: name, details, timestamp: nowNanos() };
            bus.publish(discoveryEventSubject(name), event).catch((err: unknown) => this.logger.warn({ err }, "cannot publish discovery progress"));
          },
        })
      : undefined;
    this.facade = new SdkFacade({
      serviceName: name,
      logger: this.logger.child({ component: "driver" }),
      driverConfig: config.custom.driver ?? {},
      dataDir: join(config.dataDir, name),
      cache: this.cache,
      pipeline: this.pipeline,
      states: this.states,
    });
  }

  routes(router: Router): void {
    mountRoutes(router, {
      pipeline: this.pipeline,
      driver: this.driver,
      cache: this.cache,
      discovery: this.discovery,
      metadata: this.metadata,
      serviceLocked: () => this.serviceLocked,
      logger: this.logger,
    });
  }

  async start(listening: ListeningAddress): Promise<void> {
    this.listeningUrl = listening.url;
    try {
      await this.startUp();
    } catch (err) {
      // undo what was started, so a failed start leaves no subscription or timer behind
      await this.stop({ force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async startUp(): Promise<void> {
    const { name, bus, config } = this.ctx;
    const cfg = config.custom.device;
    await this.driver.initialize(this.facade);
    await whenReachable(() => this.register(), cfg.metadataWaitMs, this.logger);
    const profilesDir = cfg.profilesDir || this.options.profilesDir;
    const devicesDir = cfg.devicesDir || this.options.devicesDir;
    if (profilesDir) await seedProfiles(profilesDir, this.metadata, this.logger);
    if (devicesDir) await seedDevices(devicesDir, name, this.metadata, this.logger);
    this.sync.subscribe(bus);
    const devices = await this.sync.load();
    this.driverStarted = true;
    await this.driver.start();
    this.autoEvents.setServiceLocked(this.serviceLocked);
    for (const d of devices) this.autoEvents.upsert(this.cache.device(d.name) ?? d);
    this.commandSubscription = serveCommandRequests(bus, name, this.pipeline);
    this.sync.release();
    this.logger.info({ devices: devices.length, locked: this.serviceLocked }, "device service ready");
  }

  async stop(options: { force: boolean }): Promise<void> {
    this.autoEvents.stop();
    this.scheduler.stop();
    this.commandSubscription?.unsubscribe();
    this.sync.close();
    await this.pipeline.stop(options);
    if (!options.force) await this.discovery?.settle();
    if (this.driverStarted) {
      this.driverStarted = false;
      await this.driver.stop(options);
    }
  }

  private async register(): Promise<void> {
    const { name, config } = this.ctx;
    // The address the server really bound (port 0 picks one); a wildcard host is registered as loopback.
    const baseAddress = config.custom.device.baseAddress || this.listeningUrl.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//127.0.0.1:");
    const service: DeviceService = { name, description: `${name} ${this.ctx.version}`, baseAddress, adminState: "UNLOCKED", labels: [] };
    const [outcome] = await this.metadata.addDeviceServices([service]);
    if (outcome?.status === "failed") throw outcome.error ?? new Error("core-metadata refused the device service");
    if (outcome?.status === "exists") {
      const current = await this.metadata.getDeviceService(name);
      this.serviceLocked = current.adminState === "LOCKED";
      if (current.baseAddress !== baseAddress) await this.metadata.updateDeviceService({ name, baseAddress });
    }
  }

  private setServiceAdminState(state: AdminState): void {
    const locked = state === "LOCKED";
    if (locked === this.serviceLocked) return;
    this.serviceLocked = locked;
    this.autoEvents.setServiceLocked(locked);
    this.logger.info({ adminState: state }, "device service admin state changed");
  }
}

/**
 * Makes a service-kit ServiceDefinition of a driver. Config: the runtime's `device:` section (timeouts, health,
 * seeding, baseAddress) and the driver's `driver:` section described by `configSchema`.
 */
export function createDeviceService(options: DeviceServiceOptions): ServiceDefinition<DeviceServiceConfig> {
  return {
    name: options.name,
    version: options.version,
    defaultPort: options.defaultPort,
    configSchema: deviceServiceConfigSchema(options.configSchema),
    create: (ctx) => new DeviceServiceRuntime(ctx, options),
  };
}
