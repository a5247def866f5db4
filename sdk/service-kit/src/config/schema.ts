/**
 * The config schema every service shares (`service`, `clients`, `dataDir`, `apiToken`) and the walk over schema
 * leaves that gives each key its path and environment variable names.
 */
import { ErrorKind, ServiceError, type Problem } from "@brink/contracts";
import { ServiceKitErrorCode } from "../errors.js";
import type { ConfigSchema } from "../types.js";

/** The subset of JSON Schema the config loader reads itself (Ajv reads the rest). */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  [keyword: string]: unknown;
}

/** Largest accepted request body by default, bytes (4 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 4_194_304;
/** Timeout of outgoing HTTP and bus requests by default, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** Default core-metadata, core-data and core-command URLs (EdgeX ports on loopback). */
export const DEFAULT_CLIENT_URLS = {
  coreMetadataUrl: "http://127.0.0.1:59881",
  coreDataUrl: "http://127.0.0.1:59880",
  coreCommandUrl: "http://127.0.0.1:59882",
} as const;
/** Root of persistent files when BRINK_DATA_DIR is not set (resolved against the working directory). */
export const DEFAULT_DATA_DIR = "./data";

/** Log levels accepted by `service.logLevel`, as pino names them. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Top-level keys a service's own schema may not use. */
const RESERVED_SECTIONS: ReadonlySet<string> = new Set(["service", "clients", "dataDir", "apiToken", "custom"]);

function commonServiceSchema(defaultPort: number): SchemaNode {
  return {
    type: "object",
    description: "Settings every Brink service has.",
    additionalProperties: false,
    properties: {
      host: { type: "string", minLength: 1, default: "127.0.0.1", description: "Listen address of the HTTP server." },
      port: { type: "integer", minimum: 0, maximum: 65535, default: defaultPort, description: "HTTP port; 0 picks a free port." },
      maxBodyBytes: { type: "integer", minimum: 1, default: DEFAULT_MAX_BODY_BYTES, description: "Largest accepted request body, bytes." },
      requestTimeoutMs: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_REQUEST_TIMEOUT_MS,
        description: "Timeout of outgoing HTTP and bus requests, ms.",
      },
      logLevel: { type: "string", enum: [...LOG_LEVELS], default: "info", description: "Log level (BRINK_LOG_LEVEL sets it for every service)." },
    },
  };
}

function urlSchema(url: string, description: string): SchemaNode {
  return { type: "string", pattern: "^https?://[^\\s]+$", default: url, description };
}

const CLIENTS_SCHEMA: SchemaNode = {
  type: "object",
  description: "Where to reach the core services over HTTP.",
  additionalProperties: false,
  properties: {
    coreMetadataUrl: urlSchema(DEFAULT_CLIENT_URLS.coreMetadataUrl, "Base URL of core-metadata."),
    coreDataUrl: urlSchema(DEFAULT_CLIENT_URLS.coreDataUrl, "Base URL of core-data."),
    coreCommandUrl: urlSchema(DEFAULT_CLIENT_URLS.coreCommandUrl, "Base URL of core-command."),
  },
};

/** True for a schema node whose keys are walked (an object with declared properties). */
export function isBranch(node: SchemaNode): boolean {
  return node.properties !== undefined && (node.type === undefined || node.type === "object");
}

/** Checks a service's own schema: an object schema, no reserved section names, a description on every key. */
function checkCustomSchema(schema: ConfigSchema | undefined): Record<string, SchemaNode> {
  if (schema === undefined) return {};
  const root = schema as SchemaNode;
  const problems: Problem[] = [];
  if (root.type !== undefined && root.type !== "object") problems.push({ path: "", message: "must be an object schema" });
  const properties = root.properties ?? {};
  for (const name of Object.keys(properties)) {
    if (RESERVED_SECTIONS.has(name)) problems.push({ path: name, message: "is a reserved section name" });
  }
  const visit = (props: Record<string, SchemaNode>, prefix: string): void => {
    for (const [key, node] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof node.description !== "string" || node.description === "") problems.push({ path, message: "has no description" });
      if (isBranch(node) && node.properties) visit(node.properties, path);
    }
  };
  visit(properties, "");
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path || "(root)"}: ${p.message}`).join("; ");
    throw new ServiceError(ErrorKind.Server, ServiceKitErrorCode.ConfigSchemaInvalid, `service config schema: ${list}`, {
      details: { problems },
    });
  }
  return properties;
}

/** The full schema of a service's config document: common sections plus the service's own sections. */
export function buildRootSchema(defaultPort: number, custom: ConfigSchema | undefined): { root: SchemaNode; customKeys: string[] } {
  const customProperties = checkCustomSchema(custom);
  const root: SchemaNode = {
    type: "object",
    additionalProperties: false,
    properties: {
      service: commonServiceSchema(defaultPort),
      clients: CLIENTS_SCHEMA,
      dataDir: { type: "string", minLength: 1, default: DEFAULT_DATA_DIR, description: "Root of persistent files." },
      apiToken: { type: "string", default: "", description: "Bearer token required on every route but ping; empty for none." },
      ...customProperties,
    },
  };
  const required = (custom as SchemaNode | undefined)?.required;
  if (required) root.required = [...required];
  return { root, customKeys: Object.keys(customProperties) };
}

/** One leaf key of a config schema. */
export interface ConfigLeaf {
  /** Key path from the document root, such as `["service", "maxBodyBytes"]`. */
  readonly path: readonly string[];
  readonly schema: SchemaNode;
}

/** Every leaf of a schema, depth first, in declaration order. */
export function schemaLeaves(node: SchemaNode, prefix: readonly string[] = []): ConfigLeaf[] {
  const out: ConfigLeaf[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = [...prefix, key];
    if (isBranch(child)) out.push(...schemaLeaves(child, path));
    else out.push({ path, schema: child });
  }
  return out;
}

/** Creates the missing objects of every section, so Ajv's `useDefaults` reaches the keys inside them. */
export function ensureSections(node: SchemaNode, data: Record<string, unknown>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (!isBranch(child)) continue;
    if (data[key] === undefined) data[key] = {};
    const value = data[key];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) ensureSections(child, value as Record<string, unknown>);
  }
}
