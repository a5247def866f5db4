/**
 * The protocols the simulated serial instrument speaks. Each is written from its specification, independently of
 * device-serial's own code (its own checksums, its own framing), so tests compare two implementations:
 *
 * - `sim`: Brink's text instrument. CRLF lines; `ID?`, `READ?<ch>` -> `VAL <ch> <v>`, `SET <ch> <v>` -> `OK`,
 *   `JSON?`, `MODE?`/`MODE <m>`, `STREAM <ms>`; streams `DATA,<seq>,<ch1>,<ch2>`. With units (RS-485 multi-drop)
 *   every line is prefixed `NN:`; with checksums every line it sends ends `*hh` (XOR, as NMEA).
 * - `binary`: frames `AA len payload crc16-modbus(LE)`, payload `addr cmd data`; cmd 01 read, 02 write setpoint,
 *   83 streamed. See the `binary` section below for the byte layout.
 * - `nmea`: an NMEA 0183 GPS receiver streaming GGA and RMC sentences; answers `$PMTK220,<ms>` (update rate).
 * - `mt-sics`: a Mettler Toledo balance speaking MT-SICS level 0/1 (`S`, `SI`, `SIR`, `Z`, `T`, `TA`, `TAC`, `I2`,
 *   `I4`, `@`), after the MT-SICS Reference Manual.
 */

/** What a protocol can do to the line. */
export interface InstrumentIO {
  /** Writes one complete frame. */
  send(frame: Buffer): void;
  /** Starts (ms > 0) or stops (0) periodic streaming of `streamFrame()`. */
  setStreaming(intervalMs: number): void;
}

/** One protocol. */
export interface InstrumentProtocol {
  /** Bytes received from the driver. */
  receive(chunk: Buffer): void;
  /** The next streamed frame (periodic streaming and bursts). */
  streamFrame(): Buffer;
  /** The same frame with a wrong checksum (unchanged when the protocol has no checksum). */
  corrupt(frame: Buffer): Buffer;
  /** Changes simulated state (`load`, `stable`, `fix`, channel values...). */
  set(key: string, value: unknown): void;
  /** Requests received, as text. */
  readonly received: string[];
}

/** Options of the protocols. */
export interface ProtocolOptions {
  /** sim and binary: unit addresses that answer (RS-485 multi-drop); sim without units uses no prefix. */
  readonly units?: readonly number[];
  /** sim: end every sent line with `*hh`. */
  readonly checksum?: boolean;
}

function xorHex(text: string): string {
  let x = 0;
  for (let i = 0; i < text.length; i++) x ^= text.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, "0");
}

/** CRC-16/MODBUS, bit by bit (the driver uses a table: two implementations). */
export function crc16ModbusBitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Splits CRLF (or LF) lines out of a growing buffer. */
class LineSplitter {
  private pending = "";
  push(chunk: Buffer, onLine: (line: string) => void): void {
    this.pending += chunk.toString("latin1");
    let i: number;
    while ((i = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, i).replace(/\r$/, "");
      this.pending = this.pending.slice(i + 1);
      if (line !== "") onLine(line);
    }
  }
}

/** Brink's simulated text instrument. */
class SimText implements InstrumentProtocol {
  readonly received: string[] = [];
  private readonly lines = new LineSplitter();
  private readonly channels = new Map<number, string>([[1, "21.5"], [2, "45.25"], [3, "-3"], [4, "1000"]]);
  private mode = "run";
  private seq = 0;

  constructor(private readonly io: InstrumentIO, private readonly options: ProtocolOptions) {}

  private line(text: string, unit?: number): Buffer {
    const prefixed = unit === undefined ? text : `${String(unit).padStart(2, "0")}:${text}`;
    return Buffer.from(`${prefixed}${this.options.checksum ? `*${xorHex(prefixed)}` : ""}\r\n`, "latin1");
  }

  receive(chunk: Buffer): void {
    this.lines.push(chunk, (raw) => {
      this.received.push(raw);
      let line = raw;
      let unit: number | undefined;
      const cs = /^(.*)\*([0-9A-Fa-f]{2})$/.exec(line);
      if (cs) {
        if (xorHex(cs[1]!) !== cs[2]!.toUpperCase()) return this.io.send(this.line("ERR CS"));
        line = cs[1]!;
      }
      if (this.options.units !== undefined) {
        const m = /^(\d{2}):(.*)$/.exec(line);
        if (!m || !this.options.units.includes(Number(m[1]))) return; // another unit's request: stay quiet
        unit = Number(m[1]);
        line = m[2]!;
      }
      for (const answer of this.answer(line, unit)) this.io.send(this.line(answer, unit));
    });
  }

  private answer(line: string, unit: number | undefined): string[] {
    let m: RegExpExecArray | null;
    if (line === "ID?") return [`BRINK,SIM-100,SN${String(unit ?? 1).padStart(4, "0")},1.0`];
    if ((m = /^READ\?(\d+)$/.exec(line))) {
      const v = this.channels.get(Number(m[1]));
      return [v === undefined ? "ERR 2" : `VAL ${m[1]} ${this.value(Number(m[1]), unit)}`];
    }
    if ((m = /^SET (\d+) (\S+)$/.exec(line))) {
      if (!this.channels.has(Number(m[1]))) return ["ERR 2"];
      if (!Number.isFinite(Number(m[2]))) return ["ERR 3"];
      this.channels.set(Number(m[1]), m[2]!);
      return ["OK"];
    }
    if (line === "JSON?") {
      return [JSON.stringify({ temperature: Number(this.channels.get(1)), humidity: Number(this.channels.get(2)), status: { ok: true, mode: this.mode }, alarms: [3, 7] })];
    }
    if (line === "MODE?") return [`MODE ${this.mode}`];
    if ((m = /^MODE (\w+)$/.exec(line))) {
      this.mode = m[1]!;
      return ["OK"];
    }
    if ((m = /^STREAM (\d+)$/.exec(line))) {
      this.io.setStreaming(Number(m[1]));
      return ["OK"];
    }
    return ["ERR 1"];
  }

  /** Channel value; a second unit reads its channels times ten, so tests can tell units apart. */
  private value(ch: number, unit: number | undefined): string {
    const v = this.channels.get(ch)!;
    return unit === undefined || unit === this.options.units?.[0] ? v : String(Number(v) * 10);
  }

  streamFrame(): Buffer {
    this.seq++;
    return this.line(`DATA,${this.seq},${this.channels.get(1)},${this.channels.get(2)}`, this.options.units?.[0]);
  }

  corrupt(frame: Buffer): Buffer {
    if (!this.options.checksum) return frame;
    const out = Buffer.from(frame);
    const star = out.lastIndexOf(0x2a);
    out[star + 1] = out[star + 1] === 0x30 ? 0x31 : 0x30;
    return out;
  }

  set(key: string, value: unknown): void {
    const ch = /^ch(\d)$/.exec(key);
    if (ch) this.channels.set(Number(ch[1]), String(value));
  }
}

/**
 * binary: `AA len addr cmd data... crcLo crcHi`, len = bytes of addr+cmd+data, CRC-16/MODBUS over AA..data.
 * 01 read -> 81: temp i16BE (0.1 °C), counter u32LE, pressure f32BE (bar), status u8 (bit0 running, bit1 alarm),
 * setpoint u16BE. 02 <u16BE> write setpoint -> 82 <u16BE>. Streamed 83: temp i16BE, seq u32LE. Unknown -> FF 01.
 */
class BinaryDevice implements InstrumentProtocol {
  readonly received: string[] = [];
  private pending = Buffer.alloc(0);
  private counter = 0;
  private setpoint = 500;
  private seq = 0;
  private temp = 215;

  constructor(private readonly io: InstrumentIO, private readonly options: ProtocolOptions) {}

  static frame(payload: Buffer): Buffer {
    const body = Buffer.concat([Buffer.from([0xaa, payload.length]), payload]);
    const crc = crc16ModbusBitwise(body);
    return Buffer.concat([body, Buffer.from([crc & 0xff, crc >>> 8])]);
  }

  receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const start = this.pending.indexOf(0xaa);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        return;
      }
      this.pending = this.pending.subarray(start);
      if (this.pending.length < 2) return;
      const total = 2 + this.pending[1]! + 2;
      if (this.pending.length < total) return;
      const frame = this.pending.subarray(0, total);
      this.pending = this.pending.subarray(total);
      this.received.push(frame.toString("hex"));
      const crc = crc16ModbusBitwise(frame.subarray(0, total - 2));
      if (frame[total - 2] !== (crc & 0xff) || frame[total - 1] !== crc >>> 8) continue;
      const addr = frame[2]!;
      if (!(this.options.units ?? [1]).includes(addr)) continue;
      this.io.send(BinaryDevice.frame(this.answer(addr, frame[3]!, frame.subarray(4, total - 2))));
    }
  }

  private answer(addr: number, cmd: number, data: Buffer): Buffer {
    if (cmd === 0x01) {
      this.counter++;
      const p = Buffer.alloc(15);
      p[0] = addr;
      p[1] = 0x81;
      p.writeInt16BE(addr === 1 ? this.temp : -this.temp, 2);
      p.writeUInt32LE(this.counter, 4);
      p.writeFloatBE(1.5, 8);
      p[12] = 0b01;
      p.writeUInt16BE(this.setpoint, 13);
      return p;
    }
    if (cmd === 0x02 && data.length === 2) {
      this.setpoint = data.readUInt16BE(0);
      return Buffer.from([addr, 0x82, data[0]!, data[1]!]);
    }
    return Buffer.from([addr, 0xff, 0x01]);
  }

  streamFrame(): Buffer {
    this.seq++;
    const p = Buffer.alloc(8);
    p[0] = this.options.units?.[0] ?? 1;
    p[1] = 0x83;
    p.writeInt16BE(this.temp, 2);
    p.writeUInt32LE(this.seq, 4);
    return BinaryDevice.frame(p);
  }

  corrupt(frame: Buffer): Buffer {
    const out = Buffer.from(frame);
    out[out.length - 1] = out[out.length - 1]! ^ 0xff;
    return out;
  }

  set(key: string, value: unknown): void {
    if (key === "temp") this.temp = Number(value);
  }
}

/** NMEA 0183 GPS receiver: GGA and RMC every interval, position walking slowly north-east from 48°07.038' N 11°31.000' E. */
class NmeaGps implements InstrumentProtocol {
  readonly received: string[] = [];
  private readonly lines = new LineSplitter();
  private seq = 0;
  private fix = true;
  private next: "GGA" | "RMC" = "GGA";

  constructor(private readonly io: InstrumentIO) {}

  static sentence(body: string): Buffer {
    return Buffer.from(`$${body}*${xorHex(body)}\r\n`, "latin1");
  }

  receive(chunk: Buffer): void {
    this.lines.push(chunk, (line) => {
      this.received.push(line);
      const m = /^\$(PMTK220,(\d+))\*([0-9A-F]{2})$/.exec(line);
      if (m && xorHex(m[1]!) === m[3]) {
        this.io.setStreaming(Number(m[2]));
        this.io.send(NmeaGps.sentence("PMTK001,220,3"));
      } else if (line.startsWith("$PMTK")) this.io.send(NmeaGps.sentence("PMTK001,0,1"));
    });
  }

  streamFrame(): Buffer {
    const kind = this.next;
    this.next = kind === "GGA" ? "RMC" : "GGA";
    if (kind === "GGA") this.seq++;
    const s = this.seq;
    const time = `1235${String(s % 60).padStart(2, "0")}.00`;
    const lat = `4807.${String(38 + s).padStart(3, "0")}`;
    const lon = `01131.${String(s).padStart(3, "0")}`;
    if (kind === "GGA") {
      return NmeaGps.sentence(this.fix ? `GPGGA,${time},${lat},N,${lon},E,1,08,0.9,545.4,M,46.9,M,,` : `GPGGA,${time},,,,,0,00,,,M,,M,,`);
    }
    return NmeaGps.sentence(this.fix ? `GPRMC,${time},A,${lat},N,${lon},E,022.4,084.4,230394,003.1,W,A` : `GPRMC,${time},V,,,,,,,230394,,,N`);
  }

  corrupt(frame: Buffer): Buffer {
    const out = Buffer.from(frame);
    out[10] = out[10] === 0x31 ? 0x32 : 0x31; // a digit of the time field
    return out;
  }

  set(key: string, value: unknown): void {
    if (key === "fix") this.fix = value === true;
  }
}

/** MT-SICS balance: weights with 2 decimals in g, capacity 6200 g. */
class MtSicsBalance implements InstrumentProtocol {
  readonly received: string[] = [];
  private readonly lines = new LineSplitter();
  private load = 100;
  private stable = true;
  private zero = 0;
  private tare = 0;
  private static readonly CAPACITY_G = 6200;
  private static readonly SERIAL = "B021002593";

  constructor(private readonly io: InstrumentIO) {}

  private send(text: string): void {
    this.io.send(Buffer.from(`${text}\r\n`, "latin1"));
  }

  private weight(v: number): string {
    return `${v.toFixed(2).padStart(10)} g`;
  }

  private net(): number {
    return this.load - this.zero - this.tare;
  }

  private weighing(id: "S" | "SI"): string {
    const net = this.net();
    if (net > MtSicsBalance.CAPACITY_G) return "S +";
    if (net < -MtSicsBalance.CAPACITY_G) return "S -";
    if (id === "S" && !this.stable) return "S I";
    return `S ${this.stable ? "S" : "D"} ${this.weight(net)}`;
  }

  receive(chunk: Buffer): void {
    this.lines.push(chunk, (line) => {
      this.received.push(line);
      if (line !== "SIR") this.io.setStreaming(0);
      let m: RegExpExecArray | null;
      if (line === "@") this.send(`I4 A "${MtSicsBalance.SERIAL}"`);
      else if (line === "I2") this.send(`I2 A "BRINK-SICS ${MtSicsBalance.CAPACITY_G.toFixed(1)} g"`);
      else if (line === "I4") this.send(`I4 A "${MtSicsBalance.SERIAL}"`);
      else if (line === "S" || line === "SI") this.send(this.weighing(line));
      else if (line === "SIR") this.io.setStreaming(100);
      else if (line === "Z") {
        if (!this.stable) this.send("Z I");
        else {
          this.zero = this.load - this.tare;
          this.send("Z A");
        }
      } else if (line === "T") {
        if (!this.stable) this.send("T I");
        else {
          this.tare = this.load - this.zero;
          this.send(`T S ${this.weight(this.tare)}`);
        }
      } else if (line === "TA") this.send(`TA A ${this.weight(this.tare)}`);
      else if ((m = /^TA\s+([-+]?\d+(?:\.\d+)?)\s+g$/.exec(line))) {
        this.tare = Number(m[1]);
        this.send(`TA A ${this.weight(this.tare)}`);
      } else if (line === "TAC") {
        this.tare = 0;
        this.send("TAC A");
      } else if (/^TA\b/.test(line)) this.send("TA L");
      else this.send("ES");
    });
  }

  streamFrame(): Buffer {
    return Buffer.from(`${this.weighing("SI")}\r\n`, "latin1");
  }

  corrupt(frame: Buffer): Buffer {
    return frame;
  }

  set(key: string, value: unknown): void {
    if (key === "load") this.load = Number(value);
    if (key === "stable") this.stable = value === true;
  }
}

/** The protocol names. */
export const INSTRUMENT_PROTOCOLS = ["sim", "binary", "nmea", "mt-sics"] as const;
/** One protocol name. */
export type InstrumentProtocolName = (typeof INSTRUMENT_PROTOCOLS)[number];

/** Makes the named protocol. */
export function makeProtocol(name: InstrumentProtocolName, io: InstrumentIO, options: ProtocolOptions): InstrumentProtocol {
  switch (name) {
    case "sim":
      return new SimText(io, options);
    case "binary":
      return new BinaryDevice(io, options);
    case "nmea":
      return new NmeaGps(io);
    case "mt-sics":
      return new MtSicsBalance(io);
  }
}
