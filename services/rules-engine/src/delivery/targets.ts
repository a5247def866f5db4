/**
 * Export targets the rules engine adds to the app-sdk ones: a target that reports each notification delivery's
 * outcome back to the notification center, and a target that publishes on the service's own message bus.
 */
import { PermanentExportError, RetryableExportError, type ExportTarget, type OutboxMessage } from "@brink/app-sdk";
import { parseJson } from "@brink/contracts";
import type { MessageBus } from "@brink/bus";
import type { DeliveryReports } from "../notifications/center.js";

/** Meta keys naming the notification delivery a message is. */
export const META_NOTIFICATION = "brink:notification";
export const META_SUBSCRIPTION = "brink:subscription";
export const META_CHANNEL = "brink:channel";
/** Meta key of the subject a {@link BusTarget} message goes to. */
export const META_BUS_SUBJECT = "subject";

function report(messages: readonly OutboxMessage[], each: (id: string, sub: string, channel: number) => void): void {
  for (const m of messages) {
    const id = m.meta[META_NOTIFICATION];
    const sub = m.meta[META_SUBSCRIPTION];
    const channel = Number(m.meta[META_CHANNEL]);
    if (id !== undefined && sub !== undefined && Number.isInteger(channel)) each(id, sub, channel);
  }
}

/** Wraps a target and tells the notification center what became of each message it carried. */
export class ReportingTarget implements ExportTarget {
  readonly name: string;

  constructor(
    private readonly inner: ExportTarget,
    private readonly reports: DeliveryReports,
  ) {
    this.name = inner.name;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async send(messages: readonly OutboxMessage[]): Promise<number> {
    try {
      const n = await this.inner.send(messages);
      report(messages.slice(0, n), (id, sub, ch) => this.reports.delivered(id, sub, ch));
      return n;
    } catch (err) {
      const acked = err instanceof RetryableExportError || err instanceof PermanentExportError ? err.acked : 0;
      report(messages.slice(0, acked), (id, sub, ch) => this.reports.delivered(id, sub, ch));
      const failed = messages.slice(acked, acked + 1);
      const reason = err instanceof Error ? err.message : String(err);
      if (err instanceof PermanentExportError) report(failed, (id, sub, ch) => this.reports.refused(id, sub, ch, reason));
      else report(failed, (id, sub, ch) => this.reports.retrying(id, sub, ch, reason));
      throw err;
    }
  }
}

/** Publishes each message's JSON payload on the service's own bus, on the subject in its meta. */
export class BusTarget implements ExportTarget {
  constructor(
    readonly name: string,
    private readonly bus: MessageBus,
  ) {}

  async connect(): Promise<void> {
    if (this.bus.status() !== "connected") throw new RetryableExportError(`the message bus is ${this.bus.status()}`);
  }

  async close(): Promise<void> {
    // The bus belongs to the service.
  }

  async send(messages: readonly OutboxMessage[]): Promise<number> {
    let done = 0;
    for (const m of messages) {
      const subject = m.meta[META_BUS_SUBJECT];
      let payload: unknown;
      try {
        payload = parseJson(Buffer.from(m.payload).toString("utf8"));
      } catch (err) {
        throw new PermanentExportError("the message is not JSON", { acked: done, cause: err });
      }
      if (subject === undefined) throw new PermanentExportError("the message has no subject", { acked: done });
      try {
        await this.bus.publish(subject, payload);
      } catch (err) {
        throw new RetryableExportError(`bus publish failed: ${err instanceof Error ? err.message : String(err)}`, { acked: done, cause: err });
      }
      done++;
    }
    return done;
  }
}
