/**
 * A link is one Modbus TCP connection (host:port) or one serial line, shared by every unit id behind it, with one
 * bounded FIFO queue. Jobs (a device's read plan, a write) run one at a time:
 * - each request has its device's own timeout, so a dead device costs that timeout and nothing more; jobs of the
 *   same unit queued meanwhile fail with it instead of each waiting out another timeout;
 * - on a serial line, requests are separated by the Modbus inter-frame gap (3.5 characters, 1.75 ms above 19200
 *   baud) and stray input is discarded before each request;
 * - a connection that fails to open is retried after an exponential back-off with jitter; meanwhile jobs fail at
 *   once (MODBUS_NOT_CONNECTED) rather than queue up; a connection that closes is reopened by the next job;
 * - a malformed answer on TCP, or repeated timeouts with no answer in between, drop the connection to resynchronise.
 */
import { ErrorKind } from "@brink/contracts";
import type { DeviceServiceSdk } from "@brink/device-sdk";
import { Backoff } from "./backoff.js";
import type { ModbusDriverConfig } from "./config.js";
import { ModbusError, ModbusErrorCode, exceptionError, type RequestContext } from "./errors.js";
import type { LinkSpec } from "./protocol.js";
import type { ModbusRequest, ModbusResponse, Transport } from "./transport.js";

type Logger = DeviceServiceSdk["logger"];

/** Timers the link runs on (global timers by default; fake ones in tests). */
export interface LinkClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: LinkClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Sends one request of a job and resolves with the answer, or rejects with a ModbusError. */
export type Exchange = (request: ModbusRequest) => Promise<ModbusResponse>;

/** Work for one device: one or more requests sent back to back. */
export interface LinkJob<T> {
  readonly unitId: number;
  /** Device name, for errors and logs. */
  readonly device: string;
  /** Per-request timeout (also the connect timeout), ms. */
  readonly timeoutMs: number;
  run(exchange: Exchange): Promise<T>;
}

/** Collaborators of {@link Link}. */
export interface LinkOptions {
  readonly spec: LinkSpec;
  readonly transport: Transport;
  readonly config: ModbusDriverConfig;
  readonly logger: Logger;
  readonly clock?: LinkClock;
  readonly random?: () => number;
}

/** The state of a link, for the plan endpoint. */
export interface LinkStatus {
  readonly link: string;
  readonly state: "closed" | "connecting" | "open" | "backoff";
  readonly queued: number;
  readonly requests: number;
  readonly timeouts: number;
  readonly reconnects: number;
  /** Time left before the next connection attempt, ms (backoff state only). */
  readonly reconnectInMs?: number;
  readonly lastError?: string;
}

interface Queued {
  readonly job: LinkJob<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** See the module comment. */
export class Link {
  readonly key: string;
  private readonly queue: Queued[] = [];
  private readonly clock: LinkClock;
  private readonly backoff: Backoff;
  private readonly gapMs: number;
  private state: LinkStatus["state"] = "closed";
  private pumping = false;
  private closed = false;
  private retryAt = 0;
  private lastFrameAt = Number.NEGATIVE_INFINITY;
  private silentTimeouts = 0;
  private idleTimer: unknown = undefined;
  private idleTimeoutMs = 0;
  private abortInFlight: ((err: ModbusError) => void) | undefined;
  private counters = { requests: 0, timeouts: 0, reconnects: 0 };
  private lastError: string | undefined;

  constructor(private readonly o: LinkOptions) {
    this.key = o.spec.key;
    this.clock = o.clock ?? SYSTEM_CLOCK;
    this.backoff = new Backoff(o.config.reconnectInitialMs, o.config.reconnectMaxMs, o.random);
    this.gapMs = o.spec.kind === "rtu" ? interFrameGapMs(o.spec.baudRate, o.spec.dataBits, o.spec.parity !== "none", o.spec.stopBits) : 0;
    o.transport.onClose((reason) => this.dropped(reason));
  }

  /** Closes the connection after this long without jobs, ms (0: keep it open). */
  setIdleTimeout(ms: number): void {
    this.idleTimeoutMs = ms;
  }

  /** Queues a job. Rejects at once with MODBUS_QUEUE_FULL when the queue is full, MODBUS_STOPPED once closed. */
  submit<T>(job: LinkJob<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped", job));
    if (this.queue.length >= this.o.config.queueLimit) {
      return Promise.reject(this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.QueueFull, `the queue of ${this.key} is full (${this.o.config.queueLimit} requests)`, job));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job: job as LinkJob<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.disarmIdle();
      if (!this.pumping) void this.pump();
    });
  }

  /** Fails every queued job with MODBUS_STOPPED, aborts the one in flight and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarmIdle();
    const stopped = (j: LinkJob<unknown>): ModbusError => this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped", j);
    for (const q of this.queue.splice(0)) q.reject(stopped(q.job));
    this.abortInFlight?.(new ModbusError(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped"));
    this.state = "closed";
    await this.o.transport.close();
  }

  status(): LinkStatus {
    const base: LinkStatus = { link: this.key, state: this.state, queued: this.queue.length, ...this.counters };
    const extra: { reconnectInMs?: number; lastError?: string } = {};
    if (this.state === "backoff") extra.reconnectInMs = Math.max(0, Math.round(this.retryAt - this.clock.now()));
    if (this.lastError !== undefined) extra.lastError = this.lastError;
    return { ...base, ...extra };
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let q = this.queue.shift(); q !== undefined; q = this.queue.shift()) {
        try {
          if (this.state !== "open" || !this.o.transport.isOpen) await this.ensureOpen(q.job);
        } catch (err) {
          q.reject(err);
          // The endpoint is unreachable for every unit: the rest of the queue fails now, not one timeout each.
          for (const other of this.queue.splice(0)) other.reject(this.notConnected(other.job));
          continue;
        }
        try {
          q.resolve(await q.job.run((request) => this.exchange(q.job, request)));
        } catch (err) {
          q.reject(err);
        }
      }
    } finally {
      this.pumping = false;
    }
    this.armIdle();
  }

  private async ensureOpen(job: LinkJob<unknown>): Promise<void> {
    if (this.state === "open" && this.o.transport.isOpen) return;
    if (this.state === "backoff" && this.clock.now() < this.retryAt) throw this.notConnected(job);
    this.state = "connecting";
    if (this.counters.requests > 0 || this.backoff.attempts > 0) this.counters.reconnects++;
    try {
      await this.withDeadline(this.o.transport.open(), job.timeoutMs);
      if (this.closed) {
        await this.o.transport.close();
        throw this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped", job);
      }
      this.state = "open";
      this.backoff.reset();
      this.silentTimeouts = 0;
      this.o.logger.debug({ link: this.key }, "Modbus connection open");
    } catch (err) {
      if (err instanceof ModbusError && err.code === ModbusErrorCode.Stopped) throw err;
      if (this.closed) throw this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped", job);
      await this.o.transport.close();
      const delay = this.backoff.next();
      this.retryAt = this.clock.now() + delay;
      this.state = "backoff";
      const why = err instanceof Error ? err.message : String(err);
      this.lastError = why;
      this.o.logger.warn({ link: this.key, err: why, retryInMs: Math.round(delay) }, "Modbus connection failed");
      throw this.error(ErrorKind.Communication, ModbusErrorCode.ConnectFailed, `cannot connect to ${this.key}: ${why}`, job, { retryInMs: Math.round(delay) });
    }
  }

  /** Sends one request of `job`, with the inter-frame gap and the job's timeout. */
  private exchange(job: LinkJob<unknown>, request: ModbusRequest): Promise<ModbusResponse> {
    if (this.closed) return Promise.reject(this.error(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped", job));
    if (this.state !== "open" || !this.o.transport.isOpen) {
      return Promise.reject(this.error(ErrorKind.Communication, ModbusErrorCode.Disconnected, `the connection to ${this.key} is closed`, job));
    }
    if (this.gapMs > 0) {
      const wait = this.lastFrameAt + this.gapMs - this.clock.now();
      // Timers truncate fractions of a millisecond: round up, never shorten the gap.
      if (wait > 0) return new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.ceil(wait))).then(() => this.send(job, request));
    }
    return this.send(job, request);
  }

  private send(job: LinkJob<unknown>, request: ModbusRequest): Promise<ModbusResponse> {
    if (this.gapMs > 0) this.o.transport.discardInput();
    this.counters.requests++;
    return new Promise<ModbusResponse>((resolve, reject) => {
      // Each request settles once: by its answer, its timeout, or an abort. A late answer to a request that timed
      // out finds it settled and is dropped; it must not touch the request in flight now.
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        this.clock.clearTimeout(timer);
        if (this.abortInFlight === abort) this.abortInFlight = undefined;
        if (this.gapMs > 0) this.lastFrameAt = this.clock.now();
        return true;
      };
      const abort = (err: ModbusError): void => {
        if (settle()) reject(err);
      };
      this.abortInFlight = abort;
      const timer = this.clock.setTimeout(() => {
        if (settle()) reject(this.timedOut(job, contextOf(this.key, job, request)));
      }, job.timeoutMs);
      this.o.transport.send(job.unitId, request, (failure, response) => {
        if (!settle()) return;
        this.silentTimeouts = 0;
        if (failure === undefined) resolve(response!);
        else if (failure.type === "exception") reject(exceptionError(failure.exceptionCode, contextOf(this.key, job, request)));
        else if (failure.type === "closed") reject(this.error(ErrorKind.Communication, ModbusErrorCode.Disconnected, `${this.key}: ${failure.message}`, job, contextOf(this.key, job, request)));
        else reject(this.malformed(job, contextOf(this.key, job, request), failure.message));
      });
    });
  }

  private timedOut(job: LinkJob<unknown>, ctx: RequestContext): ModbusError {
    this.counters.timeouts++;
    this.silentTimeouts++;
    const err = this.error(ErrorKind.Timeout, ModbusErrorCode.Timeout, `unit ${job.unitId} at ${this.key} did not answer within ${job.timeoutMs} ms`, job, {
      ...ctx,
      timeoutMs: job.timeoutMs,
    });
    this.lastError = err.message;
    // Jobs of the same unit queued meanwhile would most likely wait out the same timeout: they fail with it now.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i]!;
      if (q.job.unitId !== job.unitId) continue;
      this.queue.splice(i, 1);
      q.reject(this.error(ErrorKind.Timeout, ModbusErrorCode.Timeout, `unit ${job.unitId} at ${this.key} did not answer the previous request within ${job.timeoutMs} ms`, q.job, { timeoutMs: job.timeoutMs }));
    }
    if (this.o.spec.kind === "tcp" && this.silentTimeouts >= this.o.config.timeoutsBeforeReconnect) {
      this.o.logger.warn({ link: this.key, timeouts: this.silentTimeouts }, "Modbus connection silent: reopening it");
      this.resetConnection();
    }
    return err;
  }

  private malformed(job: LinkJob<unknown>, ctx: RequestContext, message: string): ModbusError {
    this.lastError = message;
    // On TCP a bad frame may leave the stream misaligned: start over on a fresh connection.
    if (this.o.spec.kind === "tcp") this.resetConnection();
    return this.error(ErrorKind.Communication, ModbusErrorCode.MalformedResponse, `malformed answer from unit ${job.unitId} at ${this.key}: ${message}`, job, ctx);
  }

  private resetConnection(): void {
    this.state = "closed";
    this.silentTimeouts = 0;
    void this.o.transport.close();
  }

  /** The transport closed by itself: the request in flight fails now; the next job reconnects. */
  private dropped(reason: string): void {
    if (this.state === "open") this.state = "closed";
    this.lastError = reason;
    this.o.logger.warn({ link: this.key, reason }, "Modbus connection lost");
    this.abortInFlight?.(new ModbusError(ErrorKind.Communication, ModbusErrorCode.Disconnected, `${this.key}: ${reason}`, { details: { link: this.key } }));
  }

  private withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
      p.then(
        (v) => {
          this.clock.clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          this.clock.clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private notConnected(job: LinkJob<unknown>): ModbusError {
    const retryInMs = Math.max(0, Math.round(this.retryAt - this.clock.now()));
    return this.error(ErrorKind.Communication, ModbusErrorCode.NotConnected, `${this.key} is not connected (next attempt in ${retryInMs} ms)`, job, { retryInMs });
  }

  private error(kind: ErrorKind, code: ModbusErrorCode, message: string, job: LinkJob<unknown>, extra: Readonly<Record<string, unknown>> | RequestContext = {}): ModbusError {
    return new ModbusError(kind, code, `device ${job.device}: ${message}`, { details: { device: job.device, ...extra, link: this.key, unitId: job.unitId } });
  }

  private armIdle(): void {
    this.disarmIdle();
    if (this.idleTimeoutMs <= 0 || this.closed || this.state !== "open") return;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.queue.length > 0 || this.pumping || this.state !== "open") return;
      this.o.logger.debug({ link: this.key }, "Modbus connection idle: closing it");
      this.state = "closed";
      void this.o.transport.close();
    }, this.idleTimeoutMs);
  }

  private disarmIdle(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** What a request was, for errors (made only when one is raised). */
function contextOf(link: string, job: LinkJob<unknown>, request: ModbusRequest): RequestContext {
  return { link, unitId: job.unitId, functionCode: request.fc, address: request.address, count: countOf(request) };
}

function countOf(r: ModbusRequest): number {
  if ("count" in r) return r.count;
  if ("values" in r) return r.values.length;
  return 1;
}

/**
 * The Modbus RTU inter-frame gap: 3.5 character times, fixed at 1.75 ms above 19200 baud (Modbus over serial line
 * specification, 2.5.1.1), ms.
 */
export function interFrameGapMs(baudRate: number, dataBits: number, parity: boolean, stopBits: number): number {
  if (baudRate > 19_200) return 1.75;
  const bitsPerChar = 1 + dataBits + (parity ? 1 : 0) + stopBits;
  return (3.5 * bitsPerChar * 1000) / baudRate;
}
