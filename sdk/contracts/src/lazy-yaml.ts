/**
 * The `yaml` package, loaded on first use. It is the largest library most services would load at start (about 280 kB
 * of source) and only some of them read YAML at all (profiles, rules, pipelines, a config file); loading it when a
 * YAML text is first parsed or written keeps it out of the others' memory.
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let yaml: typeof Yaml | undefined;

/** The yaml module (loaded synchronously on the first call). */
export function loadYaml(): typeof Yaml {
  yaml ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return yaml;
}
