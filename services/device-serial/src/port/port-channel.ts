/**
 * One serial port shared by every device on it (RS-485 multi-drop): one framer over the incoming bytes, and one
 * queue of exchanges (write a request, wait for the frame that answers it), run one at a time. Frames that answer
 * no exchange are unsolicited and go to `onFrame`. When the port disappears (closed by the OS, an I/O error on a
 * write or on the periodic check, or its path vanished or now names another device) the channel fails what waits,
 * reports the loss, and reopens the port with exponential back-off.
 */
import { stat } from "node:fs/promises";
import { ErrorKind, nowNanos } from "@brink/contracts";
import type { Logger } from "pino";
import { printable } from "../bytes.js";
import { SerialError, SerialErrorCode } from "../errors.js";
import { Frame } from "../framing/frame.js";
import { Framer, type FramerStats } from "../framing/framer.js";
import type { FrameSettings, LineSettings } from "../protocol.js";
import type { LinkOpener, SerialLink } from "./serial-link.js";

/** Timing of reopening and checking a port. */
export interface ReopenPolicy {
  /** First delay before reopening a lost or missing port, ms. */
  readonly initialDelayMs: number;
  /** Longest delay between two attempts, ms (the delay doubles up to it). */
  readonly maxDelayMs: number;
  /** How often an open port is checked for presence, ms (0: never). */
  readonly checkIntervalMs: number;
}

/** Collaborators and settings of {@link PortChannel}. */
export interface PortChannelOptions {
  readonly line: LineSettings;
  readonly frame: FrameSettings;
  readonly opener: LinkOpener;
  readonly reopen: ReopenPolicy;
  readonly logger: Logger;
  /** An unfinished frame older than this is dropped when more bytes arrive (0: never), ms. */
  readonly partialTimeoutMs: number;
  /** Unsolicited frames. */
  readonly onFrame: (frame: Frame) => void;
  /** The port opened (true) or was lost (false). */
  readonly onState: (open: boolean) => void;
}

/** One exchange on the port. */
export interface Exchange {
  readonly bytes: Buffer;
  /** Wait for an answer: the first frame matching `match` (any frame when absent), unless it matches `error`. */
  readonly expect?: { readonly match: RegExp | undefined; readonly error: RegExp | undefined; readonly timeoutMs: number };
  /** Pause after the exchange before the next one, ms. */
  readonly turnaroundMs: number;
  /** The exchange is dropped with SERIAL_TIMEOUT when it has not started by then (Date.now() ms). */
  readonly startBy: number;
  /** For error messages. */
  readonly what: string;
}

/** What a channel has seen. */
export interface PortStats extends FramerStats {
  bytesIn: number;
  bytesOut: number;
  exchanges: number;
  timeouts: number;
  refused: number;
  unsolicited: number;
  losses: number;
  opens: number;
  /** Exchanges waiting for their turn now. */
  queued: number;
}

interface Queued {
  readonly exchange: Exchange;
  readonly resolve: (frame: Frame | undefined) => void;
  readonly reject: (err: Error) => void;
}

interface Waiting {
  readonly match: RegExp | undefined;
  readonly error: RegExp | undefined;
  readonly settle: (frame: Frame | undefined, err?: Error) => void;
}

type State = "closed" | "opening" | "open" | "stopped";

/** See the module comment. */
export class PortChannel {
  private readonly framer: Framer;
  private readonly counters = { bytesIn: 0, bytesOut: 0, exchanges: 0, timeouts: 0, refused: 0, unsolicited: 0, losses: 0, opens: 0 };
  private readonly queue: Queued[] = [];
  private state: State = "closed";
  private link: SerialLink | undefined;
  private identity: string | undefined;
  private busy = false;
  private waiting: Waiting | undefined;
  private lastDataMs = 0;
  private attempt = 0;
  private reopenTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private paused = false;

  constructor(private readonly options: PortChannelOptions) {
    this.framer = new Framer(options.frame);
  }

  /** The port path. */
  get path(): string {
    return this.options.line.path;
  }

  /** True while the port is open. */
  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Counters of this port since the channel was made. */
  get stats(): PortStats {
    return { ...this.framer.stats, ...this.counters, queued: this.queue.length };
  }

  /** Exchanges waiting for their turn (not counting the one running). */
  get queued(): number {
    return this.queue.length;
  }

  /** Opens the port; when that fails, keeps retrying with back-off. Resolves after the first attempt. */
  async start(): Promise<void> {
    if (this.state !== "closed") return;
    await this.open();
  }

  /** Closes the port for good: stops reopening and fails every waiting and queued exchange. */
  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.reopenTimer);
    clearInterval(this.checkTimer);
    this.failAll(SerialErrorCode.PortClosed, "the serial driver stopped");
    const link = this.link;
    this.link = undefined;
    await link?.close().catch(() => undefined);
  }

  /** Stops reading the port until {@link resume} (back-pressure from slow consumers). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.link?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.link?.resume();
  }

  /**
   * Queues an exchange; resolves with the answering frame (undefined when no answer is expected).
   * @throws SerialError SERIAL_PORT_UNAVAILABLE, SERIAL_PORT_CLOSED, SERIAL_TIMEOUT, SERIAL_DEVICE_REFUSED
   */
  exchange(exchange: Exchange): Promise<Frame | undefined> {
    if (this.state !== "open") return Promise.reject(this.unavailable(exchange.what));
    return new Promise((resolve, reject) => {
      this.queue.push({ exchange, resolve, reject });
      if (!this.busy) void this.runQueue();
    });
  }

  private unavailable(what: string): SerialError {
    return new SerialError(ErrorKind.Communication, SerialErrorCode.PortUnavailable, `${what}: port ${this.path} is not open`, { details: { path: this.path } });
  }

  private async runQueue(): Promise<void> {
    this.busy = true;
    try {
      for (let q = this.queue.shift(); q !== undefined; q = this.queue.shift()) {
        const { exchange } = q;
        if (this.state !== "open") q.reject(this.unavailable(exchange.what));
        else if (Date.now() > exchange.startBy) {
          this.counters.timeouts++;
          q.reject(new SerialError(ErrorKind.Timeout, SerialErrorCode.Timeout, `${exchange.what}: waited too long for port ${this.path}`, { details: { path: this.path, queued: true } }));
        } else {
          try {
            q.resolve(await this.run(exchange));
          } catch (err) {
            q.reject(err as Error);
          }
          if (exchange.turnaroundMs > 0) await new Promise((r) => setTimeout(r, exchange.turnaroundMs));
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(x: Exchange): Promise<Frame | undefined> {
    this.counters.exchanges++;
    this.expireStalePartial(Date.now());
    const expect = x.expect;
    let answer: Promise<Frame | undefined> | undefined;
    if (expect !== undefined) {
      // Listen before writing: a fast device may answer before the write callback runs.
      answer = new Promise<Frame | undefined>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting = undefined;
          this.counters.timeouts++;
          reject(new SerialError(ErrorKind.Timeout, SerialErrorCode.Timeout, `${x.what}: no answer within ${expect.timeoutMs} ms`, { details: { path: this.path, timeoutMs: expect.timeoutMs } }));
        }, expect.timeoutMs);
        this.waiting = {
          match: expect.match,
          error: expect.error,
          settle: (frame, err) => {
            clearTimeout(timer);
            this.waiting = undefined;
            if (err) reject(err);
            else resolve(frame);
          },
        };
      });
      answer.catch(() => undefined);
    }
    // The answer does not wait for the write callback: a fast device may answer first.
    const written = this.write(x.bytes).catch((err: unknown) => {
      this.waiting?.settle(undefined, err as Error);
      this.lost("write failed", err);
      throw err;
    });
    if (answer === undefined) {
      await written;
      return undefined;
    }
    written.catch(() => undefined);
    return answer;
  }

  private async write(bytes: Buffer): Promise<void> {
    const link = this.link;
    if (link === undefined) throw this.unavailable("write");
    try {
      await link.write(bytes);
      this.counters.bytesOut += bytes.length;
    } catch (err) {
      throw new SerialError(ErrorKind.Communication, SerialErrorCode.PortClosed, `write to ${this.path} failed: ${(err as Error).message}`, { details: { path: this.path }, cause: err });
    }
  }

  private onData(chunk: Buffer): void {
    const now = Date.now();
    this.expireStalePartial(now);
    this.lastDataMs = now;
    this.counters.bytesIn += chunk.length;
    const receivedAt = nowNanos();
    this.framer.push(chunk, (payload) => this.dispatch(new Frame(payload, receivedAt)));
  }

  private expireStalePartial(now: number): void {
    const limit = this.options.partialTimeoutMs;
    if (limit > 0 && this.framer.pendingBytes > 0 && now - this.lastDataMs > limit) this.framer.dropPartial();
  }

  private dispatch(frame: Frame): void {
    const w = this.waiting;
    if (w !== undefined) {
      if (w.error !== undefined && frame.test(w.error)) {
        this.counters.refused++;
        w.settle(undefined, new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.DeviceRefused, `the device refused: ${printable(frame.payload)}`, {
          details: { path: this.path, answer: printable(frame.payload) },
        }));
        return;
      }
      if (w.match === undefined || frame.test(w.match)) {
        w.settle(frame);
        return;
      }
    }
    this.counters.unsolicited++;
    this.options.onFrame(frame);
  }

  private async open(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "opening";
    try {
      const link = await this.options.opener(this.options.line, {
        onData: (chunk) => this.onData(chunk),
        onClose: (err) => this.lost("the port closed", err),
      });
      if ((this.state as State) === "stopped") {
        await link.close();
        return;
      }
      this.link = link;
      this.identity = await identityOf(this.path);
      this.state = "open";
      this.attempt = 0;
      this.counters.opens++;
      this.framer.dropPartial();
      if (this.paused) link.pause();
      if (this.options.reopen.checkIntervalMs > 0) {
        this.checkTimer = setInterval(() => void this.check(), this.options.reopen.checkIntervalMs);
        this.checkTimer.unref();
      }
      this.options.logger.info({ path: this.path }, "serial port open");
      this.options.onState(true);
    } catch (err) {
      if ((this.state as State) === "stopped") return;
      this.state = "closed";
      this.scheduleReopen(err);
    }
  }

  private scheduleReopen(err: unknown): void {
    const { initialDelayMs, maxDelayMs } = this.options.reopen;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const level = this.attempt <= 1 ? "warn" : "debug";
    this.options.logger[level]({ path: this.path, err: err instanceof Error ? err.message : String(err), retryInMs: delay }, "serial port not available");
    this.reopenTimer = setTimeout(() => void this.open(), delay);
  }

  /** Periodic check of an open port: its path still names the device we opened, and the device still answers. */
  private async check(): Promise<void> {
    if (this.state !== "open" || this.link === undefined) return;
    const link = this.link;
    const [identity, alive] = await Promise.all([identityOf(this.path), link.probe()]);
    if (this.link !== link || this.state !== "open") return;
    if (identity === undefined) this.lost("the port path disappeared");
    else if (identity !== this.identity) this.lost("the port path names another device now");
    else if (!alive) this.lost("the port does not answer (I/O error)");
  }

  private lost(why: string, err?: unknown): void {
    if (this.state !== "open") return;
    this.state = "closed";
    clearInterval(this.checkTimer);
    this.counters.losses++;
    const link = this.link;
    this.link = undefined;
    void link?.close().catch(() => undefined);
    this.framer.dropPartial();
    this.options.logger.warn({ path: this.path, why, err: err instanceof Error ? err.message : undefined }, "serial port lost");
    this.failAll(SerialErrorCode.PortClosed, why);
    this.options.onState(false);
    this.attempt = 0;
    this.scheduleReopen(new Error(why));
  }

  private failAll(code: SerialErrorCode, why: string): void {
    const err = new SerialError(ErrorKind.Communication, code, `port ${this.path}: ${why}`, { details: { path: this.path } });
    this.waiting?.settle(undefined, err);
    for (const q of this.queue.splice(0)) q.reject(err);
  }
}

/** What a path names now (device and inode of its target), or undefined when it does not exist. */
async function identityOf(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}:${s.rdev}`;
  } catch {
    return undefined;
  }
}
