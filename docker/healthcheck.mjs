#!/usr/bin/env node
// @ts-check
/**
 * HEALTHCHECK of a Brink image: GET /api/v3/ping (never behind the API token) on the port of each service the
 * container runs. Exit 0 when every ping answers 200 within the timeout, 1 otherwise. It loads no Brink code, so a
 * check costs a bare Node start, not a service's memory.
 *
 * Ports: BRINK_<SERVICE>_SERVICE_PORT, else BRINK_SERVICE_PORT, else the service's EdgeX port below (the same
 * variables the service itself reads). BRINK_HEALTHCHECK_SERVICES (comma-separated) overrides which services are
 * checked; by default the image's own (BRINK_IMAGE_SERVICE), or the core services for the all-in-one image.
 */

/** EdgeX default ports (test/deploy checks them against each service definition). */
export const DEFAULT_PORTS = Object.freeze({
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

/** Services the all-in-one image checks: the ones every `brink start` runs. */
const EMBEDDED_CHECKED = ["core-metadata", "core-data", "core-command"];
const TIMEOUT_MS = 4000;

/** @param {string} service @param {NodeJS.ProcessEnv} env @returns {number | undefined} */
export function portOf(service, env) {
  const specific = env[`BRINK_${service.toUpperCase().replace(/-/g, "_")}_SERVICE_PORT`];
  const value = specific ?? env.BRINK_SERVICE_PORT ?? /** @type {Record<string, number>} */ (DEFAULT_PORTS)[service];
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** @param {NodeJS.ProcessEnv} env @returns {string[]} */
export function checkedServices(env) {
  if (env.BRINK_HEALTHCHECK_SERVICES) return env.BRINK_HEALTHCHECK_SERVICES.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const image = env.BRINK_IMAGE_SERVICE ?? "all";
  return image === "all" ? EMBEDDED_CHECKED : [image];
}

/** @param {string} service @param {NodeJS.ProcessEnv} env @returns {Promise<string | undefined>} a problem, or undefined when healthy */
async function ping(service, env) {
  const port = portOf(service, env);
  if (port === undefined) return `${service}: no port known`;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v3/ping`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return res.status === 200 ? undefined : `${service}: ping on ${port} answered ${res.status}`;
  } catch (err) {
    return `${service}: ping on ${port} failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"))) {
  const problems = (await Promise.all(checkedServices(process.env).map((s) => ping(s, process.env)))).filter((p) => p !== undefined);
  for (const p of problems) process.stderr.write(`unhealthy: ${p}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
