/**
 * A real mosquitto broker for tests, on a free port of 127.0.0.1, optionally with TLS (a throwaway CA and
 * certificates made with openssl) and with persistence (for outage tests whose subscribers keep their session).
 *
 * The config sets `max_queued_messages 0`: mosquitto's default (1000) silently drops QoS 1 messages for a
 * subscriber that falls behind, which would break every test that counts messages.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { requireBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startProcess, type ProcessHandle } from "./process.js";
import { makeTestCerts } from "./tls.js";

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /** @default a free port */
  port?: number;
  /** A TLS listener instead of plain TCP; `requireClientCertificate` also asks clients for a certificate. @default false */
  tls?: boolean | { requireClientCertificate?: boolean };
  /** Keep sessions and queued messages across `restart()` (`persistence true` in a temporary directory). @default false */
  persistence?: boolean;
  /** More config lines. */
  extraConfig?: readonly string[];
  /** How long to wait for the port, ms. @default 10000 */
  timeoutMs?: number;
}

/** The PEM files of a TLS broker. */
export interface MosquittoCerts {
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  /** A client certificate and key signed by the CA. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** A running mosquitto. */
export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://localhost:<port>` with TLS (the certificate names localhost and 127.0.0.1). */
  readonly url: string;
  readonly port: number;
  /** The directory of the config, certificates and persistence file. */
  readonly dir: string;
  /** With TLS: the CA and a client certificate. */
  readonly certs: MosquittoCerts | undefined;
  /** Captured output of the current broker process. */
  output(): string;
  process(): ProcessHandle;
  /** Stops the broker and removes its directory. */
  stop(): Promise<void>;
  /** Stops the broker (SIGTERM: a persistent broker saves its state), keeping its directory; `start()` brings it back. */
  pause(): Promise<void>;
  /** Starts it again on the same port after `pause()`. */
  start(): Promise<void>;
  /** `pause()` then `start()`, same port. */
  restart(): Promise<void>;
}

/**
 * Starts `mosquitto -c <config>` and resolves when its port accepts connections. Throws, naming the Debian
 * package, when mosquitto (or openssl, for TLS) is not installed.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const cmd = requireBinary("mosquitto", "mosquitto");
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), "brink-mosquitto-"));
  const tls = options.tls === undefined || options.tls === false ? undefined : options.tls === true ? {} : options.tls;
  const lines = [
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "max_queued_messages 0",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
  ];
  // Run as root, mosquitto would switch to the "mosquitto" user, who cannot read this directory.
  lines.push(`user ${os.userInfo().username}`);
  if (options.persistence) lines.push("persistence true", `persistence_location ${dir}${path.sep}`, "autosave_interval 0");
  else lines.push("persistence false");
  let certs: MosquittoCerts | undefined;
  if (tls !== undefined) {
    const made = makeTestCerts(dir);
    certs = { caFile: made.caFile, clientCertFile: made.clientCertFile, clientKeyFile: made.clientKeyFile };
    lines.push(`cafile ${made.caFile}`, `certfile ${made.serverCertFile}`, `keyfile ${made.serverKeyFile}`, `require_certificate ${tls.requireClientCertificate ? "true" : "false"}`);
  }
  lines.push(...(options.extraConfig ?? []));
  const config = path.join(dir, "mosquitto.conf");
  writeFileSync(config, `${lines.join("\n")}\n`);

  const launch = (): Promise<ProcessHandle> =>
    startProcess({ cmd, args: ["-c", config], name: `mosquitto:${port}`, readyWhen: { port }, timeoutMs: options.timeoutMs ?? 10_000 });
  let current: ProcessHandle;
  try {
    current = await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const pause = async (): Promise<void> => {
    await current.stop("SIGTERM");
  };
  const start = async (): Promise<void> => {
    if (current.running()) return;
    current = await launch();
  };
  return {
    url: tls === undefined ? `mqtt://127.0.0.1:${port}` : `mqtts://localhost:${port}`,
    port,
    dir,
    certs,
    output: () => current.output(),
    process: () => current,
    stop: async () => {
      await pause();
      rmSync(dir, { recursive: true, force: true });
    },
    pause,
    start,
    restart: async () => {
      await pause();
      await start();
    },
  };
}
