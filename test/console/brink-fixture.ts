/**
 * `brink start` as a user runs it, with the console, on free loopback ports and a temporary data directory, for the
 * console's browser and CLI tests. Runs the compiled command: `npm run build` first (npm test does it).
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { EMBEDDED_ORDER } from "@brink/brink";
import { BRINK_BIN, REPO_ROOT, portsFor, startBrink, tempDataDir, waitForPings, type Ports } from "../e2e/brink-process.js";

/** A running Brink with its console. */
export interface BrinkWithConsole {
  readonly ports: Ports;
  /** `http://127.0.0.1:<console port>` */
  readonly consoleUrl: string;
  /** `http://127.0.0.1:<port>` of a service. */
  url(service: string): string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `brink start` (every service of EMBEDDED_ORDER, the console last); `token` sets BRINK_API_TOKEN. */
export async function startBrinkWithConsole(options: { token?: string } = {}): Promise<BrinkWithConsole> {
  const { ports, env } = await portsFor(EMBEDDED_ORDER);
  const dataDir = tempDataDir("brink-console-e2e-");
  env.BRINK_DATA_DIR = dataDir;
  if (options.token) env.BRINK_API_TOKEN = options.token;
  // Services the console panels ask for, when brink start runs them, are at the ports the test gave them.
  if (ports["app-service"]) env.BRINK_CONSOLE_APP_SERVICE_URL = `http://127.0.0.1:${ports["app-service"]}`;
  if (ports["rules-engine"]) env.BRINK_CONSOLE_RULES_ENGINE_URL = `http://127.0.0.1:${ports["rules-engine"]}`;
  const brink = await startBrink(["start"], env, ports.console!, "brink start (console tests)");
  try {
    await waitForPings(ports, 20_000);
  } catch (err) {
    await brink.stop();
    throw new Error(`brink start did not come up: ${(err as Error).message}\n${brink.output()}`, { cause: err });
  }
  return {
    ports,
    consoleUrl: `http://127.0.0.1:${ports.console}`,
    url: (service) => `http://127.0.0.1:${ports[service]}`,
    output: () => brink.output(),
    stop: async () => {
      await brink.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What one `brink` command printed and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `brink <args>` as a user would, to its end. */
export function runBrink(args: readonly string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BRINK_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, BRINK_API_TOKEN: undefined, BRINK_URL: undefined, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
