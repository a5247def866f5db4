/**
 * The pipelines of an app-service: those of the pipelines file overlaid with those put over REST (persisted), each
 * with its runtime and its input (bus subscriptions or a JetStream consumer). Create, replace and delete validate
 * first and change nothing on a problem.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  PipelineRuntime, TriggerType, compilePipeline, eventOfPayload, loadPipelinesText, type CompiledPipeline, type ForwarderPool, type ForwarderStatus,
  type LoaderOptions, type OutboxStats, type PipelineContext, type PipelineDefinition, type PipelineStatus, type RunResult, type SqliteOutbox,
} from "@brink/app-sdk";
import { ErrorCode, ErrorKind, ServiceError, ValidationError, type Event } from "@brink/contracts";
import type { Logger } from "pino";
import { AppServiceError, AppServiceErrorCode } from "../errors.js";
import type { Deliver, DeliveryOutcome, PipelineInput } from "../input/types.js";
import type { ExportBindings } from "./exports.js";
import type { PipelineStore } from "./store.js";

/** Where a pipeline's current definition comes from. */
export type PipelineSource = "file" | "api";

/** One export step of a pipeline: its outbox target's backlog and its forwarder. */
export interface ExportView {
  /** Index of the export function in the pipeline. */
  readonly index: number;
  readonly function: string;
  readonly target: string;
  /** Depth, bytes, drops (by reason) and dead letters of the target's outbox queue (shared by every pipeline naming it). */
  readonly outbox: OutboxStats;
  readonly forwarder?: ForwarderStatus;
}

/** A pipeline as the REST API shows it. */
export interface PipelineView {
  readonly definition: PipelineDefinition;
  readonly source: PipelineSource;
  readonly status: PipelineStatus & { readonly invalidInput: number };
  readonly exports: readonly ExportView[];
}

/** Collaborators and limits of a {@link PipelineManager}. */
export interface PipelineManagerOptions {
  readonly loader: LoaderOptions;
  readonly store: PipelineStore;
  readonly logger: Logger;
  /** The pipelines file; undefined for none. */
  readonly file: string | undefined;
  readonly maxPipelines: number;
  readonly maxInFlight: number;
  /** The export bindings behind the export functions the loader builds. */
  readonly exports: ExportBindings;
  /** Runs one forwarder per export target of the running pipelines. */
  readonly forwarders: ForwarderPool;
  readonly outbox: SqliteOutbox;
  /** Builds the input of a bus-triggered pipeline. */
  readonly inputOf: (pipeline: string, patterns: readonly string[], deliver: Deliver) => PipelineInput;
  /** Called before a pipeline starts (RangeCheck waits for device profiles). */
  readonly beforeStart?: (compiled: CompiledPipeline) => Promise<void>;
}

interface Entry {
  compiled: CompiledPipeline;
  source: PipelineSource;
  runtime: PipelineRuntime | undefined;
  input: PipelineInput | undefined;
  invalidInput: number;
  invalidLogged: number;
}

/** The running pipelines. */
export class PipelineManager {
  private readonly entries = new Map<string, Entry>();
  private fileNames = new Set<string>();
  /** Serialises create/replace/delete so two requests never interleave their stop/start. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PipelineManagerOptions) {}

  /**
   * Loads the pipelines file (every problem reported, nothing started on one) and the stored overlay, then starts
   * every enabled pipeline. A stored pipeline that no longer validates (a secret removed) is logged and skipped.
   */
  async start(): Promise<void> {
    const { file, loader, store, logger } = this.options;
    const fromFile = file === undefined ? [] : loadPipelinesText(readFileSync(resolve(file), "utf8"), loader);
    this.fileNames = new Set(fromFile.map((c) => c.definition.name));
    const stored = store.load();
    const hidden = new Set(stored.deleted);
    for (const c of fromFile) if (!hidden.has(c.definition.name) && stored.pipelines[c.definition.name] === undefined) this.entries.set(c.definition.name, this.entryOf(c, "file"));
    for (const [name, def] of Object.entries(stored.pipelines)) {
      try {
        this.entries.set(name, this.entryOf(compilePipeline(def, loader), "api"));
      } catch (err) {
        logger.error({ err, pipeline: name, problems: err instanceof ValidationError ? err.problems : undefined }, `stored pipeline ${name} no longer validates; not started`);
      }
    }
    if (this.entries.size > this.options.maxPipelines) {
      throw new AppServiceError(ErrorKind.LimitExceeded, AppServiceErrorCode.PipelineLimit, `${this.entries.size} pipelines exceed pipelines.maxPipelines (${this.options.maxPipelines})`);
    }
    await this.options.forwarders.apply(this.bindingsOf([...this.entries.values()].map((e) => e.compiled)));
    for (const entry of this.entries.values()) await this.startEntry(entry);
    logger.info({ pipelines: [...this.entries.keys()] }, `${this.entries.size} pipelines loaded`);
  }

  /** Stops every pipeline: inputs first, then runtimes (flushing windows and batches into the exports). */
  async stop(): Promise<void> {
    await this.changes.catch(() => undefined);
    for (const entry of this.entries.values()) await entry.input?.stop();
    for (const entry of this.entries.values()) await entry.runtime?.stop();
  }

  /** Every pipeline. */
  list(): PipelineView[] {
    return [...this.entries.values()].map((e) => this.viewOf(e));
  }

  /** One pipeline; NotFound when absent. */
  get(name: string): PipelineView {
    return this.viewOf(this.entryNamed(name));
  }

  /**
   * Creates or replaces pipelines (one definition, or several from a document), validating all first. The old
   * pipeline of the same name is stopped (its held data flushed) before the new one starts.
   * @returns whether each was created (true) or replaced (false).
   */
  put(compiled: readonly CompiledPipeline[]): Promise<{ name: string; created: boolean }[]> {
    return this.serialise(async () => {
      const added = compiled.filter((c) => !this.entries.has(c.definition.name)).length;
      if (this.entries.size + added > this.options.maxPipelines) {
        throw new AppServiceError(ErrorKind.LimitExceeded, AppServiceErrorCode.PipelineLimit, `at most ${this.options.maxPipelines} pipelines (pipelines.maxPipelines)`, {
          details: { maxPipelines: this.options.maxPipelines, current: this.entries.size },
        });
      }
      // Every export target of the pipelines as they will be: a conflict (one target, two settings) changes nothing.
      const names = new Set(compiled.map((c) => c.definition.name));
      const after = [...[...this.entries.values()].map((e) => e.compiled).filter((c) => !names.has(c.definition.name)), ...compiled];
      await this.options.forwarders.apply(this.bindingsOf(after));
      const out: { name: string; created: boolean }[] = [];
      for (const c of compiled) {
        const name = c.definition.name;
        this.options.store.put(name, c.definition);
        const old = this.entries.get(name);
        if (old !== undefined) await this.stopEntry(old, false);
        const entry = this.entryOf(c, "api");
        this.entries.set(name, entry);
        await this.startEntry(entry);
        out.push({ name, created: old === undefined });
      }
      return out;
    });
  }

  /** Deletes a pipeline (and its JetStream consumer); NotFound when absent. */
  delete(name: string): Promise<void> {
    return this.serialise(async () => {
      const entry = this.entryNamed(name);
      this.options.store.delete(name, this.fileNames.has(name));
      this.entries.delete(name);
      await this.stopEntry(entry, true);
      await this.options.forwarders.apply(this.bindingsOf([...this.entries.values()].map((e) => e.compiled)));
    });
  }

  /**
   * Runs an event (AddEventRequest or Event) through every enabled pipeline with an http trigger.
   * @throws ValidationError EVENT_INVALID for a bad body, AppServiceError NO_HTTP_PIPELINE when there is none.
   */
  trigger(body: unknown, correlationId: string): { event: Event; runs: { pipeline: string; result: Promise<RunResult> }[] } {
    const targets = [...this.entries.values()].filter((e) => e.compiled.definition.trigger.type === TriggerType.Http && e.runtime !== undefined);
    if (targets.length === 0) throw new AppServiceError(ErrorKind.EntityDoesNotExist, AppServiceErrorCode.NoHttpPipeline, "no enabled pipeline has an http trigger");
    const event = eventOfPayload(body);
    const runs = targets.map((e) => ({ pipeline: e.compiled.definition.name, result: e.runtime!.run(this.contextOf(e, "http", correlationId), event) }));
    return { event, runs };
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.changes.catch(() => undefined).then(work);
    this.changes = next;
    return next;
  }

  private bindingsOf(compiled: readonly CompiledPipeline[]): ReturnType<ExportBindings["of"]> {
    return compiled.filter((c) => c.definition.enabled).flatMap((c) => this.options.exports.of(c.functions));
  }

  private entryOf(compiled: CompiledPipeline, source: PipelineSource): Entry {
    return { compiled, source, runtime: undefined, input: undefined, invalidInput: 0, invalidLogged: 0 };
  }

  private entryNamed(name: string): Entry {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no pipeline named ${name}`, { details: { name } });
    return entry;
  }

  private contextOf(entry: Entry, trigger: string, correlationId: string | undefined): PipelineContext {
    return { pipeline: entry.compiled.definition.name, correlationId: correlationId ?? randomUUID(), trigger, logger: this.options.logger, tags: {} };
  }

  private async startEntry(entry: Entry): Promise<void> {
    const { compiled } = entry;
    if (!compiled.definition.enabled) return;
    await this.options.beforeStart?.(compiled);
    const runtime = new PipelineRuntime({
      definition: compiled.definition,
      functions: compiled.functions,
      logger: this.options.logger,
      exportFunctions: this.options.exports.names,
      maxInFlight: this.options.maxInFlight,
    });
    await runtime.start();
    entry.runtime = runtime;
    if (compiled.definition.trigger.type === TriggerType.Bus) {
      entry.input = this.options.inputOf(compiled.definition.name, compiled.patterns, (payload, subject, correlationId) => this.deliver(entry, payload, subject, correlationId));
      try {
        await entry.input.start();
      } catch (err) {
        await runtime.stop();
        entry.runtime = undefined;
        entry.input = undefined;
        throw err;
      }
    }
  }

  private async stopEntry(entry: Entry, destroy: boolean): Promise<void> {
    if (destroy && entry.input?.destroy) await entry.input.destroy();
    else await entry.input?.stop();
    await entry.runtime?.stop();
    entry.input = undefined;
  }

  private async deliver(entry: Entry, payload: unknown, subject: string, correlationId: string | undefined): Promise<DeliveryOutcome> {
    const runtime = entry.runtime;
    if (runtime === undefined) return "retry";
    let event: Event;
    try {
      event = eventOfPayload(payload);
    } catch (err) {
      entry.invalidInput++;
      // The first few, then one in a thousand: a flood of bad messages must not flood the log.
      if (entry.invalidLogged < 10 || entry.invalidInput % 1000 === 0) {
        entry.invalidLogged++;
        const problems = err instanceof ValidationError ? err.problems : undefined;
        this.options.logger.warn({ pipeline: entry.compiled.definition.name, subject, problems, invalidInput: entry.invalidInput }, "dropped a message that is not a valid event");
      }
      return "done";
    }
    try {
      await runtime.run(this.contextOf(entry, subject, correlationId), event);
      return "done";
    } catch (err) {
      const code = err instanceof ServiceError ? err.code : undefined;
      this.options.logger.debug({ pipeline: entry.compiled.definition.name, code }, "pipeline did not take a message");
      return "retry";
    }
  }

  private viewOf(entry: Entry): PipelineView {
    const status = entry.runtime?.status() ?? idleStatus(entry);
    const exports: ExportView[] = [];
    entry.compiled.functions.forEach((fn, index) => {
      const [binding] = this.options.exports.of([fn]);
      if (binding === undefined) return;
      const forwarder = this.options.forwarders.get(binding.targetName)?.status();
      const outbox = this.options.outbox.stats(binding.targetName);
      exports.push(forwarder === undefined ? { index, function: fn.name, target: binding.targetName, outbox } : { index, function: fn.name, target: binding.targetName, outbox, forwarder });
    });
    return { definition: entry.compiled.definition, source: entry.source, status: { ...status, invalidInput: entry.invalidInput }, exports };
  }
}

function idleStatus(entry: Entry): PipelineStatus {
  return {
    state: "stopped",
    received: 0,
    emitted: 0,
    processed: 0,
    filtered: 0,
    held: 0,
    errors: 0,
    exported: 0,
    overloaded: 0,
    inFlight: 0,
    functions: entry.compiled.functions.map((f, index) => ({ index, name: f.name, filtered: 0, held: 0, errors: 0 })),
  };
}
