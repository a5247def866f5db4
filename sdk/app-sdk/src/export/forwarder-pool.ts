/**
 * ForwarderPool: one Forwarder per export target across all pipelines, kept in step with the pipelines' export
 * bindings as they are loaded, edited and removed.
 */
import type { Registry } from "prom-client";
import { ErrorKind } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import { Forwarder } from "../outbox/forwarder.js";
import type { ForwarderOptions, ForwarderStatus } from "../outbox/forwarder-options.js";
import { gaugeOf, stderrLogger, type OutboxLogger } from "../outbox/observe.js";
import type { Outbox } from "../types.js";
import type { ExportBinding } from "./common.js";

/** Options of {@link ForwarderPool}. */
export interface ForwarderPoolOptions {
  outbox: Outbox;
  logger?: OutboxLogger;
  /** Forwarders register their counters here, and the pool `brink_export_connected{target}`. */
  registry?: Registry;
  /** Settings of every forwarder that the bindings do not set (clock, random, replay pace...). */
  defaults?: Partial<Omit<ForwarderOptions, "outbox" | "target" | "logger" | "registry">>;
}

interface Entry {
  readonly forwarder: Forwarder;
  readonly settingsKey: string;
}

/** Keeps one running forwarder per target name. */
export class ForwarderPool {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: OutboxLogger;
  private stopped = false;

  constructor(private readonly options: ForwarderPoolOptions) {
    this.logger = options.logger ?? stderrLogger;
    if (options.registry !== undefined) {
      gaugeOf(options.registry, "brink_export_connected", "1 while the export target is connected, by target.", ["target"], () =>
        [...this.entries.values()].map((e) => [{ target: e.forwarder.target }, e.forwarder.status().connected ? 1 : 0] as [{ target: string }, number]),
      );
    }
  }

  /**
   * Makes the running forwarders match `bindings` (all export bindings of all pipelines): starts a forwarder for
   * each new target name, restarts one whose settings changed, and stops those no binding names any more (their
   * stored messages stay in the outbox until a binding names the target again). Applies each binding's outbox limits.
   * Throws AppSdkError EXPORT_TARGET_CONFLICT, changing nothing, when two bindings name one target with different
   * settings.
   */
  async apply(bindings: readonly ExportBinding[]): Promise<void> {
    if (this.stopped) throw new AppSdkError(ErrorKind.ServiceUnavailable, AppSdkErrorCode.OutboxClosed, "the forwarder pool is stopped");
    const wanted = new Map<string, ExportBinding>();
    for (const b of bindings) {
      const seen = wanted.get(b.targetName);
      if (seen !== undefined && seen.settingsKey !== b.settingsKey) {
        throw new AppSdkError(ErrorKind.ContractInvalid, AppSdkErrorCode.ExportTargetConflict, `two exports name target "${b.targetName}" with different settings; give them different "target" names`, {
          details: { target: b.targetName },
        });
      }
      wanted.set(b.targetName, b);
    }
    for (const [name, entry] of [...this.entries]) {
      const b = wanted.get(name);
      if (b !== undefined && b.settingsKey === entry.settingsKey) continue;
      this.entries.delete(name);
      await entry.forwarder.stop();
      this.logger.info({ target: name }, b === undefined ? "export: target no longer used, forwarder stopped (messages kept)" : "export: target settings changed, forwarder restarted");
    }
    for (const [name, b] of wanted) {
      if (this.entries.has(name)) continue;
      if (Object.keys(b.limits).length > 0) this.options.outbox.setLimits?.(name, b.limits);
      const forwarder = new Forwarder({
        ...this.options.defaults,
        ...b.forwarder,
        outbox: this.options.outbox,
        target: b.target,
        logger: this.logger,
        ...(this.options.registry === undefined ? {} : { registry: this.options.registry }),
      });
      this.entries.set(name, { forwarder, settingsKey: b.settingsKey });
      forwarder.start();
    }
  }

  /** The forwarder of a target. */
  get(targetName: string): Forwarder | undefined {
    return this.entries.get(targetName)?.forwarder;
  }

  /** Status of every forwarder, by target name. */
  status(): ForwarderStatus[] {
    return [...this.entries.values()].map((e) => e.forwarder.status()).sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  }

  /** Stops every forwarder (messages in flight get `stopTimeoutMs` to be acknowledged). */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.forwarder.stop()));
  }
}
