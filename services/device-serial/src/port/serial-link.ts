/**
 * An open serial port as the port channel sees it, and its implementation on the `serialport` package. Tests replace
 * the opener with their own link to drive back-off without a port.
 */
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

/** A {@link LinkOpener} on the `serialport` package. */
export const openSerialPort: LinkOpener = (line, events) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({
      path: line.path,
      baudRate: line.baudRate,
      dataBits: line.dataBits,
      stopBits: line.stopBits,
      parity: line.parity,
      rtscts: line.flowControl === "rtscts",
      xon: line.flowControl === "xonxoff",
      xoff: line.flowControl === "xonxoff",
      autoOpen: false,
    });
    let closing = false;
    let closed = false;
    port.open((err) => {
      if (err) {
        reject(err);
        return;
      }
      port.on("data", (chunk: Buffer) => events.onData(chunk));
      // serialport emits "error" before "close" for an I/O error; "close" alone settles the state.
      port.on("error", () => undefined);
      port.on("close", (e?: Error) => {
        if (closed) return;
        closed = true;
        if (!closing) events.onClose(e ?? undefined);
      });
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
