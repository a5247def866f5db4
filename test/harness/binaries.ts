/**
 * Finding the peer programs tests need. A missing program fails the test loudly, naming the Debian package that
 * provides it: tests never skip.
 */
import { accessSync, constants } from "node:fs";
import path from "node:path";

// Debian installs some daemons (nats-server, mosquitto) in sbin, which is not on every user's PATH.
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * The absolute path of `cmd` (searched on PATH, then in the sbin directories), or throws an Error such as
 * "nats-server not found: install the Debian package 'nats-server' (apt-get install -y nats-server)".
 * A `cmd` holding a `/` is checked as given.
 */
export function requireBinary(cmd: string, debianPackage: string): string {
  const found = findBinary(cmd);
  if (found === undefined) {
    throw new Error(`${cmd} not found: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})`);
  }
  return found;
}

/** The absolute path of `cmd`, or undefined. */
export function findBinary(cmd: string): string | undefined {
  if (cmd.includes("/")) return isExecutable(cmd) ? path.resolve(cmd) : undefined;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== ""), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, cmd);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
