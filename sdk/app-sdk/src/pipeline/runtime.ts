/**
 * Runs one pipeline: each message goes through the functions in order, with counters per pipeline and function.
 *
 * Order: messages call each function in the order they arrived, even when functions are asynchronous — message
 * n+1 may run function 2 while message n still awaits function 3, but never calls a function before message n did
 * (so exports enqueue in arrival order). Data a function emits from inside `process()` goes ahead of the message
 * being processed at every later step (SparkplugB's births precede its DDATA); data emitted at other times (window
 * and batch timers, stop) joins behind everything admitted so far.
 *
 * Failures: an error thrown by a function for one message is counted, logged (rate limited) and ends that message
 * only; the pipeline goes on.
 */
import { ErrorKind, ServiceError } from "@brink/contracts";
import type { Logger } from "pino";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import type { PipelineContext, PipelineData, PipelineFunction } from "../types.js";
import type { PipelineDefinition } from "./definition.js";

/** Most messages in flight in one pipeline by default; more are refused with PIPELINE_OVERLOADED. */
export const DEFAULT_PIPELINE_MAX_IN_FLIGHT = 10_000;
/** Most error log lines per pipeline per second; the rest are counted only. */
export const ERROR_LOGS_PER_SECOND = 10;
/** How long stop() waits for messages in flight after stopping each function, ms. */
export const STOP_DRAIN_MS = 5_000;

/** Collaborators and limits of a {@link PipelineRuntime}. */
export interface PipelineRuntimeOptions {
  readonly definition: PipelineDefinition;
  /** The built functions, in order (from the loader). */
  readonly functions: readonly PipelineFunction[];
  readonly logger: Logger;
  /** Names of export functions: a message that passes one counts as exported. */
  readonly exportFunctions?: ReadonlySet<string>;
  /** @default 10000 */
  readonly maxInFlight?: number;
}

/** Life cycle of a pipeline. */
export type PipelineState = "created" | "running" | "stopping" | "stopped";

/** Counters of one function of a pipeline. */
export interface FunctionCounters {
  readonly index: number;
  readonly name: string;
  /** Messages it ended (returned nothing). */
  readonly filtered: number;
  /** Messages it kept to emit later (windows, batches). */
  readonly held: number;
  /** Messages it failed. */
  readonly errors: number;
}

/** The last error of a pipeline. */
export interface LastError {
  /** ISO time. */
  readonly at: string;
  readonly function: string;
  readonly code: string;
  readonly message: string;
}

/** Status and counters of a pipeline since it started. */
export interface PipelineStatus {
  readonly state: PipelineState;
  /** Messages from the trigger. */
  readonly received: number;
  /** Messages functions emitted on their own (closed windows, timed batches, births). */
  readonly emitted: number;
  /** Messages that went through every function. */
  readonly processed: number;
  readonly filtered: number;
  readonly held: number;
  readonly errors: number;
  /** Messages that passed an export function. */
  readonly exported: number;
  /** Messages refused because too many were in flight. */
  readonly overloaded: number;
  readonly inFlight: number;
  readonly functions: readonly FunctionCounters[];
  readonly lastError?: LastError;
}

/** How one message ended. */
export interface RunResult {
  readonly outcome: "completed" | "filtered" | "held" | "error";
  /** The last function's output, when completed. */
  readonly data?: PipelineData;
  readonly ctx: PipelineContext;
  /** Function that filtered, held or failed it. */
  readonly function?: string;
  readonly error?: ServiceError;
}

interface Ticket {
  readonly waits: Promise<void>[];
  readonly releases: (() => void)[];
}

interface Counters {
  filtered: number;
  held: number;
  errors: number;
}

const resolved = Promise.resolve();

/** One running pipeline. `start()` starts the functions' timers; `stop()` stops them in order. */
export class PipelineRuntime {
  readonly name: string;
  private state: PipelineState = "created";
  private readonly fns: readonly PipelineFunction[];
  private readonly tails: Promise<void>[];
  private readonly inSync: (Ticket | undefined)[];
  private readonly counters: Counters[];
  private received = 0;
  private emitted = 0;
  private processed = 0;
  private exported = 0;
  private overloaded = 0;
  private errorCount = 0;
  private inFlight = 0;
  private lastError: LastError | undefined;
  private logWindowStart = 0;
  private logsInWindow = 0;
  private suppressed = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly options: PipelineRuntimeOptions) {
    this.name = options.definition.name;
    this.fns = options.functions;
    this.tails = this.fns.map(() => resolved);
    this.inSync = this.fns.map(() => undefined);
    this.counters = this.fns.map(() => ({ filtered: 0, held: 0, errors: 0 }));
  }

  /** The definition it runs. */
  get definition(): PipelineDefinition {
    return this.options.definition;
  }

  /** Gives each function its emitter and starts its timers. */
  async start(): Promise<void> {
    if (this.state !== "created") return;
    this.state = "running";
    for (let i = 0; i < this.fns.length; i++) {
      await this.fns[i]!.start?.((ctx, data) => this.emitFrom(i, ctx, data));
    }
  }

  /**
   * Runs one message. Resolves with how it ended (never rejects for a function's error). Rejects with
   * PIPELINE_STOPPED after stop() and PIPELINE_OVERLOADED when too many messages are in flight.
   */
  run(ctx: PipelineContext, data: PipelineData): Promise<RunResult> {
    if (this.state !== "running") {
      return Promise.reject(new AppSdkError(ErrorKind.ServiceUnavailable, AppSdkErrorCode.PipelineStopped, `pipeline ${this.name} is ${this.state}`));
    }
    if (this.inFlight >= (this.options.maxInFlight ?? DEFAULT_PIPELINE_MAX_IN_FLIGHT)) {
      this.overloaded++;
      return Promise.reject(
        new AppSdkError(ErrorKind.LimitExceeded, AppSdkErrorCode.PipelineOverloaded, `pipeline ${this.name} has ${this.inFlight} messages in flight`, {
          details: { pipeline: this.name, inFlight: this.inFlight },
        }),
      );
    }
    this.received++;
    return this.execute(ctx, data, 0, this.admit(0));
  }

  /** Stops the functions in order, letting what each emits on stop flow through the ones after it. */
  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    const wasRunning = this.state === "running";
    this.state = "stopping";
    if (wasRunning) await this.drain();
    for (const fn of this.fns) {
      try {
        await fn.stop?.();
      } catch (err) {
        this.options.logger.warn({ err, pipeline: this.name, function: fn.name }, "pipeline function failed to stop");
      }
      await this.drain();
    }
    this.state = "stopped";
  }

  /** Counters and state. */
  status(): PipelineStatus {
    let filtered = 0;
    let held = 0;
    const functions = this.counters.map((c, index) => {
      filtered += c.filtered;
      held += c.held;
      return { index, name: this.fns[index]!.name, filtered: c.filtered, held: c.held, errors: c.errors };
    });
    const status: PipelineStatus = {
      state: this.state,
      received: this.received,
      emitted: this.emitted,
      processed: this.processed,
      filtered,
      held,
      errors: this.errorCount,
      exported: this.exported,
      overloaded: this.overloaded,
      inFlight: this.inFlight,
      functions,
    };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
  }

  /** Resolves when no message is in flight, or after `timeoutMs`. */
  drain(timeoutMs = STOP_DRAIN_MS): Promise<void> {
    if (this.inFlight === 0) return resolved;
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.drainWaiters.push(done);
    });
  }

  /** Reserves the next turn at every step from `from` on, behind everything admitted so far. */
  private admit(from: number): Ticket {
    const ticket: Ticket = { waits: [], releases: [] };
    for (let j = from; j < this.fns.length; j++) {
      ticket.waits[j] = this.tails[j]!;
      const next = new Promise<void>((resolve) => (ticket.releases[j] = resolve));
      this.tails[j] = next;
    }
    return ticket;
  }

  /** Reserves turns just ahead of `before` at every step from `from` on. */
  private spliceBefore(before: Ticket, from: number): Ticket {
    const ticket: Ticket = { waits: [], releases: [] };
    for (let j = from; j < this.fns.length; j++) {
      ticket.waits[j] = before.waits[j]!;
      before.waits[j] = new Promise<void>((resolve) => (ticket.releases[j] = resolve));
    }
    return ticket;
  }

  /** Gives up the turns from step `from` on, each once the ticket's own turn there has come (order is kept). */
  private releaseFrom(ticket: Ticket, from: number): void {
    for (let j = from; j < this.fns.length; j++) {
      const release = ticket.releases[j];
      if (release !== undefined) void ticket.waits[j]!.then(release);
    }
  }

  private emitFrom(index: number, ctx: PipelineContext, data: PipelineData): Promise<void> {
    if (this.state === "stopped") return resolved;
    this.emitted++;
    const from = index + 1;
    if (from >= this.fns.length) {
      this.processed++;
      return resolved;
    }
    const current = this.inSync[index];
    const ticket = current === undefined ? this.admit(from) : this.spliceBefore(current, from);
    return this.execute(ctx, data, from, ticket).then(() => undefined);
  }

  private async execute(ctx: PipelineContext, input: PipelineData, from: number, ticket: Ticket): Promise<RunResult> {
    this.inFlight++;
    let data = input;
    let exported = false;
    let step = from;
    try {
      for (; step < this.fns.length; step++) {
        await ticket.waits[step];
        const fn = this.fns[step]!;
        let out: PipelineData | undefined;
        try {
          let pending: ReturnType<PipelineFunction["process"]>;
          this.inSync[step] = ticket;
          try {
            pending = fn.process(ctx, data);
          } finally {
            this.inSync[step] = undefined;
            ticket.releases[step]!();
          }
          out = pending instanceof Promise ? await pending : pending;
        } catch (err) {
          const error = this.recordError(step, err, ctx);
          return { outcome: "error", ctx, function: fn.name, error };
        }
        const isExport = this.options.exportFunctions?.has(fn.name) === true;
        if (isExport) exported = true;
        if (out === undefined) {
          if (isExport) break;
          if (fn.holds) this.counters[step]!.held++;
          else this.counters[step]!.filtered++;
          return { outcome: fn.holds ? "held" : "filtered", ctx, function: fn.name };
        }
        data = out;
      }
      this.processed++;
      if (exported) this.exported++;
      return { outcome: "completed", data, ctx };
    } finally {
      this.releaseFrom(ticket, step + 1);
      this.inFlight--;
      if (this.inFlight === 0 && this.drainWaiters.length > 0) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private recordError(step: number, err: unknown, ctx: PipelineContext): ServiceError {
    const error = ServiceError.from(err);
    const fn = this.fns[step]!;
    this.errorCount++;
    this.counters[step]!.errors++;
    this.lastError = { at: new Date().toISOString(), function: fn.name, code: error.code, message: error.message };
    const now = Date.now();
    if (now - this.logWindowStart >= 1000) {
      if (this.suppressed > 0) this.options.logger.warn({ pipeline: this.name, suppressed: this.suppressed }, `${this.suppressed} more pipeline errors were not logged`);
      this.logWindowStart = now;
      this.logsInWindow = 0;
      this.suppressed = 0;
    }
    if (this.logsInWindow < ERROR_LOGS_PER_SECOND) {
      this.logsInWindow++;
      this.options.logger.warn(
        { pipeline: this.name, function: fn.name, step, code: error.code, kind: error.kind, correlationId: ctx.correlationId, err: error },
        `pipeline ${this.name}: ${fn.name} failed: ${error.message}`,
      );
    } else this.suppressed++;
    return error;
  }
}
