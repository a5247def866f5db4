/**
 * A virtual serial line for tests: `socat` joins two pseudo-terminals, so a Modbus RTU server on one end and a
 * client on the other talk as over a null-modem cable. A pty ignores the baud rate: timings measure software only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { requireBinary } from "./binaries.js";
import { startProcess, type ProcessHandle } from "./process.js";

/** Two joined pseudo-terminals. */
export interface SerialPair {
  /** Path of one end (a symlink to its /dev/pts device), for the server. */
  readonly a: string;
  /** Path of the other end, for the client. */
  readonly b: string;
  process(): ProcessHandle;
  /** Stops socat and removes the links. */
  stop(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once it relays data. Throws, naming
 * the Debian package, when socat is not installed.
 */
export async function startSerialPair(): Promise<SerialPair> {
  const cmd = requireBinary("socat", "socat");
  const dir = mkdtempSync(path.join(os.tmpdir(), "brink-serial-"));
  const a = path.join(dir, "a");
  const b = path.join(dir, "b");
  const proc = await startProcess({
    cmd,
    args: ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    name: "socat",
    readyWhen: { stderrMatch: /starting data transfer loop/ },
    timeoutMs: 10_000,
  });
  return {
    a,
    b,
    process: () => proc,
    stop: async () => {
      await proc.stop("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
