/**
 * Process helpers shared by the benchmarks: spawn the compiled `brink`, stop it, read its RSS and CPU from /proc.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { BRINK_BIN, BRINK_LAUNCHER_ENV, BRINK_NODE_FLAGS, REPO_ROOT } from "../test/e2e/brink-process.js";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Spawns `brink <args>` (compiled) with warn-level logs and no output captured. */
export function spawnBrink(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...BRINK_NODE_FLAGS, BRINK_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...BRINK_LAUNCHER_ENV, ...env, BRINK_LOG_LEVEL: "warn" }, stdio: "ignore" });
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  });
}

/** Resident set size of a process, MB. */
export function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return kb / 1024;
}

const CLK_TCK = 100;

/** User + system CPU time of a process so far, s. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU use of a process over the next `ms`, in % of one core. */
export async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuSeconds(pid);
  await sleep(ms);
  return ((cpuSeconds(pid) - t0) / (ms / 1000)) * 100;
}

/** Resolves once GET <url> answers 200; throws after `timeoutMs`. */
export async function waitFor200(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(`${url} never answered 200`);
}
