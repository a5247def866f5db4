/**
 * The core-command service definition: REST on EdgeX port 59882, commands routed to device services over the bus,
 * devices and profiles looked up in core-metadata through a short cache kept fresh by metadata system events.
 */
import { ALL_SYSTEM_EVENTS, type Device, type SystemEvent } from "@brink/contracts";
import type { Subscription } from "@brink/bus";
import type { Router } from "express";
import { MetadataClient, type ServiceComponent, type ServiceContext, type ServiceDefinition } from "@brink/service-kit";
import { CommandExecutor } from "./command-executor.js";
import { DeviceCache } from "./device-cache.js";
import { mountCommandRoutes, type DevicePage } from "./routes.js";
import { VERSION } from "./version.js";

/** EdgeX's default port of core-command. */
export const CORE_COMMAND_PORT = 59882;
/** How long a device service may take to answer a command by default, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
/** How long a device and its profile are served from the cache by default, ms. */
export const DEFAULT_CACHE_TTL_MS = 5000;

/** core-command's own config keys (YAML top level; env `BRINK_COMMAND_TIMEOUT_MS`, `BRINK_CACHE_TTL_MS`). */
export interface CoreCommandConfig {
  /** How long a device service may take to answer a command before the caller gets 503, ms. @default 5000 */
  commandTimeoutMs: number;
  /** How long devices and profiles are served from the cache, ms; 0 asks core-metadata every time. @default 5000 */
  cacheTtlMs: number;
}

/** JSON schema of {@link CoreCommandConfig}. */
export const CORE_COMMAND_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    commandTimeoutMs: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_COMMAND_TIMEOUT_MS,
      description: "How long a device service may take to answer a command before the caller gets 503, ms.",
    },
    cacheTtlMs: {
      type: "integer",
      minimum: 0,
      default: DEFAULT_CACHE_TTL_MS,
      description: "How long devices and profiles are served from the cache (metadata events refresh them sooner), ms; 0 disables the cache.",
    },
  },
} as const;

/** The running core-command: subscribes to metadata system events on start, unsubscribes on stop. */
class CoreCommandComponent implements ServiceComponent {
  private readonly ctx: ServiceContext<CoreCommandConfig>;
  private readonly metadata: MetadataClient;
  private readonly cache: DeviceCache;
  private readonly executor: CommandExecutor;
  private subscription: Subscription | undefined;

  constructor(ctx: ServiceContext<CoreCommandConfig>) {
    this.ctx = ctx;
    this.metadata = MetadataClient.fromConfig(ctx.config);
    const metadata = this.metadata;
    this.cache = new DeviceCache({ deviceByName: (name) => metadata.getDevice(name), profileByName: (name) => metadata.getProfile(name) }, { ttlMs: ctx.config.custom.cacheTtlMs });
    this.executor = new CommandExecutor({ bus: ctx.bus, cache: this.cache, commandTimeoutMs: ctx.config.custom.commandTimeoutMs });
  }

  routes(router: Router): void {
    mountCommandRoutes(router, {
      executor: this.executor,
      allDevices: (paging) => this.devicePage(paging),
      fallbackUrl: this.ctx.config.clients.coreCommandUrl,
    });
  }

  async start(): Promise<void> {
    this.subscription = this.ctx.bus.subscribe<SystemEvent>(ALL_SYSTEM_EVENTS, (msg) => this.cache.onSystemEvent(msg.envelope.payload));
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.cache.clear();
  }

  private async devicePage(paging: { offset: number; limit: number }): Promise<DevicePage> {
    const page = await this.metadata.http.get<{ devices?: Device[]; totalCount?: number }>("/api/v3/device/all", { query: paging });
    const devices = Array.isArray(page.devices) ? page.devices : [];
    return { devices, totalCount: typeof page.totalCount === "number" ? page.totalCount : devices.length };
  }
}

/** The `core-command` service definition (EdgeX service key and port 59882). */
export const coreCommandService: ServiceDefinition<CoreCommandConfig> = {
  name: "core-command",
  version: VERSION,
  defaultPort: CORE_COMMAND_PORT,
  configSchema: CORE_COMMAND_CONFIG_SCHEMA,
  create: (ctx) => new CoreCommandComponent(ctx),
};
