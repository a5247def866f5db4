/**
 * Runs services: all of them in one process on the in-process bus (`brink start`), or one alone on NATS
 * (`brink run <service>`). Both use the same service definitions; only the bus and client URLs differ.
 */
import { InProcessBus, NatsBus, type MessageBus } from "@brink/bus";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import type { Logger } from "pino";
import { BrinkErrorCode } from "./errors.js";
import { EMBEDDED_ORDER, SERVICE_LOADERS, serviceNames } from "./registry.js";

/** A set of running services and the bus they share. */
export interface Runtime {
  readonly bus: MessageBus;
  readonly services: readonly RunningService[];
  readonly logger: Logger;
  /** Stops services in reverse start order, then closes the bus. */
  stop(options?: { force?: boolean }): Promise<void>;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

const CLIENT_URL_KEYS: Readonly<Record<string, string>> = {
  "core-metadata": "coreMetadataUrl",
  "core-data": "coreDataUrl",
  "core-command": "coreCommandUrl",
};

function rootLogger(env: Record<string, string | undefined>): Logger {
  return createLogger({ name: "brink", level: (env.BRINK_LOG_LEVEL as "info" | undefined) ?? "info" });
}

function unknownService(name: string): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, BrinkErrorCode.UnknownService, `unknown service "${name}"; known: ${serviceNames().join(", ")}`);
}

async function startInOrder(names: readonly string[], bus: MessageBus, env: Record<string, string | undefined>, logger: Logger): Promise<RunningService[]> {
  const started: RunningService[] = [];
  const clients: Record<string, string> = {};
  try {
    for (const name of names) {
      const load = SERVICE_LOADERS[name];
      if (!load) throw unknownService(name);
      const definition = await load();
      const service = await startService(definition, { bus, env, logger, overrides: { clients: { ...clients } } });
      started.push(service);
      const key = CLIENT_URL_KEYS[name];
      // In one process the services find each other at the ports they actually bound.
      if (key) clients[key] = service.url;
    }
    return started;
  } catch (err) {
    for (const service of started.reverse()) await service.stop({ force: true }).catch(() => undefined);
    throw err;
  }
}

function runtimeOf(bus: MessageBus, services: RunningService[], logger: Logger): Runtime {
  let stopping: Promise<void> | undefined;
  return {
    bus,
    services,
    logger,
    stop(options) {
      stopping ??= (async () => {
        for (const service of [...services].reverse()) {
          await service.stop(options).catch((err: unknown) => logger.error({ err, service: service.name }, "stop failed"));
        }
        await bus.close();
      })();
      return stopping;
    },
  };
}

/** `brink start`: every service in one process on the in-process bus. */
export async function startEmbedded(options: RunOptions & { services?: readonly string[] } = {}): Promise<Runtime> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? rootLogger(env);
  const bus = new InProcessBus();
  await bus.connect();
  const services = await startInOrder(options.services ?? EMBEDDED_ORDER, bus, env, logger);
  return runtimeOf(bus, services, logger);
}

/** `brink run <service>`: one service on NATS at BRINK_BUS_URL (default nats://127.0.0.1:4222). */
export async function runDistributed(name: string, options: RunOptions = {}): Promise<Runtime> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? rootLogger(env);
  // An unknown name fails before the bus is awaited (a NATS server that is not up would be waited for).
  if (!SERVICE_LOADERS[name]) throw unknownService(name);
  const servers = (env.BRINK_BUS_URL ?? "nats://127.0.0.1:4222").split(",").map((s) => s.trim());
  const bus = new NatsBus({ servers, name, token: env.BRINK_BUS_TOKEN, logger });
  await bus.connect();
  try {
    const services = await startInOrder([name], bus, env, logger);
    return runtimeOf(bus, services, logger);
  } catch (err) {
    await bus.close();
    throw err;
  }
}
