/**
 * Bus trigger over core subscriptions: one subscription per subject pattern, in the queue group
 * `app-service-<pipeline>`, so several app-service instances share a pipeline's events. Not durable: events published
 * while app-service is down are not seen (use JetStream input for that).
 */
import type { MessageBus, Subscription } from "@brink/bus";
import type { Deliver, PipelineInput } from "./types.js";

/** Queue group of a pipeline's subscriptions. */
export function queueGroupOf(pipeline: string): string {
  return `app-service-${pipeline}`;
}

/** Subscribes a pipeline's patterns on the bus. */
export class BusInput implements PipelineInput {
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly pipeline: string,
    private readonly patterns: readonly string[],
    private readonly deliver: Deliver,
  ) {}

  async start(): Promise<void> {
    if (this.subscriptions.length > 0) return;
    for (const pattern of this.patterns) {
      this.subscriptions.push(
        this.bus.subscribe<unknown>(pattern, (msg) => this.deliver(msg.envelope.payload, msg.subject, msg.envelope.correlationID).then(() => undefined), {
          queue: queueGroupOf(this.pipeline),
        }),
      );
    }
    await this.bus.flush();
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }
}
