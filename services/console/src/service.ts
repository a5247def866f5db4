/**
 * The `console` service definition (port 4000, as EdgeX's UI): serves the web bundle, the console API and the
 * gateway to every service. Runs in `brink start` and alone (`brink run console`).
 */
import type { Router } from "express";
import { API_VERSION } from "@brink/contracts";
import { HttpClient, MetadataClient, sendJson, type ListeningAddress, type ServiceComponent, type ServiceContext, type ServiceDefinition } from "@brink/service-kit";
import { CONSOLE_CONFIG_SCHEMA, CONSOLE_PORT, type ConsoleConfig } from "./config.js";
import { mountGateway } from "./gateway.js";
import { LiveHub } from "./live-hub.js";
import { PeerDirectory, PeerKind } from "./peers.js";
import { CONSOLE_API, mountConsoleRoutes } from "./routes.js";
import { DEFAULT_WEB_DIR, staticFiles } from "./static-files.js";
import { VERSION } from "./version.js";

/** What `GET /api/console/info` answers, without a token: enough for the page to know whether to ask for one. */
export interface ConsoleInfo {
  readonly apiVersion: string;
  readonly serviceName: string;
  readonly version: string;
  readonly tokenRequired: boolean;
}

/** The running console. */
class ConsoleComponent implements ServiceComponent {
  private readonly metadata: MetadataClient;
  private readonly data: HttpClient;
  private readonly peers: PeerDirectory;
  private readonly hub: LiveHub;
  private readonly webDir: string;

  constructor(private readonly ctx: ServiceContext<ConsoleConfig>) {
    const { config } = ctx;
    const custom = config.custom;
    this.metadata = MetadataClient.fromConfig(config);
    this.data = new HttpClient({ baseUrl: config.clients.coreDataUrl, timeoutMs: config.service.requestTimeoutMs, apiToken: config.apiToken, peerName: "core-data" });
    this.peers = new PeerDirectory({
      fixed: [
        { name: "core-metadata", kind: PeerKind.Core, url: config.clients.coreMetadataUrl },
        { name: "core-data", kind: PeerKind.Core, url: config.clients.coreDataUrl },
        { name: "core-command", kind: PeerKind.Core, url: config.clients.coreCommandUrl },
        { name: "app-service", kind: PeerKind.App, url: custom.appServiceUrl },
        { name: "rules-engine", kind: PeerKind.Rules, url: custom.rulesEngineUrl },
        ...(custom.notificationsUrl ? [{ name: "support-notifications", kind: PeerKind.Rules, url: custom.notificationsUrl }] : []),
      ],
      aliases: custom.notificationsUrl ? {} : { "support-notifications": "rules-engine" },
      metadata: this.metadata,
      cacheMs: custom.peerCacheMs,
    });
    this.hub = new LiveHub({ bus: ctx.bus, logger: ctx.logger, summaryIntervalMs: custom.summaryIntervalMs });
    this.webDir = custom.webDir || DEFAULT_WEB_DIR;
  }

  publicRoutes(router: Router): void {
    router.get(`${CONSOLE_API}/info`, (_req, res) => {
      const info: ConsoleInfo = { apiVersion: API_VERSION, serviceName: this.ctx.name, version: this.ctx.version, tokenRequired: this.ctx.config.apiToken !== undefined };
      sendJson(res, 200, info);
    });
    router.use(staticFiles(this.webDir));
  }

  routes(router: Router): void {
    const custom = this.ctx.config.custom;
    mountConsoleRoutes(router, {
      metadata: this.metadata,
      data: this.data,
      peers: this.peers,
      hub: this.hub,
      bus: this.ctx.bus,
      apiToken: this.ctx.config.apiToken,
      streamQueueFrames: custom.streamQueueFrames,
      heartbeatMs: custom.heartbeatMs,
      maxStreams: custom.maxStreams,
      maxStreamDevices: custom.maxStreamDevices,
    });
    mountGateway(router, { peers: this.peers, timeoutMs: custom.gatewayTimeoutMs, logger: this.ctx.logger });
  }

  async start(listening: ListeningAddress): Promise<void> {
    this.peers.add({ name: this.ctx.name, kind: PeerKind.Console, url: listening.url });
  }

  async stop(): Promise<void> {
    this.hub.stop();
  }
}

/** The console service: EdgeX key `console`, port 4000. */
export const consoleService: ServiceDefinition<ConsoleConfig> = {
  name: "console",
  version: VERSION,
  defaultPort: CONSOLE_PORT,
  configSchema: CONSOLE_CONFIG_SCHEMA,
  create: (ctx) => new ConsoleComponent(ctx),
};
