/**
 * The rules-engine service definition: EdgeX port 59720. Reading rules evaluated at the edge on every device event,
 * scheduled rules (EdgeX's support-scheduler), and notifications with subscriptions (EdgeX's support-notifications),
 * over one REST API. See docs/rules.md.
 */
import type { Router } from "express";
import type Database from "better-sqlite3";
import { ALL_SYSTEM_EVENTS, ErrorCode, ErrorKind, ServiceError, type SystemEvent } from "@brink/contracts";
import type { Subscription } from "@brink/bus";
import { MetadataClient, type ServiceComponent, type ServiceContext, type ServiceDefinition } from "@brink/service-kit";
import { DeviceDirectory } from "./actions/device-directory.js";
import { ActionRunner } from "./actions/runner.js";
import { DeliveryHub } from "./delivery/hub.js";
import { FiringDispatcher } from "./engine/dispatcher.js";
import { RuleEngine, type EngineStats } from "./engine/engine.js";
import { DEFAULT_MAX_WINDOW_SAMPLES } from "./engine/window.js";
import { RulesMetrics } from "./metrics.js";
import { NotificationCenter } from "./notifications/center.js";
import { RuleManager } from "./rule/manager.js";
import { mountNotificationRoutes } from "./routes/notifications.js";
import { mountRuleRoutes } from "./routes/rules.js";
import { RuleScheduler } from "./scheduler/scheduler.js";
import { DocumentStore } from "./store/document-store.js";
import { FiringStore, ScheduleRunStore } from "./store/firing-store.js";
import { openHistoryDatabase } from "./store/history-db.js";
import { NotificationStore } from "./store/notification-store.js";
import { VERSION } from "./version.js";

/** EdgeX's default port of the rules engine. */
export const RULES_ENGINE_PORT = 59720;
/** How long a device service may take to acknowledge a write by default, ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
/** Timeout of HTTP actions by default, ms. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** How long the owner of a device is remembered by default, ms (metadata events refresh it sooner). */
export const DEFAULT_DEVICE_CACHE_TTL_MS = 60_000;
/** Firing records kept by default. */
export const DEFAULT_MAX_FIRINGS = 10_000;
/** Notifications kept by default. */
export const DEFAULT_MAX_NOTIFICATIONS = 10_000;

/** The rules engine's own config keys (YAML top level; env `BRINK_RULES_DIR`, `BRINK_COMMAND_TIMEOUT_MS`...). */
export interface RulesEngineConfig {
  /** Directory of rule files (YAML or JSON) added at start when not stored yet; empty for none. @default "" */
  rulesDir: string;
  /** How long a device service may take to acknowledge a command action's write, ms. @default 5000 */
  commandTimeoutMs: number;
  /** Timeout of HTTP actions, ms. @default 10000 */
  httpTimeoutMs: number;
  /** How long the device -> device service lookup is cached, ms; 0 asks core-metadata every time. @default 60000 */
  deviceCacheTtlMs: number;
  /** Firing records kept (the oldest are deleted). @default 10000 */
  maxFirings: number;
  /** Notifications kept (the oldest are deleted). @default 10000 */
  maxNotifications: number;
  /** Most samples a sliding time window keeps per device and resource. @default 10000 */
  maxWindowSamples: number;
  /** First wait before retrying a failed delivery (webhook, MQTT, notification), ms. @default 500 */
  deliveryBackoffInitialMs: number;
  /** Longest wait between delivery retries, ms. @default 30000 */
  deliveryBackoffMaxMs: number;
}

const int = (minimum: number, def: number, description: string): Record<string, unknown> => ({ type: "integer", minimum, default: def, description });

/** JSON schema of {@link RulesEngineConfig}. */
export const RULES_ENGINE_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    rulesDir: { type: "string", default: "", description: "Directory of rule files (YAML or JSON) added at start when not stored yet; empty for none." },
    commandTimeoutMs: int(1, DEFAULT_COMMAND_TIMEOUT_MS, "How long a device service may take to acknowledge a command action's write, ms."),
    httpTimeoutMs: int(1, DEFAULT_HTTP_TIMEOUT_MS, "Timeout of HTTP actions, ms."),
    deviceCacheTtlMs: int(0, DEFAULT_DEVICE_CACHE_TTL_MS, "How long the device -> device service lookup of command actions is cached (metadata events refresh it sooner), ms; 0 asks every time."),
    maxFirings: int(1, DEFAULT_MAX_FIRINGS, "Firing records kept; the oldest are deleted."),
    maxNotifications: int(1, DEFAULT_MAX_NOTIFICATIONS, "Notifications kept; the oldest are deleted."),
    maxWindowSamples: int(1, DEFAULT_MAX_WINDOW_SAMPLES, "Most samples a sliding time window keeps per rule, device and resource; the oldest go first."),
    deliveryBackoffInitialMs: int(1, 500, "First wait before retrying a failed delivery (webhook and MQTT actions, notifications), ms."),
    deliveryBackoffMaxMs: int(1, 30_000, "Longest wait between delivery retries, ms."),
  },
} as const;

/** What start() builds. */
interface Running {
  readonly db: Database.Database;
  readonly firings: FiringStore;
  readonly hub: DeliveryHub;
  readonly center: NotificationCenter;
  readonly dispatcher: FiringDispatcher;
  readonly engine: RuleEngine;
  readonly scheduler: RuleScheduler;
  readonly rules: RuleManager;
  readonly events: Subscription;
}

/** The running rules engine. */
class RulesEngineComponent implements ServiceComponent {
  private readonly ctx: ServiceContext<RulesEngineConfig>;
  private readonly documents: DocumentStore;
  private readonly devices: DeviceDirectory;
  private running: Running | undefined;

  constructor(ctx: ServiceContext<RulesEngineConfig>) {
    this.ctx = ctx;
    this.documents = new DocumentStore(ctx.config.dataDir);
    const metadata = MetadataClient.fromConfig(ctx.config);
    this.devices = new DeviceDirectory({ lookup: (name) => metadata.getDevice(name), ttlMs: ctx.config.custom.deviceCacheTtlMs });
  }

  private get r(): Running {
    if (!this.running) throw new ServiceError(ErrorKind.ServiceUnavailable, ErrorCode.BusUnavailable, "the rules engine is not started yet");
    return this.running;
  }

  routes(router: Router): void {
    // Getters: the parts are built in start(), after the routes are mounted.
    const running = (): Running => this.r;
    mountRuleRoutes(router, {
      get rules() {
        return running().rules;
      },
      get engine() {
        return running().engine;
      },
      get scheduler() {
        return running().scheduler;
      },
      get firings() {
        return running().firings;
      },
    });
    mountNotificationRoutes(router, {
      get center() {
        return running().center;
      },
      store: this.documents,
      onSubscriptionsChanged: () => {
        void this.r.hub.syncSubscriptions(this.documents.subscriptions()).catch((err: unknown) => this.ctx.logger.error({ err }, "could not update subscription delivery targets"));
      },
    });
  }

  async start(): Promise<void> {
    await this.documents.open();
    const db = openHistoryDatabase(this.ctx.config.dataDir);
    let hub: DeliveryHub | undefined;
    try {
      this.running = await this.build(db, (h) => (hub = h));
    } catch (err) {
      // start() failed half-way: undo what it opened (stop() has nothing to stop yet).
      await hub?.stop().catch(() => undefined);
      db.close();
      throw err;
    }
    this.running.engine.start();
    this.running.scheduler.start();
    this.ctx.logger.info({ rules: this.documents.rules().length, subscriptions: this.documents.subscriptions().length }, "rules engine started");
  }

  /** Builds the parts on an open database; `opened` hears of the delivery hub as soon as it runs. */
  private async build(db: Database.Database, opened: (hub: DeliveryHub) => void): Promise<Running> {
    const { config, logger, bus } = this.ctx;
    const custom = config.custom;
    const firings = new FiringStore(db, custom.maxFirings);
    // The parts call each other back; the callbacks run only after build() has made them all.
    const metrics: RulesMetrics = new RulesMetrics(this.ctx.metrics, (): EngineStats => engine.stats());
    const hub = new DeliveryHub({
      dataDir: config.dataDir,
      logger,
      bus,
      registry: this.ctx.metrics,
      backoff: { initialMs: custom.deliveryBackoffInitialMs, maxMs: custom.deliveryBackoffMaxMs },
      reports: {
        delivered: (...a) => center.delivered(...a),
        refused: (...a) => center.refused(...a),
        retrying: (...a) => center.retrying(...a),
      },
    });
    hub.start();
    opened(hub);
    const center = new NotificationCenter({
      store: new NotificationStore(db, custom.maxNotifications),
      subscriptions: () => this.documents.subscriptions(),
      delivery: hub,
      logger,
      onDeliveryOutcome: (o) => metrics.delivery(o),
    });
    const runner = new ActionRunner({
      bus,
      devices: this.devices,
      commandTimeoutMs: custom.commandTimeoutMs,
      httpTimeoutMs: custom.httpTimeoutMs,
      serviceUrls: { "core-data": config.clients.coreDataUrl, "core-metadata": config.clients.coreMetadataUrl, "core-command": config.clients.coreCommandUrl },
      apiToken: config.apiToken,
      notifications: center,
      exports: hub,
    });
    const dispatcher = new FiringDispatcher({ runner, sink: firings, metrics, logger });
    const engine: RuleEngine = new RuleEngine({ bus, dispatcher, logger, maxWindowSamples: custom.maxWindowSamples, onSuppressed: (rule) => metrics.suppressed(rule) });
    const scheduler = new RuleScheduler({ dispatcher, runs: new ScheduleRunStore(db), logger });
    const rules = new RuleManager({ store: this.documents, engine, scheduler, firings, logger });
    rules.loadStored();
    if (custom.rulesDir !== "") {
      const added = await rules.loadDirectory(custom.rulesDir);
      if (added.length > 0) logger.info({ rules: added, dir: custom.rulesDir }, `added ${added.length} rules from files`);
    }
    await hub.prepare(rules.compiledRules(), this.documents.subscriptions());
    const events = bus.subscribe<SystemEvent>(ALL_SYSTEM_EVENTS, (msg) => this.onSystemEvent(msg.envelope.payload));
    return { db, firings, hub, center, dispatcher, engine, scheduler, rules, events };
  }

  async stop(options: { force: boolean }): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    r.events.unsubscribe();
    r.scheduler.stop();
    r.engine.stop();
    if (!options.force) await r.dispatcher.idle();
    await r.hub.stop();
    r.db.close();
    this.devices.clear();
  }

  private onSystemEvent(event: SystemEvent): void {
    this.devices.onSystemEvent(event);
    const name = (event.details as { name?: unknown } | null | undefined)?.name;
    if (event.type === "device" && event.action === "delete" && typeof name === "string") this.running?.engine.forgetDevice(name);
  }
}

/** The `rules-engine` service definition (port 59720). */
export const rulesEngineService: ServiceDefinition<RulesEngineConfig> = {
  name: "rules-engine",
  version: VERSION,
  defaultPort: RULES_ENGINE_PORT,
  configSchema: RULES_ENGINE_CONFIG_SCHEMA,
  create: (ctx) => new RulesEngineComponent(ctx),
};
