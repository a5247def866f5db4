/**
 * An open serial port as the port channel sees it, and its implementations on the `serialport` packages. Tests
 * replace the opener with their own link to drive back-off without a port.
 *
 * On Linux and macOS the port is opened by serialport's own binding (`@serialport/bindings-cpp`: termios settings,
 * the exclusive lock, modem lines) and read and written by {@link PolledLink}: non-blocking `read`/`write` calls on
 * the event loop, woken by the binding's poller (epoll). The `serialport` stream does each read and write as a
 * thread-pool job instead, and tries a read before it polls, so every answer costs three thread-pool hand-offs:
 * that is most of a round trip's latency on a small gateway (docs/benchmarks.md, device-serial). On Windows, which
 * has no poller, the stream is used.
 */
import { readSync, writeSync } from "node:fs";
import type { EventEmitter } from "node:events";
import { autoDetect } from "@serialport/bindings-cpp";
import { SerialPort } from "serialport";
import type { LineSettings } from "../protocol.js";

/** What a link reports to its owner. */
export interface LinkEvents {
  /** Bytes received. */
  onData(chunk: Buffer): void;
  /** The port closed on its own (unplugged, I/O error). Not called for `close()`. */
  onClose(err: Error | undefined): void;
}

/** An open port. */
export interface SerialLink {
  /** Hands bytes to the OS; rejects when the port failed. */
  write(bytes: Buffer): Promise<void>;
  /** Closes the port; harmless when already closed. */
  close(): Promise<void>;
  /** False when the port is gone (I/O error on an ioctl), true when alive or unknown. */
  probe(): Promise<boolean>;
  /** Stops reading (back-pressure); the OS buffer and flow control hold the rest. */
  pause(): void;
  resume(): void;
}

/** Opens a port; rejects when it cannot be opened. */
export type LinkOpener = (line: LineSettings, events: LinkEvents) => Promise<SerialLink>;

/** Error texts of an ioctl on a port whose device is gone (a pty whose master closed, an unplugged USB adapter). */
const GONE = /Input\/output error|EIO|ENXIO|ENODEV|No such device/i;

/** What PolledLink needs of a port opened by serialport's Unix binding. */
interface PollablePort {
  readonly fd: number | null;
  readonly poller: EventEmitter & { poll(flags: number): void };
  close(): Promise<void>;
  get(): Promise<unknown>;
}

function isPollable(port: unknown): port is PollablePort {
  const p = port as Partial<PollablePort>;
  return typeof p.fd === "number" && typeof p.poller?.poll === "function";
}

// The poller's event flags (libuv's UV_READABLE and UV_WRITABLE).
const READABLE = 1;
const WRITABLE = 2;
/** Bytes taken from the port per read. */
const READ_CHUNK = 64 * 1024;
const RETRY = new Set(["EAGAIN", "EWOULDBLOCK", "EINTR"]);

interface PendingWrite {
  readonly bytes: Buffer;
  offset: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * A port read and written on the event loop (see the module comment). Reads: one non-blocking read per "readable"
 * from the poller, then the poller is armed again, so a busy port shares the loop fairly and a paused link simply
 * leaves its bytes in the OS buffer. Writes: written at once when the port takes them, the rest (a full output
 * buffer, flow control holding it) when the poller says "writable", in order.
 */
class PolledLink implements SerialLink {
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK);
  private readonly writes: PendingWrite[] = [];
  private paused = false;
  private closed = false;

  constructor(
    private readonly port: PollablePort,
    private readonly events: LinkEvents,
  ) {
    port.poller.on("readable", (err: Error | null) => (err ? this.fail(err) : this.onReadable()));
    port.poller.on("writable", (err: Error | null) => (err ? this.fail(err) : this.flushWrites()));
    this.arm();
  }

  /** Asks the poller for the events the link waits for now (the poller forgets an event once it fired). */
  private arm(): void {
    if (this.closed) return;
    this.port.poller.poll((this.paused ? 0 : READABLE) | (this.writes.length > 0 ? WRITABLE : 0));
  }

  private onReadable(): void {
    if (this.closed) return;
    const fd = this.port.fd;
    if (fd === null) return;
    let n: number;
    try {
      n = readSync(fd, this.buffer, 0, READ_CHUNK, null);
    } catch (err) {
      if (RETRY.has((err as NodeJS.ErrnoException).code ?? "")) {
        this.arm();
        return;
      }
      this.fail(err as Error);
      return;
    }
    // A raw, non-blocking tty reads 0 bytes only when it hung up (the device or the pty's other end is gone).
    if (n === 0) {
      this.fail(new Error("the port hung up"));
      return;
    }
    this.arm();
    this.events.onData(Buffer.from(this.buffer.subarray(0, n)));
  }

  write(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error("port is closed"));
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ bytes, offset: 0, resolve, reject });
      if (this.writes.length === 1) this.flushWrites();
    });
  }

  private flushWrites(): void {
    const fd = this.port.fd;
    while (this.writes.length > 0 && !this.closed && fd !== null) {
      const w = this.writes[0]!;
      try {
        w.offset += writeSync(fd, w.bytes, w.offset, w.bytes.length - w.offset);
      } catch (err) {
        if (RETRY.has((err as NodeJS.ErrnoException).code ?? "")) break;
        this.fail(err as Error);
        return;
      }
      if (w.offset < w.bytes.length) break;
      this.writes.shift();
      w.resolve();
    }
    this.arm();
  }

  /** The port failed under the link: everything pending fails, the port closes, the owner hears of it. */
  private fail(err: Error): void {
    if (this.closed) return;
    this.shut(err);
    this.events.onClose(err);
  }

  private shut(err: Error): void {
    this.closed = true;
    for (const w of this.writes.splice(0)) w.reject(err);
    if (this.port.fd !== null) this.port.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.shut(new Error("port is closed"));
  }

  async probe(): Promise<boolean> {
    if (this.closed || this.port.fd === null) return false;
    try {
      await this.port.get();
      return true;
    } catch (err) {
      return !GONE.test((err as Error).message);
    }
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.arm();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.arm();
  }
}

/** The line settings as serialport's binding (and so its stream) opens a port with them. */
function openOptions(line: LineSettings) {
  return {
    path: line.path,
    baudRate: line.baudRate,
    dataBits: line.dataBits,
    stopBits: line.stopBits,
    // The binding's types list none/even/odd; its native code takes mark and space too.
    parity: line.parity as "none" | "even" | "odd",
    rtscts: line.flowControl === "rtscts",
    xon: line.flowControl === "xonxoff",
    xoff: line.flowControl === "xonxoff",
  };
}

/**
 * A {@link LinkOpener} on serialport's binding: the port opened as `serialport` opens it (exclusive lock, raw mode),
 * then read and written by {@link PolledLink}; on a platform whose binding has no poller (Windows), by the
 * `serialport` stream ({@link openSerialPortStream}).
 */
export const openSerialPort: LinkOpener = async (line, events) => {
  if (process.platform === "win32") return openSerialPortStream(line, events);
  const port: unknown = await autoDetect().open(openOptions(line));
  if (!isPollable(port)) {
    await (port as { close(): Promise<void> }).close();
    throw new Error(`the serial binding of ${process.platform} has no poller`);
  }
  return new PolledLink(port, events);
};

/** A {@link LinkOpener} on the `serialport` stream (reads and writes on the thread pool). */
export const openSerialPortStream: LinkOpener = (line, events) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ ...openOptions(line), autoOpen: false });
    let closing = false;
    let closed = false;
    port.open((err) => {
      if (err) {
        reject(err);
        return;
      }
      const lost = (e: Error | undefined): void => {
        if (closed) return;
        closed = true;
        if (!closing) events.onClose(e);
      };
      port.on("data", (chunk: Buffer) => events.onData(chunk));
      // A disconnect normally ends in "close", after an "error" while the port is still open or closing. One whose
      // close fails ends in that "error" alone, with the port neither open nor closing; a read of 0 bytes ends the
      // stream without either. Each is the loss of the port.
      port.on("close", (e?: Error) => lost(e ?? undefined));
      port.on("error", (e: Error) => {
        if (!port.isOpen && !port.closing) lost(e);
      });
      port.on("end", () => lost(new Error(`${line.path}: the port reached end of file`)));
      resolve({
        write: (bytes) =>
          new Promise<void>((res, rej) => {
            if (!port.isOpen) {
              rej(new Error("port is closed"));
              return;
            }
            port.write(bytes, (e) => (e ? rej(e) : res()));
          }),
        close: () =>
          new Promise<void>((res) => {
            closing = true;
            if (!port.isOpen) {
              res();
              return;
            }
            port.close(() => res());
          }),
        probe: () =>
          new Promise<boolean>((res) => {
            if (!port.isOpen) {
              res(false);
              return;
            }
            port.get((e) => res(!(e && GONE.test(e.message))));
          }),
        pause: () => port.pause(),
        resume: () => port.resume(),
      });
    });
  });
