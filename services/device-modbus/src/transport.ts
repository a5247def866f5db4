/**
 * Transports: one open connection (TCP) or serial port (RTU) through `modbus-serial`, behind a small interface the
 * {@link Link} queue drives. A transport sends one request at a time and never times out by itself: deadlines,
 * queueing and reconnection belong to the link.
 */
import modbusSerial from "modbus-serial";

// modbus-serial is CommonJS whose typings declare `export default`: under NodeNext the class is `.default`, which
// the package also sets at run time (module.exports.default = module.exports).
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;
import type { LinkSpec, RtuLinkSpec, TcpLinkSpec } from "./protocol.js";

/** One Modbus request (function code and its operands). */
export type ModbusRequest =
  | { readonly fc: 1 | 2 | 3 | 4; readonly address: number; readonly count: number }
  | { readonly fc: 5; readonly address: number; readonly value: boolean }
  | { readonly fc: 6; readonly address: number; readonly value: number }
  | { readonly fc: 15; readonly address: number; readonly values: readonly boolean[] }
  | { readonly fc: 16; readonly address: number; readonly values: readonly number[] };

/** A decoded answer: bits (fc 1, 2), register bytes (fc 3, 4), or the acknowledgement of a write. */
export type ModbusResponse = { readonly bits: readonly boolean[] } | { readonly registers: Buffer } | { readonly written: true };

/** Why a request failed at the transport. */
export type TransportFailure =
  | { readonly type: "exception"; readonly exceptionCode: number }
  | { readonly type: "malformed"; readonly message: string }
  | { readonly type: "closed"; readonly message: string };

/** Callback of {@link Transport.send}. */
export type SendCallback = (failure: TransportFailure | undefined, response?: ModbusResponse) => void;

/** One connection or serial port. */
export interface Transport {
  /** Opens it; rejects with the cause when it cannot be opened. */
  open(): Promise<void>;
  /** Closes it (promptly, never rejects); harmless when closed. */
  close(): Promise<void>;
  readonly isOpen: boolean;
  /** Called once when an open transport closes by itself (peer closed, cable pulled, port error). */
  onClose(listener: (reason: string) => void): void;
  /** Discards bytes received and not yet framed (serial lines do this before each request). */
  discardInput(): void;
  /** Sends a request; `callback` runs once when an answer or a failure arrives (maybe never: the link times out). */
  send(unitId: number, request: ModbusRequest, callback: SendCallback): void;
}

/** Makes the transport of a link. */
export type TransportFactory = (spec: LinkSpec) => Transport;

interface ModbusSerialError {
  readonly message?: string;
  readonly name?: string;
  readonly modbusCode?: number;
}

interface ReadResult {
  readonly data: readonly (number | boolean)[];
  readonly buffer: Buffer;
}

/** Internals of modbus-serial's ports that framing recovery needs (present in 8.x; absent fields are ignored). */
interface PortInternals {
  _buffer?: Buffer;
  _clientRcvData?: Buffer;
}

function failureOf(err: ModbusSerialError): TransportFailure {
  if (typeof err.modbusCode === "number") return { type: "exception", exceptionCode: err.modbusCode };
  const message = err.message ?? String(err);
  if (err.name === "PortNotOpenError" || /not open/i.test(message)) return { type: "closed", message };
  return { type: "malformed", message };
}

/** A transport over a modbus-serial client; subclasses open the TCP or serial port. */
abstract class ModbusSerialTransport implements Transport {
  protected client: ModbusRTU | undefined;
  private closeListener: ((reason: string) => void) | undefined;
  /** The client being opened, and how to give up on it (close() during open, or the link's connect timeout). */
  private opening: { readonly client: ModbusRTU; abort(): void } | undefined;

  abstract open(): Promise<void>;

  /**
   * Opens `client` with `connect`, and adopts it unless close() came first: a connect that outlives the link's
   * deadline must not leave a second socket or port open behind the link's back.
   */
  protected async openWith(client: ModbusRTU, connect: () => Promise<void>): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.opening = { client, abort: () => reject(new Error("closed while connecting")) };
        connect().then(resolve, reject);
      });
    } catch (err) {
      await this.shut(client);
      throw err;
    } finally {
      if (this.opening?.client === client) this.opening = undefined;
    }
    this.adopt(client);
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  /** Wires a freshly opened client's close and error events to the close listener (once). */
  protected adopt(client: ModbusRTU): void {
    let reported = false;
    const report = (reason: string): void => {
      if (reported || this.client !== client) return;
      reported = true;
      this.client = undefined;
      this.closeListener?.(reason);
    };
    client.on("close", () => report("connection closed by the peer"));
    (client as unknown as NodeJS.EventEmitter).on("error", (err: unknown) => report(err instanceof Error ? err.message : String(err)));
    this.client = client;
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    opening?.abort();
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    await this.shut(client);
  }

  protected abstract shut(client: ModbusRTU): Promise<void>;

  discardInput(): void {
    const port = (this.client as unknown as { _port?: PortInternals } | undefined)?._port;
    if (port === undefined) return;
    if (port._buffer !== undefined && port._buffer.length > 0) port._buffer = Buffer.alloc(0);
    if (port._clientRcvData !== undefined && port._clientRcvData.length > 0) port._clientRcvData = Buffer.alloc(0);
  }

  send(unitId: number, r: ModbusRequest, callback: SendCallback): void {
    const client = this.client;
    if (client === undefined) {
      callback({ type: "closed", message: "not connected" });
      return;
    }
    // modbus-serial keeps every transaction (with this callback) until its id comes round again, 256 requests later
    // on TCP: the callback lets go of the caller once called, so a finished request holds nothing of the poll alive
    // (holding it had every poll's values promoted to the old generation, then collected there).
    let pending: SendCallback | undefined = callback;
    const once = (failure: TransportFailure | undefined, response?: ModbusResponse): void => {
      const cb = pending;
      if (cb === undefined) return;
      pending = undefined;
      cb(failure, response);
    };
    const onRead = (err: ModbusSerialError | null, res?: ReadResult): void => {
      if (err) once(failureOf(err));
      else if (r.fc === 1 || r.fc === 2) once(undefined, { bits: (res!.data as boolean[]).slice(0, r.count) });
      else once(undefined, { registers: res!.buffer });
    };
    const onWrite = (err: ModbusSerialError | null): void => {
      if (err) once(failureOf(err));
      else once(undefined, { written: true });
    };
    try {
      switch (r.fc) {
        case 1:
          client.writeFC1(unitId, r.address, r.count, onRead as never);
          break;
        case 2:
          client.writeFC2(unitId, r.address, r.count, onRead as never);
          break;
        case 3:
          client.writeFC3(unitId, r.address, r.count, onRead as never);
          break;
        case 4:
          client.writeFC4(unitId, r.address, r.count, onRead as never);
          break;
        case 5:
          client.writeFC5(unitId, r.address, r.value, onWrite as never);
          break;
        case 6:
          client.writeFC6(unitId, r.address, r.value, onWrite as never);
          break;
        case 15:
          client.writeFC15(unitId, r.address, [...r.values], onWrite as never);
          break;
        case 16:
          client.writeFC16(unitId, r.address, [...r.values], onWrite as never);
          break;
      }
    } catch (err) {
      once({ type: "closed", message: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** Modbus TCP: one socket to host:port. */
export class TcpTransport extends ModbusSerialTransport {
  constructor(private readonly spec: TcpLinkSpec) {
    super();
  }

  open(): Promise<void> {
    const client = new ModbusRTU();
    return this.openWith(client, () => client.connectTCP(this.spec.host, { port: this.spec.port, keepAlive: true, keepAliveInitialDelay: 10_000 } as never));
  }

  protected shut(client: ModbusRTU): Promise<void> {
    return new Promise((resolve) => {
      try {
        client.destroy(() => resolve());
      } catch {
        resolve();
      }
      // destroy() answers once the socket is gone; a socket that never opened has nothing to wait for.
      setImmediate(resolve);
    });
  }
}

/** Modbus RTU: one serial port through `serialport`. */
export class RtuTransport extends ModbusSerialTransport {
  constructor(private readonly spec: RtuLinkSpec) {
    super();
  }

  open(): Promise<void> {
    const client = new ModbusRTU();
    const s = this.spec;
    return this.openWith(client, () => client.connectRTUBuffered(s.path, { baudRate: s.baudRate, dataBits: s.dataBits, stopBits: s.stopBits, parity: s.parity }));
  }

  protected shut(client: ModbusRTU): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 1000);
      try {
        client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/** The default transport factory: TCP or RTU through modbus-serial. */
export const modbusSerialTransport: TransportFactory = (spec) => (spec.kind === "tcp" ? new TcpTransport(spec) : new RtuTransport(spec));
