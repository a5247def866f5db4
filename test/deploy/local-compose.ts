/**
 * Runs the services of a compose file as local processes, the way their containers would run them, on a machine
 * with no Docker engine: the same entry point (docker/entrypoint.sh, or the service's own `entrypoint:`), command
 * and environment, the image's ENV from docker/Dockerfile, secrets as files, volumes as temporary folders. What a
 * container network would give is emulated: every container port gets a free port of 127.0.0.1, and `<service>:<port>`
 * addresses in the environment and commands are rewritten to it. Brink images run the bundle of the compiled code
 * (docker/bundle.mjs), so it is made first when it is missing or older than the compiled code (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, requireBinary, startProcess, waitFor, type ProcessHandle } from "../harness/index.js";
import { REPO_ROOT } from "../e2e/brink-process.js";
import type { ComposeFile, ComposeService } from "./compose.js";
import { EDGEX_PORTS } from "./services.js";

export const DOCKERFILE = join(REPO_ROOT, "docker/Dockerfile");
export const ENTRYPOINT = join(REPO_ROOT, "docker/entrypoint.sh");
export const HEALTHCHECK = join(REPO_ROOT, "docker/healthcheck.mjs");
export const BUNDLE_SCRIPT = join(REPO_ROOT, "docker/bundle.mjs");

/** Makes the images' bundle of the compiled `brink` command (docker/bundle.mjs) unless it is up to date. */
export function ensureBundle(): void {
  const r = spawnSync(process.execPath, [BUNDLE_SCRIPT, "--if-stale"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`docker/bundle.mjs failed (${r.status ?? r.signal}): ${r.stderr}`);
}

/** The ENV of the Dockerfile's final stage, with `${ARG}` references filled from `args`. */
export function imageEnv(args: Record<string, string>): Record<string, string> {
  const text = readFileSync(DOCKERFILE, "utf8").replace(/\\\n/g, " ");
  const stages = text.split(/^FROM /m);
  const last = stages[stages.length - 1] ?? "";
  const env: Record<string, string> = {};
  for (const line of last.split("\n")) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of (m[1] as string).trim().split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? "");
    }
  }
  return env;
}

/** `brink/core-data:0.1.0` -> `core-data`; `brink/brink:...` -> `all`; undefined for images not built from docker/Dockerfile. */
export function brinkImageService(image: string): string | undefined {
  const m = /^(?:.*\/)?([a-z0-9-]+):[^/]+$/.exec(image);
  if (!m || image.startsWith("nats:")) return undefined;
  return m[1] === "brink" ? "all" : m[1];
}

/** A compose file running as local processes. */
export interface LocalCompose {
  /** Local port of each service's published container port: `ports[service][containerPort]`. */
  readonly ports: Record<string, Record<number, number>>;
  /** The secret values by name. */
  readonly secrets: Record<string, string>;
  /** The environment each service was started with. */
  readonly envs: Record<string, Record<string, string>>;
  /** The folder standing for each named volume. */
  readonly volumes: Record<string, string>;
  readonly processes: Record<string, ProcessHandle>;
  /** Local port of `service`'s main (first published) port. */
  port(service: string): number;
  /** Starts (or restarts) one service as compose would. */
  start(service: string): Promise<ProcessHandle>;
  /** Stops every process (reverse start order) and removes the temporary folders. */
  stop(): Promise<void>;
}

export interface LocalComposeOptions {
  /** Services to start, in order; one-shot services (no published port) are run to completion. */
  services: readonly string[];
  /** Added to every Brink service's environment (e.g. a lower log level). */
  extraEnv?: Record<string, string>;
}


/** Starts the chosen services of `compose` as local processes. */
export async function startLocalCompose(compose: ComposeFile, options: LocalComposeOptions): Promise<LocalCompose> {
  if (options.services.some((name) => brinkImageService(compose.services[name]?.image ?? "nats:") !== undefined)) ensureBundle();
  const root = mkdtempSync(join(tmpdir(), "brink-compose-"));
  const ports: Record<string, Record<number, number>> = {};
  for (const s of Object.values(compose.services)) {
    ports[s.name] = {};
    for (const p of s.ports) (ports[s.name] as Record<number, number>)[p.containerPort] = await freePort();
  }
  const secrets: Record<string, string> = {};
  const secretFiles: Record<string, string> = {};
  mkdirSync(join(root, "secrets"));
  for (const name of Object.keys(compose.secrets)) {
    // Starting with a digit, as `openssl rand -hex` often does: nats-server must still read it as a string.
    secrets[name] = `7${randomBytes(16).toString("hex")}`;
    secretFiles[name] = join(root, "secrets", name);
    writeFileSync(secretFiles[name] as string, `${secrets[name]}\n`, { mode: 0o600 });
  }
  const volumes: Record<string, string> = {};
  for (const v of compose.volumes) {
    volumes[v] = join(root, "volumes", v);
    mkdirSync(volumes[v] as string, { recursive: true });
  }
  const processes: Record<string, ProcessHandle> = {};
  const envs: Record<string, Record<string, string>> = {};
  const order: string[] = [];

  /** Container paths of a service and the local folders or files standing for them. */
  const pathMap = (s: ComposeService): [string, string][] => {
    const map: [string, string][] = s.mounts.map((m) => [m.target, m.kind === "volume" ? (volumes[m.source] ?? m.source) : m.source]);
    for (const name of s.secrets) map.push([`/run/secrets/${name}`, secretFiles[name] ?? ""]);
    if (!s.mounts.some((m) => m.target === "/data")) {
      // The image's anonymous /data volume.
      const anon = join(root, "anonymous", s.name);
      mkdirSync(anon, { recursive: true });
      map.push(["/data", anon]);
    }
    return map.sort((a, b) => b[0].length - a[0].length);
  };
  const rewrite = (s: ComposeService, text: string): string => {
    let out = text.replace(/\b(https?|nats|tls|nats-leaf):\/\/([a-z0-9-]+):(\d+)/g, (whole, scheme: string, host: string, port: string) => {
      const local = ports[host]?.[Number(port)];
      return local === undefined ? whole : `${scheme}://127.0.0.1:${local}`;
    });
    for (const [target, local] of pathMap(s)) {
      out = out.replace(new RegExp(`(^|[\\s"'=:(])${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[/\\s"')])`, "g"), `$1${local}`);
    }
    return out;
  };
  const cleanParentEnv = (): Record<string, undefined> => {
    const out: Record<string, undefined> = {};
    for (const k of Object.keys(process.env)) if (k.startsWith("BRINK_") || k === "NODE_OPTIONS") out[k] = undefined;
    return out;
  };

  const start = async (name: string): Promise<ProcessHandle> => {
    const s = compose.services[name];
    if (s === undefined) throw new Error(`no service ${name} in ${compose.file}`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.environment)) env[k] = rewrite(s, v);
    const published = s.ports.map((p) => ports[name]?.[p.containerPort] as number);
    const readyPort = published[0];
    let cmd: string;
    let args: string[];
    const imageService = brinkImageService(s.image);
    if (s.image.startsWith("nats:")) {
      // The nats image: its entry point (a shell line) with the local ports and store in place of the container's.
      const natsBin = requireBinary("nats-server", "nats-server");
      env.PATH = `${dirname(natsBin)}:${process.env.PATH ?? ""}`;
      const entry = (s.entrypoint ?? ["nats-server"]).map((a) => rewrite(s, a));
      const client = ports[name]?.[4222];
      const monitor = ports[name]?.[8222];
      const flags = ["-a", "127.0.0.1", "-p", String(client), "-m", String(monitor)];
      [cmd, ...args] = [...entry, ...(s.command ?? []).map((a) => rewrite(s, a)), ...flags] as [string, ...string[]];
    } else if (imageService !== undefined) {
      Object.assign(env, { ...imageEnv({ SERVICE: imageService }), ...env });
      for (const [k, v] of Object.entries(env)) env[k] = rewrite(s, v);
      env.BRINK_HOME = REPO_ROOT;
      env.BRINK_SERVICE_HOST = "127.0.0.1";
      for (const p of s.ports) {
        const owner = Object.entries(EDGEX_PORTS).find(([, port]) => port === p.containerPort)?.[0];
        if (owner !== undefined) env[`BRINK_${owner.toUpperCase().replace(/-/g, "_")}_SERVICE_PORT`] = String(ports[name]?.[p.containerPort]);
      }
      Object.assign(env, options.extraEnv ?? {});
      const command = (s.command ?? []).map((a) => rewrite(s, a));
      if (s.entrypoint !== undefined) {
        const entry = s.entrypoint.map((a) => rewrite(s, a).replace(/^\/app\//, `${REPO_ROOT}/`));
        [cmd, ...args] = [entry[0] === "node" ? process.execPath : (entry[0] as string), ...entry.slice(1), ...command];
      } else {
        cmd = "/bin/sh";
        args = [ENTRYPOINT, ...command];
      }
    } else {
      throw new Error(`${name}: image ${s.image} is neither nats nor built from docker/Dockerfile`);
    }
    envs[name] = env;
    const handle = await startProcess({
      name,
      cmd,
      args,
      cwd: REPO_ROOT,
      env: { ...cleanParentEnv(), ...env },
      ...(readyPort === undefined ? {} : { readyWhen: { port: readyPort } }),
      timeoutMs: 30_000,
    });
    processes[name] = handle;
    if (!order.includes(name)) order.push(name);
    if (readyPort === undefined) {
      // A one-shot job: it must finish, and finish well.
      const exit = await handle.exited;
      if (exit.code !== 0) throw new Error(`${name} exited with ${exit.code ?? exit.signal}: ${handle.output()}`);
    }
    if (s.image.startsWith("nats:")) {
      const monitor = ports[name]?.[8222];
      await waitFor(async () => (await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`)).status === 200, {
        timeoutMs: 10_000,
        message: `${name} healthz`,
      });
    }
    return handle;
  };

  const stop = async (): Promise<void> => {
    for (const name of [...order].reverse()) await processes[name]?.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const name of options.services) await start(name);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ports,
    secrets,
    envs,
    volumes,
    processes,
    port: (service) => {
      const first = compose.services[service]?.ports[0];
      const local = first === undefined ? undefined : ports[service]?.[first.containerPort];
      if (local === undefined) throw new Error(`${service} publishes no port`);
      return local;
    },
    start,
    stop,
  };
}

/** Runs the image's HEALTHCHECK (docker/healthcheck.mjs) with the service's environment; resolves with its exit code. */
export async function runHealthcheck(env: Record<string, string>): Promise<number> {
  const handle = await startProcess({ name: "healthcheck", cmd: process.execPath, args: [HEALTHCHECK], env });
  const exit = await handle.exited;
  return exit.code ?? -1;
}

