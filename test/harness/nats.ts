/**
 * A real nats-server for tests, on a free port of 127.0.0.1, optionally with JetStream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { requireBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startProcess, type ProcessHandle } from "./process.js";

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** @default a free port */
  port?: number;
  /** Enables JetStream (`-js`). @default false */
  jetstream?: boolean;
  /** JetStream store directory (`-sd`). @default a temporary directory, removed by `stop()` */
  storeDir?: string;
  /** A server config file (`-c`). */
  configFile?: string;
  /** More command-line arguments. */
  args?: readonly string[];
  /** Added to the server's environment (a config file may read variables). */
  env?: Readonly<Record<string, string>>;
  /** How long to wait for the port, ms. @default 10000 */
  timeoutMs?: number;
}

/** A running nats-server. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory, when JetStream is on. */
  readonly storeDir: string | undefined;
  /** The current server process. */
  process(): ProcessHandle;
  /** Captured output of the current server process. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes a store directory the harness created. */
  stop(): Promise<void>;
  /** Stops the server without removing anything, for outage tests; `start()` brings it back on the same port. */
  pause(): Promise<void>;
  /** Starts it again on the same port and store after `pause()` (or a crash). */
  start(): Promise<void>;
  /** `pause()` then `start()`: same port, same JetStream store. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash; `start()` brings it back. */
  kill9(): Promise<void>;
}

/**
 * Starts `nats-server -a 127.0.0.1 -p PORT` (plus `-js -sd DIR` for JetStream) and resolves when the port accepts
 * connections. Throws, naming the Debian package, when nats-server is not installed.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const cmd = requireBinary("nats-server", "nats-server");
  const port = options.port ?? (await freePort());
  const ownStore = options.jetstream === true && options.storeDir === undefined;
  const storeDir = options.jetstream ? (options.storeDir ?? mkdtempSync(path.join(os.tmpdir(), "brink-nats-js-"))) : undefined;
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (options.configFile !== undefined) args.push("-c", options.configFile);
  if (storeDir !== undefined) args.push("-js", "-sd", storeDir);
  args.push(...(options.args ?? []));

  const launch = (): Promise<ProcessHandle> =>
    startProcess({
      cmd, args, name: `nats-server:${port}`, readyWhen: { port }, timeoutMs: options.timeoutMs ?? 10_000, ...(options.env === undefined ? {} : { env: { ...options.env } }),
    });
  let current = await launch();

  const pause = async (): Promise<void> => {
    await current.stop("SIGTERM");
  };
  const start = async (): Promise<void> => {
    if (current.running()) return;
    current = await launch();
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: () => current,
    output: () => current.output(),
    stop: async () => {
      await pause();
      if (ownStore && storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
    },
    pause,
    start,
    restart: async () => {
      await pause();
      await start();
    },
    kill9: async () => {
      await current.kill9();
    },
  };
}
