/**
 * Environment variable names of config keys and the coercion of their strings to the schema's types.
 */
import type { ConfigLeaf, SchemaNode } from "./schema.js";

/** Prefix of every Brink environment variable. */
export const ENV_PREFIX = "BRINK";

/** `maxBodyBytes` -> `MAX_BODY_BYTES`, `core-data` -> `CORE_DATA`, `coreMetadataUrl` -> `CORE_METADATA_URL`. */
export function toUpperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();
}

/** Old-style aliases read before the generic name (lowest precedence). */
const ALIASES: Readonly<Record<string, string>> = { "service.logLevel": `${ENV_PREFIX}_LOG_LEVEL` };

/**
 * The environment variables that can set a key, lowest precedence first: an alias if any, the generic
 * `BRINK_<SECTION>_<KEY>`, then the service-specific `BRINK_<SERVICE>_<SECTION>_<KEY>`.
 */
export function envNamesOf(serviceName: string, path: readonly string[]): string[] {
  const suffix = path.map(toUpperSnake).join("_");
  const names: string[] = [];
  const alias = ALIASES[path.join(".")];
  if (alias) names.push(alias);
  names.push(`${ENV_PREFIX}_${suffix}`, `${ENV_PREFIX}_${toUpperSnake(serviceName)}_${suffix}`);
  return names;
}

function typesOf(schema: SchemaNode): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === "string") return [schema.type];
  if (schema.default !== undefined) return [Array.isArray(schema.default) ? "array" : typeof schema.default];
  return ["string"];
}

const TRUE_WORDS: ReadonlySet<string> = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS: ReadonlySet<string> = new Set(["false", "0", "no", "off"]);
const NO_VALUE = Symbol("no value");

function coerceAs(type: string, raw: string, schema: SchemaNode): unknown {
  const text = raw.trim();
  switch (type) {
    case "integer":
      return /^[+-]?\d+$/.test(text) ? Number(text) : NO_VALUE;
    case "number": {
      const n = Number(text);
      return text !== "" && Number.isFinite(n) ? n : NO_VALUE;
    }
    case "boolean": {
      const word = text.toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : NO_VALUE;
    }
    case "null":
      return text === "" || text === "null" ? null : NO_VALUE;
    case "array": {
      if (text.startsWith("[")) return parseJsonOr(text);
      if (text === "") return [];
      return text.split(",").map((item) => (schema.items ? coerceEnv(item.trim(), schema.items) : item.trim()));
    }
    case "object":
      return text.startsWith("{") ? parseJsonOr(text) : NO_VALUE;
    case "string":
      return raw;
    default:
      return NO_VALUE;
  }
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NO_VALUE;
  }
}

/**
 * Coerces an environment string to the type its schema declares (integer, number, boolean, array as JSON or a
 * comma-separated list, object as JSON). A string that fits no declared type is returned unchanged, so validation
 * reports it against the schema with the variable's name.
 */
export function coerceEnv(raw: string, schema: SchemaNode): unknown {
  const types = typesOf(schema);
  const ordered = [...types.filter((t) => t !== "string"), ...types.filter((t) => t === "string")];
  for (const type of ordered) {
    const value = coerceAs(type, raw, schema);
    if (value !== NO_VALUE) return value;
  }
  return raw;
}

/** One value found in the environment for a config key. */
export interface EnvValue {
  readonly path: readonly string[];
  readonly value: unknown;
  /** The variable it came from. */
  readonly variable: string;
}

/** Reads every leaf's value from the environment, the most specific variable winning. */
export function readEnv(serviceName: string, leaves: readonly ConfigLeaf[], env: Record<string, string | undefined>): EnvValue[] {
  const out: EnvValue[] = [];
  for (const leaf of leaves) {
    const names = envNamesOf(serviceName, leaf.path);
    for (let i = names.length - 1; i >= 0; i--) {
      const variable = names[i] as string;
      const raw = env[variable];
      if (raw === undefined) continue;
      out.push({ path: leaf.path, value: coerceEnv(raw, leaf.schema), variable });
      break;
    }
  }
  return out;
}
