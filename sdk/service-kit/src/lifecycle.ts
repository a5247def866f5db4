/**
 * Starting a service (config, logger, metrics, component, HTTP server, component start) and stopping services in
 * reverse order on SIGTERM/SIGINT with a deadline.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { loadConfig } from "./config.js";
import { ServiceKitErrorCode } from "./errors.js";
import { createApp } from "./http/app.js";
import { createLogger, serviceLogger } from "./logger.js";
import { createServiceMetrics } from "./metrics.js";
import type { RunningService, ServiceComponent, ServiceContext, ServiceDefinition, StartServiceFn, StartServiceOptions } from "./types.js";

/** How long a graceful stop waits for open connections before closing them, ms. */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/**
 * Starts one service: loads its config, makes its logger and metrics registry, creates its component, serves the
 * common routes and the component's routes on `service.host:service.port` (port 0 picks a free port), then calls
 * `component.start()`. When start fails, the component is stopped (forced), the server closed and the error rethrown.
 */
export const startService: StartServiceFn = async <C>(def: ServiceDefinition<C>, options: StartServiceOptions): Promise<RunningService> => {
  const config = loadConfig<C>(def, options);
  const logger = serviceLogger(options.logger ?? createLogger({ level: config.service.logLevel }), def.name, config.service.logLevel);
  const metrics = createServiceMetrics();
  const ctx: ServiceContext<C> = { name: def.name, version: def.version, config, logger, bus: options.bus, metrics: metrics.registry };
  const component: ServiceComponent = await def.create(ctx);
  const app = createApp({ name: def.name, version: def.version, config, logger, metrics, routes: component.routes?.bind(component), publicRoutes: component.publicRoutes?.bind(component) });
  const server = createServer(app);
  const port = await listen(server, config.service.host, config.service.port);
  const url = `http://${urlHost(config.service.host)}:${port}`;
  try {
    await component.start?.({ url, port });
  } catch (err) {
    // Undo whatever start() opened before it failed, then free the port.
    await Promise.resolve(component.stop?.({ force: true })).catch((stopErr: unknown) => logger.warn({ err: stopErr }, "stop after failed start failed"));
    await closeServer(server, 0);
    throw err;
  }
  logger.info({ url, version: def.version }, `${def.name} started`);

  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { force?: boolean } = {}): Promise<void> => {
    const force = stopOptions.force ?? false;
    if (stopping) {
      if (force) server.closeAllConnections();
      return stopping;
    }
    stopping = (async () => {
      let failure: unknown;
      try {
        await component.stop?.({ force });
      } catch (err) {
        failure = err;
        logger.error({ err }, `${def.name} component failed to stop`);
      }
      await closeServer(server, force ? 0 : DEFAULT_STOP_DEADLINE_MS);
      logger.info(`${def.name} stopped`);
      if (failure !== undefined) throw failure;
    })();
    return stopping;
  };
  return { name: def.name, port, url, stop };
};

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      reject(
        new ServiceError(ErrorKind.ServiceUnavailable, ServiceKitErrorCode.ListenFailed, `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
          details: { host, port },
          cause: err,
        }),
      );
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/** Stops accepting, closes idle keep-alive connections, and closes the rest after `deadlineMs`. */
function closeServer(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
    if (deadlineMs === 0) server.closeAllConnections();
  });
}

/** Options of {@link stopAll} and {@link runUntilSignal}. */
export interface StopAllOptions {
  readonly logger: Logger;
  /** Time for all services together to stop gracefully; past it they are stopped with `force`. @default 10000 */
  readonly deadlineMs?: number;
}

/**
 * Stops services in reverse order within one deadline. A service still stopping when the deadline passes is stopped
 * with `force`. Resolves true when every service stopped cleanly in time.
 */
export async function stopAll(services: readonly RunningService[], options: StopAllOptions): Promise<boolean> {
  const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS);
  let ok = true;
  for (const service of [...services].reverse()) {
    const remaining = Math.max(0, deadline - Date.now());
    const stopping = service.stop();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), remaining);
    });
    try {
      const outcome = await Promise.race([stopping.then(() => "stopped" as const), expired]);
      if (outcome === "expired") {
        ok = false;
        const error = new ServiceError(ErrorKind.Timeout, ServiceKitErrorCode.ShutdownTimeout, `${service.name} did not stop in time; forcing`);
        options.logger.warn({ code: error.code, service: service.name }, error.message);
        await service.stop({ force: true }).catch(() => undefined);
      }
    } catch (err) {
      ok = false;
      options.logger.error({ err, service: service.name }, `${service.name} failed to stop`);
    } finally {
      clearTimeout(timer);
    }
  }
  return ok;
}

/** Options of {@link runUntilSignal}. */
export interface RunUntilSignalOptions extends StopAllOptions {
  /** Signals that start the shutdown. @default ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called with the exit code once all services stopped (tests replace it). @default process.exit */
  readonly exit?: (code: number) => void;
  /** Runs after every service stopped and before exit, such as closing the bus; a failure makes the exit code 1. */
  readonly onStopped?: () => void | Promise<void>;
}

/**
 * On SIGTERM or SIGINT, stops the services in reverse order within the deadline, runs `onStopped`, and exits 0 (1
 * when a stop or the hook failed, or a stop ran out of time). A second signal during shutdown exits 1 at once. Returns a function that removes the handlers.
 */
export function runUntilSignal(services: readonly RunningService[], options: RunUntilSignalOptions): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.logger.warn({ signal }, "second signal during shutdown; exiting now");
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger.info({ signal }, "shutting down");
    const shutdown = async (): Promise<boolean> => {
      let ok = await stopAll(services, options);
      try {
        await options.onStopped?.();
      } catch (err) {
        ok = false;
        options.logger.error({ err }, "shutdown hook failed");
      }
      return ok;
    };
    void shutdown().then(
      (ok) => exit(ok ? 0 : 1),
      () => exit(1),
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
