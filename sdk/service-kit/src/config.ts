/**
 * Loads a service's config: schema defaults < YAML file < environment < overrides, validated by Ajv with every
 * problem reported as `path: message` (naming the file line or the variable it came from), then deep-frozen.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { ErrorCode, ErrorKind, ServiceError, ValidationError, type Problem } from "@brink/contracts";
import { ServiceKitErrorCode } from "./errors.js";
import { envNamesOf, readEnv } from "./config/env.js";
import { buildRootSchema, ensureSections, schemaLeaves, type SchemaNode } from "./config/schema.js";
import { ConfigLayers, isRecord, parseYamlLayer } from "./config/sources.js";
import type { ClientsConfig, CommonServiceConfig, ServiceConfig, ServiceDefinition, StartServiceOptions } from "./types.js";

/** Options of {@link loadConfig}: the config parts of {@link StartServiceOptions}. */
export interface LoadConfigOptions extends Pick<StartServiceOptions, "env" | "configFile" | "overrides"> {
  /** Directory a relative `dataDir` resolves against. @default process.cwd() */
  cwd?: string;
}

/** What {@link loadConfig} needs of a service definition. */
export type ConfigDefinition = Pick<ServiceDefinition, "name" | "defaultPort" | "configSchema">;

/**
 * Builds the effective config of a service. Throws ValidationError code CONFIG_INVALID listing every problem
 * (unreadable or malformed file, unknown key, wrong type, out of range), and ServiceError code
 * CONFIG_SCHEMA_INVALID when the service's own schema is broken.
 */
export function loadConfig<C = Record<string, unknown>>(def: ConfigDefinition, options: LoadConfigOptions = {}): ServiceConfig<C> {
  const { root, customKeys } = buildRootSchema(def.defaultPort, def.configSchema);
  const env = options.env ?? process.env;
  const layers = new ConfigLayers();

  if (options.configFile !== undefined) {
    const file = resolve(options.cwd ?? process.cwd(), options.configFile);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ValidationError(ErrorCode.ConfigInvalid, `config of ${def.name}`, [{ path: "", message: `cannot read ${file}: ${reason}` }]);
    }
    const { layer, problems } = parseYamlLayer(text);
    if (!layer) throw new ValidationError(ErrorCode.ConfigInvalid, `config of ${def.name} (file ${file})`, problems);
    layers.merge(normalizeLayer(layer.value, customKeys), (path) => {
      const line = layer.lineOf(path);
      return line === undefined ? { source: `file ${file}` } : { source: `file ${file}`, line };
    });
  }

  for (const found of readEnv(def.name, schemaLeaves(root), env)) {
    layers.set(found.path, found.value, { source: `env ${found.variable}` });
  }

  if (options.overrides) layers.merge(normalizeLayer(options.overrides, customKeys), () => ({ source: "overrides" }));

  const data = layers.data;
  ensureSections(root, data);
  const validate = compile(root);
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e) => toProblem(e, data, layers));
    throw new ValidationError(ErrorCode.ConfigInvalid, `config of ${def.name}`, problems);
  }

  const custom: Record<string, unknown> = {};
  for (const key of customKeys) if (data[key] !== undefined) custom[key] = data[key];
  const apiToken = data.apiToken as string;
  const config: ServiceConfig<C> = {
    service: data.service as CommonServiceConfig,
    clients: data.clients as ClientsConfig,
    dataDir: resolve(options.cwd ?? process.cwd(), data.dataDir as string),
    apiToken: apiToken === "" ? undefined : apiToken,
    custom: custom as C,
  };
  return deepFreeze(config);
}

/** One documented config key: for `brink config`-style listings and docs. */
export interface ConfigKey {
  /** Dotted path in the YAML document, such as `service.maxBodyBytes`. */
  readonly path: string;
  /** Variables that set it, lowest precedence first. */
  readonly env: readonly string[];
  readonly type: string;
  readonly default: unknown;
  readonly description: string;
}

/** Lists every key of a service's config with its variables, default and description. */
export function configKeys(def: ConfigDefinition): ConfigKey[] {
  const { root } = buildRootSchema(def.defaultPort, def.configSchema);
  return schemaLeaves(root).map((leaf) => ({
    path: leaf.path.join("."),
    env: envNamesOf(def.name, leaf.path),
    type: Array.isArray(leaf.schema.type) ? leaf.schema.type.join("|") : (leaf.schema.type ?? "any"),
    default: leaf.schema.default,
    description: leaf.schema.description ?? "",
  }));
}

/** Accepts a `custom:` section in files and overrides as a spelling of the service's own top-level sections. */
function normalizeLayer(layer: Record<string, unknown>, customKeys: readonly string[]): Record<string, unknown> {
  const custom = layer.custom;
  if (customKeys.includes("custom") || !isRecord(custom)) return layer;
  const { custom: _dropped, ...rest } = layer;
  return { ...rest, ...custom };
}

function compile(root: SchemaNode): ReturnType<Ajv["compile"]> {
  // The draft-07 Ajv the DTO validators use: one JSON Schema dialect loaded per process (the config schemas use no
  // 2020-12 keyword).
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  try {
    return ajv.compile(root);
  } catch (err) {
    throw new ServiceError(ErrorKind.Server, ServiceKitErrorCode.ConfigSchemaInvalid, `service config schema: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function toProblem(e: ErrorObject, data: Record<string, unknown>, layers: ConfigLayers): Problem {
  const segments = e.instancePath === "" ? [] : e.instancePath.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let message = e.message ?? "is invalid";
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    segments.push(params.additionalProperty);
    message = "is not a known key";
  } else if (e.keyword === "required" && typeof params.missingProperty === "string") {
    segments.push(params.missingProperty);
    message = "is required";
  } else if (e.keyword === "enum" && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  const source = layers.sourceOf(segments);
  if (source) message += ` (from ${source.source})`;
  const path = formatPath(segments, data);
  return source?.line === undefined ? { path, message } : { path, message, line: source.line };
}

/** `["devices", "0", "name"]` -> `devices[0].name`, using the data to tell array indexes from keys. */
function formatPath(segments: readonly string[], data: unknown): string {
  let out = "";
  let node = data;
  for (const seg of segments) {
    if (Array.isArray(node) && /^\d+$/.test(seg)) {
      out += `[${seg}]`;
      node = node[Number(seg)];
    } else {
      out += out === "" ? seg : `.${seg}`;
      node = isRecord(node) ? node[seg] : undefined;
    }
  }
  return out;
}

/** Freezes an object and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
