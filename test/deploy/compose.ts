/**
 * Reading docker compose files as `docker compose` does, for tests that have no Docker engine: YAML with merge keys
 * (`<<: *anchor`), `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?message}` interpolation, `$$` as a
 * literal `$`, and the short forms of ports, volumes, environment and secrets.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";

/** A published port: `host_ip:host_port:container_port`. */
export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** A mount: a named volume or a host path, at `target` in the container. */
export interface Mount {
  kind: "volume" | "bind";
  /** The volume name, or the absolute host path of a bind mount. */
  source: string;
  target: string;
  readOnly: boolean;
}

/** One service of a compose file, normalized. */
export interface ComposeService {
  name: string;
  image: string;
  entrypoint: string[] | undefined;
  command: string[] | undefined;
  environment: Record<string, string>;
  ports: PortMapping[];
  mounts: Mount[];
  /** Secret names; each is mounted at /run/secrets/<name>. */
  secrets: string[];
  profiles: string[];
  dependsOn: Record<string, string>;
  memoryLimit: string | undefined;
  restart: string | undefined;
  healthcheck: string[] | undefined;
  /** Everything as parsed, for structural checks of keys this module does not normalize. */
  raw: Record<string, unknown>;
}

/** A compose file, normalized. */
export interface ComposeFile {
  file: string;
  dir: string;
  services: Record<string, ComposeService>;
  /** Top-level named volumes. */
  volumes: string[];
  /** Top-level secrets: name -> absolute file. */
  secrets: Record<string, string>;
  /** Every variable the file interpolates. */
  variables: Set<string>;
}

type Env = Record<string, string | undefined>;

/** Interpolates `${...}` and `$$` in one string as compose does, recording the variable names seen. */
export function interpolate(text: string, env: Env, seen: Set<string> = new Set()): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (whole === "$$") return "$";
    const name = (braced ?? bare) as string;
    seen.add(name);
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === "";
    switch (op) {
      case ":-":
        return unsetOrEmpty ? (arg ?? "") : value;
      case "-":
        return value === undefined ? (arg ?? "") : value;
      case ":?":
      case "?":
        if (op === ":?" ? unsetOrEmpty : value === undefined) throw new Error(`compose variable ${name} is required: ${arg ?? ""}`);
        return value as string;
      default:
        return value ?? "";
    }
  });
}

function deepInterpolate(value: unknown, env: Env, seen: Set<string>): unknown {
  if (typeof value === "string") return interpolate(value, env, seen);
  if (Array.isArray(value)) return value.map((v) => deepInterpolate(v, env, seen));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepInterpolate(v, env, seen);
    return out;
  }
  return value;
}

const asRecord = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const asStrings = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);

function environmentOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const item of v.map(String)) {
      const eq = item.indexOf("=");
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else for (const [k, val] of Object.entries(asRecord(v))) out[k] = val === null || val === undefined ? "" : String(val);
  return out;
}

function portsOf(v: unknown, service: string): PortMapping[] {
  return (Array.isArray(v) ? v : []).map((p) => {
    const m = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:(\d+):)?(\d+)(?:\/tcp)?$/.exec(String(p));
    if (!m) throw new Error(`${service}: port ${String(p)} is not host_ip:host_port:container_port`);
    const containerPort = Number(m[3]);
    return { hostIp: m[1] ?? "0.0.0.0", hostPort: m[2] === undefined ? containerPort : Number(m[2]), containerPort };
  });
}

function mountsOf(v: unknown, dir: string): Mount[] {
  return (Array.isArray(v) ? v : []).map((entry) => {
    const [source = "", target = "", mode = ""] = String(entry).split(":");
    const bind = source.startsWith(".") || source.startsWith("/");
    return { kind: bind ? "bind" : "volume", source: bind ? resolve(dir, source) : source, target, readOnly: mode.split(",").includes("ro") } as Mount;
  });
}

/** Loads and normalizes a compose file, interpolating with `env`. */
export function loadCompose(file: string, env: Env): ComposeFile {
  const dir = dirname(resolve(file));
  const doc = asRecord(parse(readFileSync(file, "utf8"), { merge: true }));
  const variables = new Set<string>();
  const services: Record<string, ComposeService> = {};
  for (const [name, rawValue] of Object.entries(asRecord(doc.services))) {
    const raw = asRecord(deepInterpolate(rawValue, env, variables));
    const dependsOn: Record<string, string> = {};
    const deps = raw.depends_on;
    if (Array.isArray(deps)) for (const d of deps) dependsOn[String(d)] = "service_started";
    else for (const [d, c] of Object.entries(asRecord(deps))) dependsOn[d] = String(asRecord(c).condition ?? "service_started");
    const limits = asRecord(asRecord(asRecord(raw.deploy).resources).limits);
    const health = asRecord(raw.healthcheck).test;
    services[name] = {
      name,
      image: String(raw.image ?? ""),
      entrypoint: asStrings(raw.entrypoint),
      command: asStrings(raw.command),
      environment: environmentOf(raw.environment),
      ports: portsOf(raw.ports, name),
      mounts: mountsOf(raw.volumes, dir),
      secrets: (asStrings(raw.secrets) ?? []).map(String),
      profiles: asStrings(raw.profiles) ?? [],
      dependsOn,
      memoryLimit: limits.memory === undefined ? (raw.mem_limit === undefined ? undefined : String(raw.mem_limit)) : String(limits.memory),
      restart: raw.restart === undefined ? undefined : String(raw.restart),
      healthcheck: asStrings(health),
      raw,
    };
  }
  const secrets: Record<string, string> = {};
  for (const [name, def] of Object.entries(asRecord(doc.secrets))) secrets[name] = resolve(dir, String(asRecord(def).file ?? ""));
  return { file: resolve(file), dir, services, volumes: Object.keys(asRecord(doc.volumes)), secrets, variables };
}
