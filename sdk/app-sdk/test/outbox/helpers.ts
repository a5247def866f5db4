/**
 * Test helpers for the outbox and forwarders: temporary data directories, a quiet logger, a scriptable in-memory
 * ExportTarget, and a fake clock for the forwarder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import FakeTimers from "@sinonjs/fake-timers";
import type { OutboxLogger } from "../../src/outbox/observe.js";
import type { ForwarderClock } from "../../src/outbox/pacing.js";
import type { ExportTarget, OutboxMessage } from "../../src/types.js";

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix = "brink-outbox-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps what it is given. */
export function memoryLogger(): OutboxLogger & { lines: Array<{ level: string; obj: object; msg: string | undefined }> } {
  const lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Bytes of a text. */
export function bytes(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

/** The text of a message's payload. */
export function text(m: OutboxMessage): string {
  return Buffer.from(m.payload).toString("utf8");
}

/** A fake clock and the ForwarderClock over it. */
export function fakeClock(start = 0): { clock: FakeTimers.Clock; forwarderClock: ForwarderClock } {
  const clock = FakeTimers.createClock(start);
  return {
    clock,
    forwarderClock: {
      now: () => clock.now,
      setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
      clearTimeout: (h) => {
        if (h !== undefined) clock.clearTimeout(h as FakeTimers.TimerId);
      },
    },
  };
}

/** What a {@link ScriptedTarget} does with one `send` call. */
export type SendScript = (batch: readonly OutboxMessage[], call: number) => number | Error | Promise<number>;

/**
 * An in-memory ExportTarget. `connectScript` decides each connect (throw to fail); `sendScript` each send (a number
 * acknowledges that many leading messages, an Error is thrown). Every payload handed to `send` is recorded in
 * `received`; the ones acknowledged in `delivered`.
 */
export class ScriptedTarget implements ExportTarget {
  readonly received: string[] = [];
  readonly delivered: string[] = [];
  readonly connectTimes: number[] = [];
  readonly batches: number[] = [];
  connected = false;
  closes = 0;
  private calls = 0;

  constructor(
    readonly name: string,
    private readonly now: () => number,
    public connectScript: (attempt: number) => void = () => undefined,
    public sendScript: SendScript = (batch) => batch.length,
  ) {}

  async connect(): Promise<void> {
    this.connectTimes.push(this.now());
    this.connectScript(this.connectTimes.length);
    this.connected = true;
  }

  async send(messages: readonly OutboxMessage[]): Promise<number> {
    this.batches.push(messages.length);
    for (const m of messages) this.received.push(text(m));
    const result = await this.sendScript(messages, ++this.calls);
    if (result instanceof Error) {
      const acked = (result as { acked?: number }).acked ?? 0;
      for (const m of messages.slice(0, acked)) this.delivered.push(text(m));
      throw result;
    }
    for (const m of messages.slice(0, result)) this.delivered.push(text(m));
    return result;
  }

  async close(): Promise<void> {
    this.connected = false;
    this.closes += 1;
  }
}

/** Resolves after the pending I/O callbacks and immediates (the outbox commits on setImmediate). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
