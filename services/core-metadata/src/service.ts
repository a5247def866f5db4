/**
 * The core-metadata service definition: EdgeX's REST API for device services, device profiles, devices and provision
 * watchers on port 59881, a lowdb file under `<dataDir>/core-metadata/`, and a system event on the bus after every
 * change.
 */
import type { Router } from "express";
import type { ServiceComponent, ServiceContext, ServiceDefinition } from "@brink/service-kit";
import { CORE_METADATA_CONFIG_SCHEMA } from "./config.js";
import type { CoreMetadataConfig } from "./config.js";
import { SystemEventPublisher } from "./events.js";
import { mountDeviceProfileRoutes } from "./routes/device-profile.js";
import { mountDeviceServiceRoutes } from "./routes/device-service.js";
import { mountDeviceRoutes } from "./routes/device.js";
import { mountProvisionWatcherRoutes } from "./routes/provision-watcher.js";
import { MetadataStore } from "./store/metadata-store.js";
import { VERSION } from "./version.js";

/** EdgeX's default port of core-metadata. */
export const CORE_METADATA_PORT = 59881;

/** The running core-metadata: opens the store and starts publishing on start; flushes and stops on stop. */
class CoreMetadataComponent implements ServiceComponent {
  private readonly ctx: ServiceContext<CoreMetadataConfig>;
  private readonly store: MetadataStore;
  private readonly publisher: SystemEventPublisher;

  constructor(ctx: ServiceContext<CoreMetadataConfig>) {
    this.ctx = ctx;
    this.store = new MetadataStore({ dataDir: ctx.config.dataDir });
    this.publisher = new SystemEventPublisher({ store: this.store, bus: ctx.bus, logger: ctx.logger });
  }

  routes(router: Router): void {
    const routeContext = { store: this.store, config: this.ctx.config.custom };
    mountDeviceServiceRoutes(router, routeContext);
    mountDeviceProfileRoutes(router, routeContext);
    mountDeviceRoutes(router, routeContext);
    mountProvisionWatcherRoutes(router, routeContext);
  }

  async start(): Promise<void> {
    await this.store.start();
    this.publisher.start();
    this.ctx.logger.info({ file: this.store.file }, "metadata store opened");
  }

  async stop(): Promise<void> {
    // Pending writes finish first, so their system events still go out.
    await this.store.stop();
    this.publisher.stop();
  }
}

/** The `core-metadata` service definition (EdgeX service key and port 59881). */
export const coreMetadataService: ServiceDefinition<CoreMetadataConfig> = {
  name: "core-metadata",
  version: VERSION,
  defaultPort: CORE_METADATA_PORT,
  configSchema: CORE_METADATA_CONFIG_SCHEMA,
  create: (ctx) => new CoreMetadataComponent(ctx),
};
