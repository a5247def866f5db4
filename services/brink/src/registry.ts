/**
 * The services the `brink` command can run, loaded lazily so a process pays only for what it runs
 * (`brink run core-data` never loads a protocol library).
 */
import type { ServiceDefinition } from "@brink/service-kit";

// Definitions differ in their custom config type; the runner treats them uniformly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = ServiceDefinition<any>;

/** Loaders by EdgeX service key. */
export const SERVICE_LOADERS: Readonly<Record<string, () => Promise<AnyDefinition>>> = Object.freeze({
  "core-metadata": async () => (await import("@brink/core-metadata")).coreMetadataService,
  "core-data": async () => (await import("@brink/core-data")).coreDataService,
  "core-command": async () => (await import("@brink/core-command")).coreCommandService,
  "device-virtual": async () => (await import("@brink/device-virtual")).deviceVirtualService,
});

/**
 * Start order of `brink start`: core-metadata first (the others register with it), device services last.
 * Stopped in reverse.
 */
export const EMBEDDED_ORDER: readonly string[] = ["core-metadata", "core-data", "core-command", "device-virtual"];

/** Names of every runnable service. */
export function serviceNames(): string[] {
  return Object.keys(SERVICE_LOADERS);
}
