/**
 * The device's `serial` protocol block: the port and its line settings, the framing of the byte stream, the
 * checksum, and request timing. Keys are matched case-insensitively (EdgeX device lists often capitalise them) and
 * numbers may be written as strings (EdgeX v2 stored every protocol property as a string). Every key of the block is
 * also a template variable (`{address}` in a request template).
 */
import type { Device } from "@brink/contracts";
import { parseByteSequence } from "./bytes.js";
import { protocolInvalid, type InputProblem } from "./errors.js";
import { CHECKSUM_ALGORITHMS, CHECKSUM_DEFAULT_ENDIAN, type ChecksumAlgorithm } from "./framing/checksum.js";

/** Name of the protocol block. */
export const SERIAL_PROTOCOL = "serial";

/** Default baud rate. @default 9600 */
export const DEFAULT_BAUD_RATE = 9600;
/** Default answer timeout of one request, ms. @default 1000 */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 1000;
/** Default largest frame accepted; longer input is dropped and counted, bytes. @default 4096 */
export const DEFAULT_MAX_FRAME_BYTES = 4096;
/** Default age after which an unfinished frame is dropped when more bytes arrive, ms. @default 500 */
export const DEFAULT_PARTIAL_TIMEOUT_MS = 500;

/** Parity settings. */
export const Parity = { None: "none", Even: "even", Odd: "odd", Mark: "mark", Space: "space" } as const;
/** One parity setting. */
export type Parity = (typeof Parity)[keyof typeof Parity];

/** Flow control settings. */
export const FlowControl = { None: "none", RtsCts: "rtscts", XonXoff: "xonxoff" } as const;
/** One flow control setting. */
export type FlowControl = (typeof FlowControl)[keyof typeof FlowControl];

/** How the byte stream is cut into frames. */
export const FramingKind = { Delimiter: "delimiter", Fixed: "fixed", StartEnd: "startEnd", LengthPrefix: "lengthPrefix" } as const;
/** One framing kind. */
export type FramingKind = (typeof FramingKind)[keyof typeof FramingKind];

/** The port and its line settings; devices that share a path must agree on them. */
export interface LineSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly stopBits: 1 | 1.5 | 2;
  readonly parity: Parity;
  readonly flowControl: FlowControl;
}

/** A frame checksum and where it sits. */
export interface ChecksumSettings {
  readonly algorithm: ChecksumAlgorithm;
  /** `binary`: the value's bytes; `hex`: ASCII hex digits (NMEA's `*47`). */
  readonly encoding: "binary" | "hex";
  /** Byte order of a 16-bit binary checksum (hex digits are always written most significant first). */
  readonly endian: "big" | "little";
  /** Bytes between the covered data and the checksum (NMEA: `*`); not covered. */
  readonly separator: Buffer;
  /** Leading frame bytes the checksum does not cover (NMEA: 1, the `$`). */
  readonly skip: number;
  /** startEnd framing only: the checksum follows the end byte (and covers it), or precedes it. */
  readonly position: "afterEnd" | "beforeEnd";
}

/** How frames are found in the byte stream. */
export type FramingSettings =
  | { readonly kind: "delimiter"; readonly delimiter: Buffer }
  | { readonly kind: "fixed"; readonly frameLength: number; readonly startByte: number | undefined }
  | { readonly kind: "startEnd"; readonly startByte: number; readonly endByte: number }
  | {
      readonly kind: "lengthPrefix";
      readonly lengthOffset: number;
      readonly lengthBytes: 1 | 2 | 4;
      readonly lengthEndian: "big" | "little";
      readonly lengthAdjust: number;
      readonly startByte: number | undefined;
    };

/** What a port's framer needs: the framing, the checksum and the size limit. */
export interface FrameSettings {
  readonly framing: FramingSettings;
  readonly checksum: ChecksumSettings | undefined;
  readonly maxFrameBytes: number;
}

/** Everything the `serial` block of one device says. */
export interface SerialSettings extends FrameSettings {
  readonly line: LineSettings;
  /** Answer timeout of one request, ms. */
  readonly timeoutMs: number;
  /** Pause after each exchange before the port's next request (RS-485 turnaround), ms. */
  readonly turnaroundMs: number;
  /** `raw`: request and write templates go on the wire as written; `framed`: the driver adds the framing. */
  readonly requestFraming: "raw" | "framed";
  /** An unfinished frame older than this is dropped when more bytes arrive (0: never), ms. */
  readonly partialTimeoutMs: number;
  /** The device counts as DOWN when no frame of it arrived for this long (0: off), ms. */
  readonly idleTimeoutMs: number;
  /** A streamed value is served to reads while younger than this, ms. */
  readonly streamMaxAgeMs: number;
  /** Template variables: every key of the block, by its name as written and in lower case. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Equal for two devices exactly when they can share the port (same line, framing and checksum). */
  readonly portKey: string;
}

/** Defaults the driver config supplies. */
export interface ProtocolDefaults {
  readonly timeoutMs: number;
  readonly partialTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly streamMaxAgeMs: number;
}

const DEFAULTS: ProtocolDefaults = {
  timeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS,
  partialTimeoutMs: DEFAULT_PARTIAL_TIMEOUT_MS,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  streamMaxAgeMs: 10_000,
};

const PARITY_ALIASES: Readonly<Record<string, Parity>> = { none: "none", n: "none", even: "even", e: "even", odd: "odd", o: "odd", mark: "mark", m: "mark", space: "space", s: "space" };
const FLOW_ALIASES: Readonly<Record<string, FlowControl>> = { none: "none", rtscts: "rtscts", hardware: "rtscts", xonxoff: "xonxoff", software: "xonxoff" };
const FRAMING_ALIASES: Readonly<Record<string, FramingKind>> = {
  delimiter: "delimiter",
  line: "delimiter",
  fixed: "fixed",
  fixedlength: "fixed",
  startend: "startEnd",
  stxetx: "startEnd",
  lengthprefix: "lengthPrefix",
};

/** Reads the block's properties case-insensitively and records problems by key. */
class BlockReader {
  readonly problems: InputProblem[] = [];
  private readonly byLower = new Map<string, [string, unknown]>();

  constructor(block: Readonly<Record<string, unknown>>) {
    for (const [k, v] of Object.entries(block)) this.byLower.set(k.toLowerCase(), [k, v]);
  }

  raw(key: string): unknown {
    return this.byLower.get(key.toLowerCase())?.[1];
  }

  has(key: string): boolean {
    const v = this.raw(key);
    return v !== undefined && v !== null && v !== "";
  }

  problem(key: string, message: string): void {
    this.problems.push({ path: key, message });
  }

  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.problem(key, "must be a string");
    return undefined;
  }

  number(key: string, fallback: number, check: (n: number) => boolean, what: string): number {
    const v = this.raw(key);
    if (v === undefined || v === null || v === "") return fallback;
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || !check(n)) {
      this.problem(key, `must be ${what}`);
      return fallback;
    }
    return n;
  }

  choice<T extends string>(key: string, fallback: T, aliases: Readonly<Record<string, T>>): T {
    const v = this.string(key);
    if (v === undefined) return fallback;
    const t = aliases[v.toLowerCase().replace(/[\s_-]/g, "")];
    if (t === undefined) this.problem(key, `must be one of ${[...new Set(Object.values(aliases))].join(", ")}`);
    return t ?? fallback;
  }

  bytes(key: string, fallback: Buffer | undefined): Buffer | undefined {
    if (!this.has(key)) return fallback;
    const b = parseByteSequence(this.raw(key));
    if (b === undefined) this.problem(key, "must be bytes: a string with escapes such as \"\\r\\n\" or \"\\x02\", or a hex byte such as \"0x02\"");
    return b ?? fallback;
  }

  singleByte(key: string, fallback: number | undefined): number | undefined {
    const b = this.bytes(key, fallback === undefined ? undefined : Buffer.from([fallback]));
    if (b !== undefined && b.length !== 1) {
      this.problem(key, "must be exactly one byte");
      return fallback;
    }
    return b?.[0];
  }
}

const isInt = (min: number, max = Number.MAX_SAFE_INTEGER) => (n: number) => Number.isInteger(n) && n >= min && n <= max;

function readFraming(r: BlockReader, defaults: ProtocolDefaults): FrameSettings {
  const kind = r.choice<FramingKind>("framing", "delimiter", FRAMING_ALIASES);
  let framing: FramingSettings;
  switch (kind) {
    case "delimiter":
      framing = { kind, delimiter: r.bytes("delimiter", Buffer.from("\r\n", "latin1"))! };
      break;
    case "fixed":
      if (!r.has("frameLength")) r.problem("frameLength", "is required for fixed framing");
      framing = { kind, frameLength: r.number("frameLength", 1, isInt(1, 65536), "an integer 1..65536"), startByte: r.singleByte("startByte", undefined) };
      break;
    case "startEnd":
      framing = { kind, startByte: r.singleByte("startByte", 0x02)!, endByte: r.singleByte("endByte", 0x03)! };
      break;
    case "lengthPrefix":
      framing = {
        kind,
        lengthOffset: r.number("lengthOffset", 0, isInt(0, 1024), "an integer 0..1024"),
        lengthBytes: r.number("lengthBytes", 1, (n) => n === 1 || n === 2 || n === 4, "1, 2 or 4") as 1 | 2 | 4,
        lengthEndian: r.choice("lengthEndian", "big", { big: "big", little: "little" }),
        lengthAdjust: r.number("lengthAdjust", 0, isInt(-65536, 65536), "an integer"),
        startByte: r.singleByte("startByte", undefined),
      };
      break;
  }
  const algorithm = r.string("checksum");
  let checksum: ChecksumSettings | undefined;
  if (algorithm !== undefined && algorithm.toLowerCase() !== "none") {
    const a = CHECKSUM_ALGORITHMS.find((x) => x === algorithm.toLowerCase());
    if (a === undefined) r.problem("checksum", `must be one of none, ${CHECKSUM_ALGORITHMS.join(", ")}`);
    else {
      checksum = {
        algorithm: a,
        encoding: r.choice("checksumEncoding", "binary", { binary: "binary", hex: "hex", ascii: "hex" }),
        endian: r.choice("checksumEndian", CHECKSUM_DEFAULT_ENDIAN[a], { big: "big", little: "little" }),
        separator: r.bytes("checksumSeparator", Buffer.alloc(0))!,
        skip: r.number("checksumSkip", framing.kind === "startEnd" ? 1 : 0, isInt(0, 65536), "an integer ≥ 0"),
        position: r.choice("checksumPosition", "afterEnd", { afterend: "afterEnd", beforeend: "beforeEnd" }),
      };
    }
  }
  const maxFrameBytes = r.number("maxFrameBytes", defaults.maxFrameBytes, isInt(1, 1 << 24), "an integer ≥ 1");
  if (framing.kind === "fixed" && framing.frameLength > maxFrameBytes) r.problem("frameLength", "must not exceed maxFrameBytes");
  return { framing, checksum, maxFrameBytes };
}

/** A stable text key of the frame settings, so equal settings compare equal. */
function frameKey(f: FrameSettings): string {
  const bytes = (b: Buffer) => b.toString("hex");
  const framing = Object.entries(f.framing)
    .map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? bytes(v) : String(v)}`)
    .join(",");
  const c = f.checksum;
  const checksum = c ? `${c.algorithm},${c.encoding},${c.endian},${bytes(c.separator)},${c.skip},${c.position}` : "none";
  return `${framing};${checksum};${f.maxFrameBytes}`;
}

/**
 * Reads and checks a device's `serial` block, reporting every problem at once.
 * @throws SerialError kind ContractInvalid, code SERIAL_PROTOCOL_INVALID
 */
export function parseSerialProtocol(device: Pick<Device, "name" | "protocols">, defaults: ProtocolDefaults = DEFAULTS): SerialSettings {
  const protocols: unknown = device.protocols;
  const block = protocols !== null && typeof protocols === "object" ? (protocols as Record<string, unknown>)[SERIAL_PROTOCOL] : undefined;
  if (block === null || typeof block !== "object" || Array.isArray(block)) {
    throw protocolInvalid(device.name, [{ path: "", message: `the device needs a "${SERIAL_PROTOCOL}" protocol block` }]);
  }
  const r = new BlockReader(block as Record<string, unknown>);
  const path = r.string("path") ?? r.string("deviceLocation");
  if (path === undefined) r.problem("path", "is required (the port, such as /dev/ttyUSB0)");
  const line: LineSettings = {
    path: path ?? "",
    baudRate: r.number("baudRate", DEFAULT_BAUD_RATE, isInt(1, 100_000_000), "a positive integer"),
    dataBits: r.number("dataBits", 8, (n) => n === 5 || n === 6 || n === 7 || n === 8, "5, 6, 7 or 8") as LineSettings["dataBits"],
    stopBits: r.number("stopBits", 1, (n) => n === 1 || n === 1.5 || n === 2, "1, 1.5 or 2") as LineSettings["stopBits"],
    parity: r.choice("parity", "none", PARITY_ALIASES),
    flowControl: r.choice("flowControl", "none", FLOW_ALIASES),
  };
  const frame = readFraming(r, defaults);
  const settings: SerialSettings = {
    ...frame,
    line,
    timeoutMs: r.number("timeoutMs", defaults.timeoutMs, isInt(1, 3_600_000), "an integer 1..3600000"),
    turnaroundMs: r.number("turnaroundMs", 0, isInt(0, 60_000), "an integer 0..60000"),
    requestFraming: r.choice("requestFraming", "raw", { raw: "raw", framed: "framed" }),
    partialTimeoutMs: r.number("partialTimeoutMs", defaults.partialTimeoutMs, isInt(0, 3_600_000), "an integer ≥ 0"),
    idleTimeoutMs: r.number("idleTimeoutMs", 0, isInt(0, 86_400_000), "an integer ≥ 0"),
    streamMaxAgeMs: r.number("streamMaxAgeMs", defaults.streamMaxAgeMs, isInt(0, 86_400_000), "an integer ≥ 0"),
    variables: variablesOf(block as Record<string, unknown>),
    portKey: "",
  };
  if (r.problems.length > 0) throw protocolInvalid(device.name, r.problems);
  const { path: _path, ...lineRest } = line;
  return { ...settings, portKey: `${JSON.stringify(lineRest)};${frameKey(frame)}` };
}

function variablesOf(block: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block)) {
    out[k] = v;
    out[k.toLowerCase()] ??= v;
  }
  return out;
}
