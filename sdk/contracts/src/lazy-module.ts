/**
 * Packages loaded on first use: a service that never needs one never pays its memory and start time. `yaml` is the
 * largest library most services would otherwise load at start (about 280 kB of source), and only some of them read
 * YAML at all (profiles, rules, pipelines, a config file).
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

/**
 * A loader of package `name` resolved from `from` (the caller's `import.meta.url`): it requires the package
 * synchronously on its first call and returns the same module on every later one.
 */
export function lazyRequire<T>(from: string, name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(from)(name) as T);
}

/** The yaml module, loaded on the first call. */
export const loadYaml: () => typeof Yaml = lazyRequire(import.meta.url, "yaml");
