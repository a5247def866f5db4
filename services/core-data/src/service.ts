/**
 * The core-data service definition: EdgeX v3 core-data on port 59880. Stores the events device services publish on
 * the bus (and those POSTed over REST) in SQLite, and serves them over the EdgeX REST API.
 */
import type { Router } from "express";
import { Counter } from "prom-client";
import { ErrorCode, ValidationError } from "@brink/contracts";
import type { ServiceComponent, ServiceContext, ServiceDefinition } from "@brink/service-kit";
import { BusIngest, DropReason } from "./ingest.js";
import { JETSTREAM_INGEST_SCHEMA, JetStreamIngest, NATS_ENDPOINT_SCHEMA, type JetStreamIngestConfig, type NatsEndpoint } from "./jetstream-ingest.js";
import { eventRoutes } from "./routes/event-routes.js";
import { DEFAULT_MAX_RESULT_COUNT } from "./routes/params.js";
import { readingRoutes } from "./routes/reading-routes.js";
import { CoreDataErrorCode } from "./errors.js";
import { DEFAULT_BATCH_READINGS, DEFAULT_FLUSH_INTERVAL_MS, EventStore, type CommitResult, type RetentionResult } from "./store/event-store.js";
import { VERSION } from "./version.js";

/** EdgeX's default port of core-data. */
export const CORE_DATA_PORT = 59880;
/** Time between retention passes by default, ms. */
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
/** Most readings kept by default (about 170 MB of database). */
export const DEFAULT_RETENTION_MAX_COUNT = 1_000_000;

/** core-data's own config sections (env `BRINK_CORE_DATA_<SECTION>_<KEY>` or as the service kit names them). */
export interface CoreDataConfig {
  writable: {
    /** Store events; when false they are validated (and REST ones republished) but not kept. @default true */
    persistData: boolean;
  };
  retention: {
    /** Run retention on a timer. @default true */
    enabled: boolean;
    /** Time between retention passes, ms. @default 60000 */
    intervalMs: number;
    /** Delete events and readings older than this, ms; 0 keeps them whatever their age. @default 0 */
    maxAgeMs: number;
    /** Keep at most this many readings (the oldest go first); 0 for no limit. @default 1000000 */
    maxCount: number;
  };
  ingest: {
    /** Readings queued before a commit is forced. @default 1000 */
    batchSize: number;
    /** Longest wait between queuing an event and its commit, ms; 0 commits on the next event-loop turn. @default 5 */
    flushIntervalMs: number;
    /** Durable ingest through a JetStream consumer (off by default: plain bus subscription). */
    jetstream: JetStreamIngestConfig;
  };
  /** NATS for JetStream ingest (BRINK_BUS_URL, BRINK_BUS_TOKEN). */
  bus: NatsEndpoint;
  query: {
    /** Most items in one list answer; `limit=-1` means this many (EdgeX MaxResultCount). @default 1024 */
    maxResultCount: number;
  };
}

const int = (minimum: number, def: number, description: string): Record<string, unknown> => ({ type: "integer", minimum, default: def, description });

/** JSON schema of {@link CoreDataConfig}. */
export const CORE_DATA_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    writable: {
      type: "object",
      additionalProperties: false,
      description: "Settings EdgeX keeps under Writable.",
      properties: {
        persistData: { type: "boolean", default: true, description: "Store events; when false they are validated (and REST ones republished) but not kept." },
      },
    },
    retention: {
      type: "object",
      additionalProperties: false,
      description: "Deleting old readings so the database stays bounded.",
      properties: {
        enabled: { type: "boolean", default: true, description: "Run retention on a timer." },
        intervalMs: int(1, DEFAULT_RETENTION_INTERVAL_MS, "Time between retention passes, ms."),
        maxAgeMs: int(0, 0, "Delete events and readings whose origin is older than this, ms; 0 keeps them whatever their age."),
        maxCount: int(0, DEFAULT_RETENTION_MAX_COUNT, "Keep at most this many readings, deleting the oldest first; 0 for no limit."),
      },
    },
    ingest: {
      type: "object",
      additionalProperties: false,
      description: "Batching of database writes.",
      properties: {
        batchSize: int(1, DEFAULT_BATCH_READINGS, "Readings queued before a commit is forced."),
        flushIntervalMs: int(0, DEFAULT_FLUSH_INTERVAL_MS, "Longest wait between queuing an event and its commit, ms; 0 commits on the next event-loop turn."),
        jetstream: JETSTREAM_INGEST_SCHEMA,
      },
    },
    query: {
      type: "object",
      additionalProperties: false,
      description: "Limits of REST queries.",
      properties: {
        maxResultCount: int(1, DEFAULT_MAX_RESULT_COUNT, "Most items in one list answer; limit=-1 asks for this many (EdgeX MaxResultCount)."),
      },
    },
    bus: NATS_ENDPOINT_SCHEMA,
  },
} as const;

/** The running core-data: opens the store and subscribes to device events on start; undoes both on stop. */
class CoreDataComponent implements ServiceComponent {
  private readonly store: EventStore;
  private readonly ingest: BusIngest;
  private readonly durableIngest: JetStreamIngest | undefined;
  private readonly eventsStored: Counter;
  private readonly readingsStored: Counter;

  constructor(private readonly ctx: ServiceContext<CoreDataConfig>) {
    const { custom } = ctx.config;
    const registers = [ctx.metrics];
    this.eventsStored = new Counter({ name: "brink_core_data_events_stored_total", help: "Events committed to the database.", registers });
    this.readingsStored = new Counter({ name: "brink_core_data_readings_stored_total", help: "Readings committed to the database.", registers });
    const dropped = new Counter<"reason">({
      name: "brink_core_data_events_dropped_total",
      help: "Events taken off the bus but not stored, by reason (invalid, duplicate, write_failed, unavailable).",
      labelNames: ["reason"],
      registers,
    });
    this.store = new EventStore({
      dataDir: ctx.config.dataDir,
      batchSize: custom.ingest.batchSize,
      flushIntervalMs: custom.ingest.flushIntervalMs,
      retention: custom.retention,
      onCommit: (result) => this.onCommit(result),
      onRetention: (result) => this.onRetention(result),
      onBackgroundError: (err) => ctx.logger.error({ err, code: err.code }, "event store background work failed"),
    });
    this.ingest = new BusIngest({ bus: ctx.bus, store: this.store, logger: ctx.logger, dropped, persistData: custom.writable.persistData });
    if (custom.ingest.jetstream.enabled) {
      const redelivered = new Counter({ name: "brink_core_data_jetstream_redelivered_total", help: "JetStream messages whose event was already stored (redeliveries).", registers });
      this.durableIngest = new JetStreamIngest({
        config: custom.ingest.jetstream,
        endpoint: custom.bus,
        store: this.store,
        logger: ctx.logger,
        drop: (where, reason, err) => this.ingest.drop(where, reason, err),
        redelivered,
        persistData: custom.writable.persistData,
      });
    }
  }

  routes(router: Router): void {
    const routeContext = {
      store: this.store,
      bus: this.ctx.bus,
      logger: this.ctx.logger,
      persistData: this.ctx.config.custom.writable.persistData,
      maxResultCount: this.ctx.config.custom.query.maxResultCount,
    };
    eventRoutes(router, routeContext);
    readingRoutes(router, routeContext);
  }

  async start(): Promise<void> {
    this.store.open();
    this.ctx.logger.info({ file: this.store.file }, "event store open");
    if (this.durableIngest === undefined) {
      this.ingest.start();
      return;
    }
    // A failed start is followed by stop(), which closes the store.
    if (this.ctx.bus.kind !== "nats") {
      throw new ValidationError(ErrorCode.ConfigInvalid, "config of core-data", [{ path: "ingest.jetstream.enabled", message: "needs the NATS bus (brink run); the in-process bus has no JetStream" }]);
    }
    await this.durableIngest.start();
  }

  async stop(): Promise<void> {
    this.ingest.stop();
    await this.durableIngest?.stop();
    await this.store.close();
  }

  private onCommit(result: CommitResult): void {
    if (result.events > 0) this.eventsStored.inc(result.events);
    if (result.readings > 0) this.readingsStored.inc(result.readings);
    for (const { event, error, awaited } of result.rejected) {
      if (awaited) continue;
      const reason = error.code === CoreDataErrorCode.EventDuplicate ? DropReason.Duplicate : DropReason.WriteFailed;
      this.ingest.drop({ eventId: event.id, deviceName: event.deviceName }, reason, error);
    }
  }

  private onRetention({ byAge, byCount }: RetentionResult): void {
    const events = byAge.events + byCount.events;
    const readings = byAge.readings + byCount.readings;
    if (events + readings > 0) this.ctx.logger.info({ byAge, byCount }, `retention deleted ${events} events and ${readings} readings`);
  }
}

/** The `core-data` service definition (EdgeX service key and port 59880). */
export const coreDataService: ServiceDefinition<CoreDataConfig> = {
  name: "core-data",
  version: VERSION,
  defaultPort: CORE_DATA_PORT,
  configSchema: CORE_DATA_CONFIG_SCHEMA,
  create: (ctx) => new CoreDataComponent(ctx),
};
