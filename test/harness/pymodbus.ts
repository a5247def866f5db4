/**
 * A real Modbus server for tests and benches: Debian's python3-pymodbus (3.0) running pymodbus_server.py, with
 * known register contents, TCP listeners on free ports of 127.0.0.1 and/or an RTU server on a serial device, and
 * per-unit faults (dead, busy, failure, garbage, slow). Debian's pymodbus is importable only by /usr/bin/python3.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { requireBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startProcess, type ProcessHandle } from "./process.js";

const SCRIPT = fileURLToPath(new URL("./pymodbus_server.py", import.meta.url));
const PYTHON = "/usr/bin/python3";

/** Contents of one unit: items from `start` on, per table; every table has `size` items (default 1000). */
export interface PymodbusUnit {
  readonly size?: number;
  /** Holding registers: start address -> values (0..65535). */
  readonly hr?: Readonly<Record<number, readonly number[]>>;
  /** Input registers. */
  readonly ir?: Readonly<Record<number, readonly number[]>>;
  /** Coils: start address -> states. */
  readonly co?: Readonly<Record<number, readonly (boolean | 0 | 1)[]>>;
  /** Discrete inputs. */
  readonly di?: Readonly<Record<number, readonly (boolean | 0 | 1)[]>>;
}

/** How a unit misbehaves: never answers, answers exception 6 or 4, answers a malformed frame, answers late. */
export type PymodbusFault = "dead" | "busy" | "failure" | "garbage" | `slow:${number}`;

/** Options of {@link startPymodbusServer}. */
export interface PymodbusServerOptions {
  /** Answering TCP listeners on free ports. @default 1, or 0 when `rtu` is given */
  readonly tcp?: number;
  /** TCP listeners that accept connections and never answer. @default 0 */
  readonly deadTcp?: number;
  /** An RTU server on this serial device (one end of a socat pair). */
  readonly rtu?: { readonly device: string; readonly baudRate?: number; readonly parity?: "N" | "E" | "O"; readonly stopBits?: 1 | 2; readonly dataBits?: 7 | 8 };
  /** Units by unit id. @default { 1: {} } */
  readonly units?: Readonly<Record<number, PymodbusUnit>>;
  /** Faults by unit id. */
  readonly faults?: Readonly<Record<number, PymodbusFault>>;
  /** How long to wait for the server, ms. @default 15000 */
  readonly timeoutMs?: number;
}

/** A running pymodbus server. */
export interface PymodbusServer {
  readonly host: "127.0.0.1";
  /** Ports of the answering TCP listeners. */
  readonly ports: readonly number[];
  /** Ports of the listeners that never answer. */
  readonly deadPorts: readonly number[];
  process(): ProcessHandle;
  output(): string;
  /** SIGTERM; `start()` brings it back on the same ports with the initial contents. */
  pause(): Promise<void>;
  /** SIGKILL, as a crash; `start()` brings it back. */
  kill9(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its config file. */
  stop(): Promise<void>;
}

function checkPymodbus(): void {
  requireBinary(PYTHON, "python3");
  const probe = spawnSync(PYTHON, ["-c", "import pymodbus"], { encoding: "utf8" });
  if (probe.status !== 0) {
    throw new Error(`pymodbus is not importable by ${PYTHON}: install the Debian package 'python3-pymodbus' (apt-get install -y python3-pymodbus)\n${probe.stderr}`);
  }
}

function tables(unit: PymodbusUnit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (unit.size !== undefined) out.size = unit.size;
  for (const key of ["hr", "ir", "co", "di"] as const) {
    const t = unit[key];
    if (t !== undefined) out[key] = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, (v as readonly (number | boolean)[]).map((x) => (typeof x === "boolean" ? (x ? 1 : 0) : x))]));
  }
  return out;
}

/**
 * Starts the server and resolves once every listener is up. Throws, naming the Debian package, when
 * python3-pymodbus is not installed.
 */
export async function startPymodbusServer(options: PymodbusServerOptions = {}): Promise<PymodbusServer> {
  checkPymodbus();
  const tcpCount = options.tcp ?? (options.rtu === undefined ? 1 : 0);
  const ports: number[] = [];
  const deadPorts: number[] = [];
  for (let i = 0; i < tcpCount; i++) ports.push(await freePort());
  for (let i = 0; i < (options.deadTcp ?? 0); i++) deadPorts.push(await freePort());
  const units = options.units ?? { 1: {} };
  const config: Record<string, unknown> = {
    tcp: [...ports.map((port) => ({ port })), ...deadPorts.map((port) => ({ port, mode: "dead" }))],
    units: Object.fromEntries(Object.entries(units).map(([id, u]) => [id, tables(u)])),
    faults: options.faults ?? {},
  };
  if (options.rtu !== undefined) {
    const r = options.rtu;
    config.rtu = { device: r.device, baudrate: r.baudRate ?? 19_200, parity: r.parity ?? "N", stopbits: r.stopBits ?? 1, bytesize: r.dataBits ?? 8 };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "brink-pymodbus-"));
  const file = path.join(dir, "server.json");
  writeFileSync(file, JSON.stringify(config));
  const launch = (): Promise<ProcessHandle> =>
    startProcess({
      cmd: PYTHON,
      args: ["-u", SCRIPT, file],
      name: `pymodbus:${[...ports, ...deadPorts].join(",") || "rtu"}`,
      readyWhen: { stdoutMatch: /^READY$/m },
      timeoutMs: options.timeoutMs ?? 15_000,
      stopGraceMs: 3000,
    });
  let current = await launch();
  return {
    host: "127.0.0.1",
    ports,
    deadPorts,
    process: () => current,
    output: () => current.output(),
    pause: async () => {
      await current.stop("SIGTERM");
    },
    kill9: async () => {
      await current.kill9();
    },
    start: async () => {
      if (current.running()) return;
      current = await launch();
    },
    stop: async () => {
      await current.stop("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
