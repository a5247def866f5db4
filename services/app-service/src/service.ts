/**
 * The app-service definition (EdgeX app service, port 59700): pipelines that filter, clean, aggregate, transform and
 * export device events, fed by the bus (or a durable JetStream consumer) and by `POST /api/v3/trigger`, with a
 * durable outbox per export target.
 */
import type { Router } from "express";
import { Gauge } from "prom-client";
import { ForwarderPool, SecretStore, SqliteOutbox, type CompiledPipeline, type FunctionEnvironment, type LoaderOptions } from "@brink/app-sdk";
import { MetadataClient, type ServiceComponent, type ServiceContext, type ServiceDefinition } from "@brink/service-kit";
import { APP_SERVICE_CONFIG_SCHEMA, APP_SERVICE_PORT, type AppServiceConfig } from "./config.js";
import { BusInput } from "./input/bus-input.js";
import { JetStreamSource } from "./input/jetstream-input.js";
import type { Deliver, PipelineInput } from "./input/types.js";
import { ExportBindings } from "./pipelines/exports.js";
import { PipelineManager } from "./pipelines/manager.js";
import { PipelineStore } from "./pipelines/store.js";
import { ProfileCache } from "./profiles.js";
import { deadLetterRoutes } from "./routes/deadletter-routes.js";
import { pipelineRoutes } from "./routes/pipeline-routes.js";
import { triggerRoutes } from "./routes/trigger-routes.js";
import { VERSION } from "./version.js";

/** Default NATS URL when neither `jetstream.url` nor BRINK_BUS_URL is set. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** Longest wait for the export forwarders on stop, ms. */
export const FORWARDERS_STOP_MS = 10_000;

const COUNTERS = ["received", "emitted", "processed", "filtered", "held", "errors", "exported", "overloaded", "invalidInput"] as const;

class AppServiceComponent implements ServiceComponent {
  private readonly outbox: SqliteOutbox;
  private readonly forwarders: ForwarderPool;
  private readonly profiles: ProfileCache | undefined;
  private readonly jetstream: JetStreamSource | undefined;
  private readonly loader: LoaderOptions;
  private readonly manager: PipelineManager;

  constructor(private readonly ctx: ServiceContext<AppServiceConfig>) {
    const { config, logger, bus, metrics } = ctx;
    const { custom } = config;
    this.outbox = new SqliteOutbox({
      dataDir: config.dataDir,
      defaultLimits: { maxBytes: custom.outbox.maxBytes, maxAgeMs: custom.outbox.maxAgeMs, dropPolicy: custom.outbox.dropPolicy },
      logger,
      registry: metrics,
    });
    this.forwarders = new ForwarderPool({ outbox: this.outbox, logger, registry: metrics });
    const secrets = new SecretStore({ dataDir: config.dataDir, ...(custom.secrets.dir === "" ? {} : { dir: custom.secrets.dir }) });
    const profiles = custom.profiles.fromMetadata ? new ProfileCache(MetadataClient.fromConfig(config), bus, logger) : undefined;
    this.profiles = profiles;
    const env: FunctionEnvironment = {
      logger,
      dataDir: config.dataDir,
      secret: (name) => secrets.get(name),
      outbox: this.outbox,
      ...(profiles === undefined ? {} : { profileResource: (profile: string, resource: string) => profiles.lookup(profile, resource) }),
    };
    const exports = new ExportBindings();
    this.loader = { registry: exports.registry, env };

    if (custom.jetstream.enabled && bus.kind === "nats") {
      const url = custom.jetstream.url !== "" ? custom.jetstream.url : (process.env.BRINK_BUS_URL ?? DEFAULT_NATS_URL);
      this.jetstream = new JetStreamSource(
        {
          servers: url.split(",").map((s) => s.trim()).filter((s) => s !== ""),
          token: process.env.BRINK_BUS_TOKEN,
          stream: custom.jetstream.stream,
          maxAgeMs: custom.jetstream.maxAgeMs,
          maxBytes: custom.jetstream.maxBytes,
          ackWaitMs: custom.jetstream.ackWaitMs,
          maxAckPending: custom.jetstream.maxAckPending,
          deliverPolicy: custom.jetstream.deliverPolicy,
        },
        logger,
      );
    } else if (custom.jetstream.enabled) {
      logger.warn({ bus: bus.kind }, "jetstream.enabled needs the NATS bus; reading events from the in-process bus instead");
    }
    const jetstream = this.jetstream;
    const inputOf = (pipeline: string, patterns: readonly string[], deliver: Deliver): PipelineInput =>
      jetstream !== undefined ? jetstream.input(pipeline, patterns, deliver) : new BusInput(bus, pipeline, patterns, deliver);

    this.manager = new PipelineManager({
      loader: this.loader,
      store: new PipelineStore(config.dataDir),
      logger,
      file: custom.pipelines.file === "" ? undefined : custom.pipelines.file,
      maxPipelines: custom.pipelines.maxPipelines,
      maxInFlight: custom.pipelines.maxInFlight,
      exports,
      forwarders: this.forwarders,
      outbox: this.outbox,
      inputOf,
      beforeStart: (compiled: CompiledPipeline) => (profiles !== undefined && compiled.definition.functions.some((f) => f.name === "RangeCheck") ? profiles.load() : Promise.resolve()),
    });

    const manager = this.manager;
    new Gauge({
      name: "brink_app_pipeline_messages",
      help: "Messages of each pipeline since it started, by counter (received, processed, filtered, errors, exported, ...).",
      labelNames: ["pipeline", "counter"],
      registers: [metrics],
      collect() {
        this.reset();
        for (const p of manager.list()) {
          for (const counter of COUNTERS) this.set({ pipeline: p.definition.name, counter }, p.status[counter]);
        }
      },
    });
  }

  routes(router: Router): void {
    pipelineRoutes(router, this.manager, this.loader);
    triggerRoutes(router, this.manager, this.ctx.config.custom.trigger.httpWaitMs);
    deadLetterRoutes(router, this.outbox);
  }

  async start(): Promise<void> {
    this.outbox.start();
    await this.jetstream?.start();
    await this.manager.start();
  }

  async stop(): Promise<void> {
    // Inputs stop first; pipelines then flush what they hold into the outbox; forwarders get their last acks.
    await this.manager.stop();
    // A forwarder that does not stop in time must not hold the service: what it had not acknowledged stays queued.
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.forwarders.stop().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), FORWARDERS_STOP_MS))),
    ]);
    clearTimeout(timer);
    if (!stopped) this.ctx.logger.warn({ waitedMs: FORWARDERS_STOP_MS }, "export forwarders did not stop in time; closing the outbox anyway (unacknowledged messages stay queued)");
    this.outbox.stop();
    await this.jetstream?.stop();
    this.profiles?.stop();
  }
}

/** The `app-service` service definition (EdgeX port 59700). */
export const appService: ServiceDefinition<AppServiceConfig> = {
  name: "app-service",
  version: VERSION,
  defaultPort: APP_SERVICE_PORT,
  configSchema: APP_SERVICE_CONFIG_SCHEMA,
  create: (ctx) => new AppServiceComponent(ctx),
};
