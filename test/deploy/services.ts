/**
 * What the deployment tests know about Brink's services: their EdgeX ports, which ones the `brink` command can run
 * today (services/brink/src/registry.ts, so the tests grow as services land), and their definitions.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { EMBEDDED_ORDER, SERVICE_LOADERS } from "@brink/brink";
import type { ServiceDefinition } from "@brink/service-kit";
import { REPO_ROOT } from "../e2e/brink-process.js";

/** EdgeX default port of every Brink service (DESIGN.md); checked against each definition that loads. */
export const EDGEX_PORTS: Readonly<Record<string, number>> = Object.freeze({
  "core-metadata": 59881,
  "core-data": 59880,
  "core-command": 59882,
  "rules-engine": 59720,
  "app-service": 59700,
  "device-virtual": 59900,
  "device-modbus": 59901,
  "device-opcua": 59997,
  "device-serial": 59902,
  console: 4000,
});

/** Every service folder under services/ but the `brink` command itself. */
export function serviceFolders(): string[] {
  return readdirSync(join(REPO_ROOT, "services"))
    .filter((d) => d !== "brink" && existsSync(join(REPO_ROOT, "services", d, "package.json")))
    .sort();
}

/** Services `brink run` can start now. */
export function runnableServices(): string[] {
  return Object.keys(SERVICE_LOADERS);
}

/** Services `brink start` runs, in order. */
export function embeddedServices(): readonly string[] {
  return EMBEDDED_ORDER;
}

// Definitions differ in their config type; the tests only read name, port and schema.
type AnyDefinition = ServiceDefinition<any>;

function isDefinition(value: unknown, name: string): value is AnyDefinition {
  const v = value as Partial<AnyDefinition> | null;
  return v !== null && typeof v === "object" && v.name === name && typeof v.create === "function" && typeof v.defaultPort === "number";
}

/**
 * The definition of a service: through the registry when it is registered, else from its package's exports when
 * the package loads (a service still being built may not), else undefined.
 */
export async function definitionOf(service: string): Promise<AnyDefinition | undefined> {
  const loader = SERVICE_LOADERS[service];
  if (loader !== undefined) return loader();
  try {
    const mod = (await import(`@brink/${service}`)) as Record<string, unknown>;
    return Object.values(mod).find((v): v is AnyDefinition => isDefinition(v, service));
  } catch {
    return undefined;
  }
}
