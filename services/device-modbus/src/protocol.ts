/**
 * The device's `protocols` block, as EdgeX's device-modbus reads it:
 * - `modbus-tcp`: Address, Port, UnitID, Timeout, IdleTimeout
 * - `modbus-rtu`: Address (the serial device), UnitID, BaudRate, DataBits, StopBits, Parity, Timeout, IdleTimeout
 *
 * Values may be numbers or strings (EdgeX device lists write both). Timeout and IdleTimeout are seconds, as in EdgeX
 * (fractions allowed), or a Go duration such as "250ms". Keys are matched without regard to case. Brink fills the
 * keys EdgeX requires with defaults: Port 502, UnitID 1, Timeout 1 s, IdleTimeout 0 (keep the connection open),
 * BaudRate 19200, DataBits 8, StopBits 1, Parity N. One Brink key is optional in both blocks: MaxRegistersPerRead
 * (1..125), for devices that refuse long reads (Eastron meters answer at most 80 registers).
 */
import { ErrorKind, parseGoDuration, type Device } from "@brink/contracts";
import { ModbusError, ModbusErrorCode } from "./errors.js";

/** The protocol block of Modbus TCP. */
export const MODBUS_TCP = "modbus-tcp";
/** The protocol block of Modbus RTU. */
export const MODBUS_RTU = "modbus-rtu";
/** Default Modbus TCP port. */
export const DEFAULT_TCP_PORT = 502;
/** Default per-request timeout when the protocol block names none, ms. */
export const DEFAULT_TIMEOUT_MS = 1000;
/** Default serial speed, baud. */
export const DEFAULT_BAUD_RATE = 19_200;

/** Serial parity. */
export type Parity = "none" | "even" | "odd";

/** A Modbus TCP endpoint: one connection per host:port, shared by its unit ids. */
export interface TcpLinkSpec {
  readonly kind: "tcp";
  /** `tcp://host:port`: the connection's identity. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
}

/** A serial line: one queue per line, shared by its unit ids. */
export interface RtuLinkSpec {
  readonly kind: "rtu";
  /** `rtu://<path>`: the line's identity. */
  readonly key: string;
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly stopBits: 1 | 2;
  readonly parity: Parity;
}

/** A connection (TCP) or serial line (RTU). */
export type LinkSpec = TcpLinkSpec | RtuLinkSpec;

/** How to reach one device. */
export interface DeviceAddress {
  readonly link: LinkSpec;
  readonly unitId: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  /** Close the connection after this long without requests, ms; 0 keeps it open. */
  readonly idleTimeoutMs: number;
  /** The device's own limit of registers per read (`MaxRegistersPerRead`), when below the driver's. */
  readonly maxRegistersPerRead?: number;
}

type Block = Readonly<Record<string, unknown>>;

function lookup(block: Block, key: string): unknown {
  if (Object.hasOwn(block, key)) return block[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(block)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function findBlock(protocols: Readonly<Record<string, unknown>>, name: string): Block | undefined {
  const v = lookup(protocols, name);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Block) : undefined;
}

class Problems {
  readonly list: string[] = [];

  int(block: Block, key: string, fallback: number, min: number, max: number, prefix: string): number {
    const raw = lookup(block, key);
    if (raw === undefined || raw === null || raw === "") return fallback;
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw.trim()) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      this.list.push(`${prefix}.${key} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  }

  durationMs(block: Block, key: string, fallback: number, prefix: string): number {
    const raw = lookup(block, key);
    if (raw === undefined || raw === null || raw === "") return fallback;
    let ms = Number.NaN;
    if (typeof raw === "number") ms = raw * 1000;
    else if (typeof raw === "string") {
      const t = raw.trim();
      if (/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(t)) ms = Number(t) * 1000;
      else {
        try {
          ms = parseGoDuration(t);
        } catch {
          ms = Number.NaN;
        }
      }
    }
    if (!Number.isFinite(ms) || ms < 0) {
      this.list.push(`${prefix}.${key} must be seconds (a number) or a Go duration such as "500ms", got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return ms;
  }

  text(block: Block, key: string, prefix: string): string | undefined {
    const raw = lookup(block, key);
    if (typeof raw === "string" && raw.trim() !== "") return raw.trim();
    this.list.push(`${prefix}.${key} is required (a non-empty string)`);
    return undefined;
  }
}

function parity(raw: unknown, problems: Problems): Parity {
  if (raw === undefined || raw === null || raw === "") return "none";
  const t = String(raw).trim().toLowerCase();
  if (t === "n" || t === "none") return "none";
  if (t === "e" || t === "even") return "even";
  if (t === "o" || t === "odd") return "odd";
  problems.list.push(`${MODBUS_RTU}.Parity must be N, E or O, got ${JSON.stringify(raw)}`);
  return "none";
}

function invalid(device: Device, problems: readonly string[]): ModbusError {
  return new ModbusError(ErrorKind.ContractInvalid, ModbusErrorCode.ProtocolInvalid, `device ${device.name}: ${problems.join("; ")}`, {
    details: { device: device.name, problems },
  });
}

/**
 * Reads a device's Modbus address from its `modbus-tcp` or `modbus-rtu` block.
 * @throws ModbusError MODBUS_PROTOCOL_INVALID (kind ContractInvalid) listing every problem: no block, both blocks, a
 *   missing Address, a value out of range.
 */
export function parseDeviceAddress(device: Device): DeviceAddress {
  const protocols: unknown = device.protocols;
  if (protocols === null || typeof protocols !== "object" || Array.isArray(protocols)) throw invalid(device, ["protocols must be an object"]);
  const tcp = findBlock(protocols as Record<string, unknown>, MODBUS_TCP);
  const rtu = findBlock(protocols as Record<string, unknown>, MODBUS_RTU);
  if (tcp !== undefined && rtu !== undefined) throw invalid(device, [`protocols has both ${MODBUS_TCP} and ${MODBUS_RTU}; choose one`]);
  if (tcp === undefined && rtu === undefined) throw invalid(device, [`protocols needs a ${MODBUS_TCP} or a ${MODBUS_RTU} block`]);
  const p = new Problems();
  const block = (tcp ?? rtu)!;
  const prefix = tcp !== undefined ? MODBUS_TCP : MODBUS_RTU;
  const timeoutMs = p.durationMs(block, "Timeout", DEFAULT_TIMEOUT_MS, prefix);
  const idleTimeoutMs = p.durationMs(block, "IdleTimeout", 0, prefix);
  if (timeoutMs === 0) p.list.push(`${prefix}.Timeout must be above zero`);
  let link: LinkSpec;
  let unitId: number;
  if (tcp !== undefined) {
    const host = p.text(tcp, "Address", prefix) ?? "";
    const port = p.int(tcp, "Port", DEFAULT_TCP_PORT, 1, 65_535, prefix);
    unitId = p.int(tcp, "UnitID", 1, 0, 255, prefix);
    const bracketed = host.includes(":") ? `[${host}]` : host;
    link = { kind: "tcp", key: `tcp://${bracketed}:${port}`, host, port };
  } else {
    const path = p.text(rtu!, "Address", prefix) ?? "";
    unitId = p.int(rtu!, "UnitID", 1, 1, 255, prefix);
    const baudRate = p.int(rtu!, "BaudRate", DEFAULT_BAUD_RATE, 1, 10_000_000, prefix);
    const dataBits = p.int(rtu!, "DataBits", 8, 5, 8, prefix) as 5 | 6 | 7 | 8;
    const stopBits = p.int(rtu!, "StopBits", 1, 1, 2, prefix) as 1 | 2;
    link = { kind: "rtu", key: `rtu://${path}`, path, baudRate, dataBits, stopBits, parity: parity(lookup(rtu!, "Parity"), p) };
  }
  const maxRegisters = p.int(block, "MaxRegistersPerRead", 0, 1, 125, prefix);
  if (p.list.length > 0) throw invalid(device, p.list);
  return maxRegisters === 0 ? { link, unitId, timeoutMs, idleTimeoutMs } : { link, unitId, timeoutMs, idleTimeoutMs, maxRegistersPerRead: maxRegisters };
}

/** True when two link specs describe the same line with the same settings. */
export function sameLinkSettings(a: LinkSpec, b: LinkSpec): boolean {
  if (a.kind === "tcp" || b.kind === "tcp") return a.key === b.key;
  return a.key === b.key && a.baudRate === b.baudRate && a.dataBits === b.dataBits && a.stopBits === b.stopBits && a.parity === b.parity;
}

/** The line settings of an RTU link, as `19200 8N1`. */
export function describeSerial(link: RtuLinkSpec): string {
  return `${link.baudRate} ${link.dataBits}${link.parity[0]!.toUpperCase()}${link.stopBits}`;
}
