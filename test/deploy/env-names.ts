/**
 * Which environment variables a Brink container may set: every config key's variables (from the service's
 * definition, or only the keys every service has when its definition does not load yet), the variables the `brink`
 * command itself reads, and the `_FILE` form docker/entrypoint.sh turns into them.
 */
import { configKeys } from "@brink/service-kit";
import { definitionOf } from "./services.js";

/** Read by `brink run` / `brink start` (services/brink/src/runner.ts) and the image, not by a config schema. */
export const RUNNER_VARIABLES: readonly string[] = ["BRINK_BUS_URL", "BRINK_BUS_TOKEN", "BRINK_LOG_LEVEL"];
/** Set by docker/Dockerfile's final stage or used by docker/entrypoint.sh and docker/healthcheck.mjs. */
export const IMAGE_VARIABLES: readonly string[] = ["NODE_ENV", "NODE_OPTIONS", "MALLOC_ARENA_MAX", "BRINK_IMAGE_SERVICE", "BRINK_HOME", "BRINK_HEALTHCHECK_SERVICES"];

/** The allowed names for one service, and whether its own schema was available to say so. */
export async function allowedEnv(service: string, embedded: readonly string[] = []): Promise<{ names: Set<string>; complete: boolean }> {
  const names = new Set<string>([...RUNNER_VARIABLES, ...IMAGE_VARIABLES]);
  let complete = true;
  for (const s of service === "all" ? embedded : [service]) {
    const def = await definitionOf(s);
    if (def === undefined) complete = false;
    const keys = configKeys(def ?? { name: s, defaultPort: 1, configSchema: undefined });
    for (const key of keys) for (const name of key.env) names.add(name);
  }
  for (const name of [...names]) names.add(`${name}_FILE`);
  return { names, complete };
}
