/**
 * The service-kit contract: how a Brink service is described, what it is given, and how it is run.
 * The same ServiceDefinition runs embedded (`brink start`, InProcessBus) and distributed (`brink run`, NatsBus).
 */
import type { Router } from "express";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { MessageBus } from "@brink/bus";

/**
 * A JSON Schema (draft 2020-12 subset, as Ajv takes it) for a service's own config section. Every property must
 * have a `description` and a `default`, so the effective config is complete and self-documenting.
 */
export type ConfigSchema = Record<string, unknown>;

/** Keys every service has, under `service:` in its YAML (env: BRINK_SERVICE_<KEY>). */
export interface CommonServiceConfig {
  /** Listen address. @default "127.0.0.1" */
  host: string;
  /** HTTP port. @default the service's EdgeX port */
  port: number;
  /** Largest accepted request body, bytes. @default 4_194_304 */
  maxBodyBytes: number;
  /** Timeout for outgoing HTTP and bus requests, ms. @default 5000 */
  requestTimeoutMs: number;
  /** Log level. @default "info" */
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
}

/** Where to reach the core services over HTTP (env: BRINK_CLIENTS_CORE_METADATA_URL, ...). */
export interface ClientsConfig {
  coreMetadataUrl: string;
  coreDataUrl: string;
  coreCommandUrl: string;
}

/** The effective, validated and frozen config a service receives. `custom` is the service's own section. */
export interface ServiceConfig<C = Record<string, unknown>> {
  readonly service: Readonly<CommonServiceConfig>;
  readonly clients: Readonly<ClientsConfig>;
  /** Root of this service's persistent files (BRINK_DATA_DIR, default ./data). */
  readonly dataDir: string;
  /** Bearer token required on every route but ping, when set (BRINK_API_TOKEN). */
  readonly apiToken: string | undefined;
  readonly custom: Readonly<C>;
}

/** What a service is given when it is created. Constructors only store these; `start()` does I/O. */
export interface ServiceContext<C = Record<string, unknown>> {
  readonly name: string;
  readonly version: string;
  readonly config: ServiceConfig<C>;
  readonly logger: Logger;
  readonly bus: MessageBus;
  readonly metrics: Registry;
}

/** Where a started service's HTTP server listens. */
export interface ListeningAddress {
  /** `http://host:port`, with the bound port. */
  readonly url: string;
  readonly port: number;
}

/** The running part of a service, returned by {@link ServiceDefinition.create}. */
export interface ServiceComponent {
  /** Mounts the service's own routes (under /api/v3/...). The kit adds ping, version, config, metrics first. */
  routes?(router: Router): void;
  /**
   * Routes open without the bearer token, mounted before auth and body parsing: only for content that holds no
   * secret, such as the static files of a web UI that then asks for the token.
   */
  publicRoutes?(router: Router): void;
  /**
   * I/O happens here: open stores, subscribe, register. Called after the HTTP server listens, with the address it
   * bound (the real port when config asked for port 0).
   */
  start?(listening: ListeningAddress): Promise<void>;
  /** Undo start; `force` skips waiting for in-flight work. */
  stop?(options: { force: boolean }): Promise<void>;
}

/** Describes one service. */
export interface ServiceDefinition<C = Record<string, unknown>> {
  /** EdgeX service key, such as `core-data`. */
  readonly name: string;
  readonly version: string;
  /** EdgeX default port, such as 59880. */
  readonly defaultPort: number;
  /** Schema of the service's own config section (`custom` in ServiceConfig). */
  readonly configSchema?: ConfigSchema;
  create(ctx: ServiceContext<C>): ServiceComponent | Promise<ServiceComponent>;
}

/** A started service. */
export interface RunningService {
  readonly name: string;
  /** Actual port (differs from config when config asked for 0). */
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  stop(options?: { force?: boolean }): Promise<void>;
}

/** Options for {@link StartServiceFn}. */
export interface StartServiceOptions {
  bus: MessageBus;
  /** Environment to read BRINK_* overrides from. @default process.env */
  env?: Record<string, string | undefined>;
  /** A YAML config file; missing file is an error only when given explicitly. */
  configFile?: string;
  /** Overrides applied after env (tests use these, e.g. `{ service: { port: 0 } }`). */
  overrides?: Record<string, unknown>;
  /** Parent logger; the service logs through a child named after it. */
  logger?: Logger;
}

/** Starts one service: config, logger, express app with common routes, listen, component start. */
export type StartServiceFn = <C>(def: ServiceDefinition<C>, options: StartServiceOptions) => Promise<RunningService>;
