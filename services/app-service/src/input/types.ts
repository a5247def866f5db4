/**
 * What feeds a pipeline: the bus (core subscriptions with a queue group) or a durable JetStream consumer.
 */

/** Runs one received message through a pipeline; resolves when it is done with (processed, filtered or failed). */
export type Deliver = (payload: unknown, subject: string, correlationId: string | undefined) => Promise<DeliveryOutcome>;

/**
 * How a delivery ended, for acknowledgement: `done` (processed, filtered, failed for good or invalid: acknowledge),
 * `retry` (the pipeline could not take it now: overloaded or stopping; redeliver).
 */
export type DeliveryOutcome = "done" | "retry";

/** A running source of messages for one pipeline. */
export interface PipelineInput {
  start(): Promise<void>;
  /** Stops taking messages and waits (bounded) for those being processed. */
  stop(): Promise<void>;
  /** Removes durable state (a JetStream consumer) when the pipeline is deleted. */
  destroy?(): Promise<void>;
}
