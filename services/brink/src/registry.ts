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
  "rules-engine": async () => (await import("@brink/rules-engine")).rulesEngineService,
  "app-service": async () => (await import("@brink/app-service")).appService,
  "device-virtual": async () => (await import("@brink/device-virtual")).deviceVirtualService,
  "device-serial": async () => (await import("@brink/device-serial")).deviceSerialService,
  "device-modbus": async () => (await import("@brink/device-modbus")).deviceModbusService,
  "device-opcua": async () => (await import("@brink/device-opcua")).deviceOpcuaService,
  console: async () => (await import("@brink/console")).consoleService,
});

/**
 * Start order of `brink start`: core-metadata first (the others register with it), device services after the core
 * services, the console last (it only calls the others).
 * Stopped in reverse.
 */
export const EMBEDDED_ORDER: readonly string[] = ["core-metadata", "core-data", "core-command", "rules-engine", "app-service", "device-virtual", "console"];

/** Names of every runnable service. */
export function serviceNames(): string[] {
  return Object.keys(SERVICE_LOADERS);
}

/**
 * The services of `brink start`: {@link EMBEDDED_ORDER} plus the extra ones named in `extra` (comma-separated),
 * inserted before the console so device services register before the UI starts. Unknown names are kept, so the
 * runner reports them (UNKNOWN_SERVICE).
 */
export function embeddedServices(extra: string | undefined): string[] {
  const names = (extra ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "" && !EMBEDDED_ORDER.includes(s));
  const order = [...EMBEDDED_ORDER];
  const at = order.includes("console") ? order.indexOf("console") : order.length;
  order.splice(at, 0, ...names);
  return order;
}
