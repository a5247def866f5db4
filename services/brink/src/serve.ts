/**
 * Running Brink until a signal: what `brink start` and `brink run <service>` do, shared by the full command line
 * (cli.ts) and the launcher's direct path (launch.ts), which skips loading the command-line parser and the client
 * verbs in every service process.
 */
import { ServiceError } from "@brink/contracts";
import { runUntilSignal } from "@brink/service-kit";
import { runDistributed, startEmbedded, type Runtime } from "./runner.js";
import { embeddedServices } from "./registry.js";
import { VERSION } from "./version.js";

/** Starts, logs the ready line, and runs until SIGINT or SIGTERM. */
export async function serve(start: () => Promise<Runtime>): Promise<void> {
  const startedAt = performance.now();
  const runtime = await start();
  const ms = Math.round(performance.now() - startedAt);
  runtime.logger.info(
    { services: runtime.services.map((s) => ({ name: s.name, url: s.url })), startupMs: ms, bus: runtime.bus.kind },
    `brink ${VERSION} ready in ${ms} ms: ${runtime.services.map((s) => `${s.name} ${s.url}`).join(", ")}`,
  );
  await runUntilSignal([...runtime.services], { logger: runtime.logger, deadlineMs: 10_000, onStopped: () => runtime.bus.close() });
}

/** Prints the error as `brink: <message> (<CODE>)` and exits 1. */
export function fail(err: unknown): never {
  const e = ServiceError.from(err);
  process.stderr.write(`brink: ${e.message} (${e.code})\n`);
  process.exit(1);
}

/** `brink start` (with BRINK_START_WITH, or the `--with` list). */
export function serveEmbedded(withServices?: string): Promise<void> {
  return serve(() => startEmbedded({ services: embeddedServices(withServices ?? process.env.BRINK_START_WITH) })).catch(fail);
}

/** `brink run <service>`. */
export function serveDistributed(service: string): Promise<void> {
  return serve(() => runDistributed(service)).catch(fail);
}
