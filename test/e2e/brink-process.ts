/**
 * Starts the compiled `brink` command as a user would (node services/brink/bin/brink.js ...), on free loopback ports
 * and a temporary data directory. The e2e tests need `npm run build` first; `npm test` does it.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startProcess, waitFor, httpJson } from "../harness/index.js";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const BRINK_BIN = join(REPO_ROOT, "services/brink/bin/brink.js");
/**
 * Node flags of the `brink` command, as its shebang passes them (bin/brink.js): tests and benchmarks start it with
 * `node <flags> brink.js` so they run what users run.
 */
export const BRINK_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
/** The environment the launcher's shebang sets (services/brink/bin/brink.js). */
export const BRINK_LAUNCHER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/** Env var name of a service's port: core-data -> BRINK_CORE_DATA_SERVICE_PORT. */
export function portEnv(service: string): string {
  return `BRINK_${service.toUpperCase().replace(/-/g, "_")}_SERVICE_PORT`;
}

export interface Ports {
  [service: string]: number;
}

/** Picks a free port for each service and returns them with the env that assigns them and the client URLs. */
export async function portsFor(services: readonly string[]): Promise<{ ports: Ports; env: Record<string, string> }> {
  const ports: Ports = {};
  const env: Record<string, string> = {};
  for (const s of services) {
    ports[s] = await freePort();
    env[portEnv(s)] = String(ports[s]);
  }
  if (ports["core-metadata"]) env.BRINK_CLIENTS_CORE_METADATA_URL = `http://127.0.0.1:${ports["core-metadata"]}`;
  if (ports["core-data"]) env.BRINK_CLIENTS_CORE_DATA_URL = `http://127.0.0.1:${ports["core-data"]}`;
  if (ports["core-command"]) env.BRINK_CLIENTS_CORE_COMMAND_URL = `http://127.0.0.1:${ports["core-command"]}`;
  return { ports, env };
}

export function tempDataDir(prefix = "brink-e2e-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawns `brink <args>`; ready when `readyPort` accepts connections. */
export async function startBrink(args: string[], env: Record<string, string>, readyPort: number, name = `brink ${args.join(" ")}`) {
  if (!existsSync(join(REPO_ROOT, "services/brink/dist/cli.js"))) {
    throw new Error("services/brink/dist/cli.js is missing: run `npm run build` before the e2e tests (npm test does)");
  }
  return startProcess({
    name,
    cmd: process.execPath,
    args: [...BRINK_NODE_FLAGS, BRINK_BIN, ...args],
    env: { ...process.env, ...BRINK_LAUNCHER_ENV, BRINK_LOG_LEVEL: "warn", ...env },
    cwd: REPO_ROOT,
    readyWhen: { port: readyPort },
    timeoutMs: 20_000,
  });
}

/** Waits until GET /api/v3/ping answers 200 on every port. */
export async function waitForPings(ports: Ports, timeoutMs = 15_000): Promise<void> {
  for (const [service, port] of Object.entries(ports)) {
    await waitFor(
      async () => {
        try {
          return (await httpJson("GET", `http://127.0.0.1:${port}/api/v3/ping`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs, intervalMs: 50, message: `${service} did not answer ping on ${port}` },
    );
  }
}
