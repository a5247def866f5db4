/**
 * A pair of connected pseudo-terminals made by socat, standing in for a serial cable: whatever is written to one end
 * is read at the other. `unplug()` stops socat (its links vanish, open ends get I/O errors), `replug()` starts it
 * again under the same link names, as a USB adapter that is pulled out and put back.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { startProcess, type ProcessHandle } from "./process.js";
import { waitFor } from "./wait.js";

/** A socat pty pair. */
export interface PtyPair {
  /** Path of one end (the driver's side, by convention). */
  readonly a: string;
  /** Path of the other end (the instrument's side). */
  readonly b: string;
  /** True while socat runs. */
  running(): boolean;
  /** Stops socat (SIGTERM, so it removes its links); resolves once both links are gone. */
  unplug(): Promise<void>;
  /** Starts socat again under the same link names; resolves once both exist. */
  replug(): Promise<void>;
  /** Stops socat and removes the folder of the links. */
  stop(): Promise<void>;
}

/** Options of {@link startPtyPair}. */
export interface PtyPairOptions {
  /** Folder for the links. @default a new temporary folder */
  readonly dir?: string;
  /** Prefix of the link names. @default "tty" */
  readonly name?: string;
}

/** Starts `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`; fails naming the Debian package when socat is missing. */
export async function startPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const socat = requireBinary("socat", "socat");
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "brink-pty-"));
  const name = options.name ?? "tty";
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  let proc: ProcessHandle | undefined;

  const launch = async (): Promise<void> => {
    proc = await startProcess({
      cmd: socat,
      name: "socat",
      args: ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
      readyWhen: { stderrMatch: /starting data transfer loop/ },
      timeoutMs: 5000,
    });
    await waitFor(() => existsSync(a) && existsSync(b), { timeoutMs: 5000, intervalMs: 10, message: "socat links" });
  };
  const halt = async (): Promise<void> => {
    await proc?.stop("SIGTERM");
    proc = undefined;
    await waitFor(() => !existsSync(a) && !existsSync(b), { timeoutMs: 5000, intervalMs: 10, message: "socat links removed" });
  };
  await launch();
  return {
    a,
    b,
    running: () => proc?.running() ?? false,
    unplug: halt,
    replug: launch,
    stop: async () => {
      if (proc !== undefined) await halt();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
