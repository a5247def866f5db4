/**
 * Starting peer processes (brokers, simulators, services) for tests: wait until ready, capture output, stop them
 * for sure. Every started process is tracked and SIGKILLed when the test process exits, as a safety net.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { portAccepts } from "./ports.js";

/** When a started process counts as ready. */
export type ReadyWhen = { port: number; host?: string } | { stdoutMatch: RegExp } | { stderrMatch: RegExp };

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  cmd: string;
  args?: readonly string[];
  /** Added to (and overriding) the test process's environment; a value of undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** @default ready as soon as it is spawned */
  readyWhen?: ReadyWhen;
  /** How long to wait for readiness, ms. @default 10000 */
  timeoutMs?: number;
  /** Name used in errors. @default the command's file name */
  name?: string;
  /** How long `stop()` waits after its signal before SIGKILL, ms. @default 5000 */
  stopGraceMs?: number;
}

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started process. */
export interface ProcessHandle {
  readonly pid: number;
  readonly name: string;
  /** Captured stdout and stderr, interleaved as received (the last 2 MiB). */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** True until the process has exited. */
  running(): boolean;
  /** Sends `signal`, waits for the exit, SIGKILLs after the grace period. Harmless when already exited. */
  stop(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGKILL, and wait for the exit. */
  kill9(): Promise<ExitInfo>;
}

const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;
const live = new Set<ChildProcess>();
let safetyNetInstalled = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function tail(text: string, chars = 4000): string {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

/**
 * Spawns `cmd` and resolves once it is ready (its port accepts connections, or its output matches). Rejects, after
 * killing it, when it exits first or is not ready in time; the error quotes the end of its output.
 */
export async function startProcess(options: StartProcessOptions): Promise<ProcessHandle> {
  installSafetyNet();
  const name = options.name ?? path.basename(options.cmd);
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(options.cmd, [...(options.args ?? [])], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });

  let output = "";
  let stdout = "";
  let stderr = "";
  const keep = (s: string, chunk: string): string => {
    const next = s + chunk;
    return next.length > MAX_OUTPUT_CHARS ? next.slice(-MAX_OUTPUT_CHARS) : next;
  };
  let notify: (() => void) | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output = keep(output, chunk);
    stdout = keep(stdout, chunk);
    notify?.();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output = keep(output, chunk);
    stderr = keep(stderr, chunk);
    notify?.();
  });

  let exitInfo: ExitInfo | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("error", (err) => {
      spawnError = err;
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        resolve(exitInfo);
      }
    });
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      live.delete(child);
      resolve(exitInfo);
    });
  });
  if (child.pid !== undefined) live.add(child);

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<ExitInfo> => {
    if (exitInfo !== undefined) return exitInfo;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), options.stopGraceMs ?? 5000)));
    const first = await Promise.race([exited, grace]);
    clearTimeout(timer);
    if (first === "late") child.kill("SIGKILL");
    return exited;
  };
  const handle: ProcessHandle = {
    pid: child.pid ?? -1,
    name,
    output: () => output,
    exited,
    running: () => exitInfo === undefined,
    stop,
    kill9: async () => {
      if (exitInfo !== undefined) return exitInfo;
      child.kill("SIGKILL");
      return exited;
    },
  };

  const timeoutMs = options.timeoutMs ?? 10_000;
  const fail = async (why: string): Promise<never> => {
    await handle.kill9();
    throw new Error(`${name} (${options.cmd} ${(options.args ?? []).join(" ")}) ${why}\n--- output ---\n${tail(output)}`);
  };
  if (child.pid === undefined) {
    await exited;
    throw new Error(`${name}: cannot start ${options.cmd}: ${spawnError?.message ?? "spawn failed"}`);
  }
  const ready = options.readyWhen;
  if (ready === undefined) return handle;

  const deadline = Date.now() + timeoutMs;
  const isReady = async (): Promise<boolean> => {
    if ("port" in ready) return portAccepts(ready.port, ready.host ?? "127.0.0.1", 250);
    if ("stdoutMatch" in ready) return ready.stdoutMatch.test(stdout);
    return ready.stderrMatch.test(stderr);
  };
  for (;;) {
    if (await isReady()) return handle;
    if (exitInfo !== undefined) return fail(`exited (code ${exitInfo.code}, signal ${exitInfo.signal}) before it was ready`);
    const left = deadline - Date.now();
    if (left <= 0) return fail(`was not ready within ${timeoutMs} ms`);
    // Wake on new output, on exit, or after a short poll interval (ports have no event to wait for).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(left, "port" in ready ? 50 : 250));
      function done(): void {
        clearTimeout(timer);
        notify = undefined;
        resolve();
      }
      notify = done;
      void exited.then(done);
    });
  }
}
