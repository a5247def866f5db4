/**
 * The app-sdk's own error codes, beside the shared ones in `@brink/contracts` (docs/errors.md lists both).
 */
import { ErrorKind, ServiceError } from "@brink/contracts";

/** Error codes raised only by the app-sdk. */
export const AppSdkErrorCode = {
  // outbox, exports and secrets
  /** The outbox of a target is full and its drop policy is `reject-new`; the message was refused and counted (kind LimitExceeded). */
  OutboxFull: "OUTBOX_FULL",
  /** A message is larger than its target's whole `maxBytes`; it was refused and counted (kind LimitExceeded). */
  OutboxMessageTooLarge: "OUTBOX_MESSAGE_TOO_LARGE",
  /** The outbox was used before `start()` or after `stop()` (kind ServiceUnavailable). */
  OutboxClosed: "OUTBOX_CLOSED",
  /** The outbox database could not be written (disk full, I/O error); the enqueue was not stored (kind DatabaseError). */
  OutboxWriteFailed: "OUTBOX_WRITE_FAILED",
  /** No dead letter has that id (kind NotFound). */
  DeadLetterNotFound: "DEAD_LETTER_NOT_FOUND",
  /** A target could not take messages for now: network error, broker down, HTTP 408/429/5xx, timeout; retried later (kind CommunicationError). */
  ExportUnavailable: "EXPORT_UNAVAILABLE",
  /** A target refused a message for good (HTTP 4xx, MQTT v5 error reason code, JetStream API error); it was dead-lettered (kind ContractInvalid). */
  ExportRejected: "EXPORT_REJECTED",
  /** Two exports name the same target with different connection settings (kind ContractInvalid). */
  ExportTargetConflict: "EXPORT_TARGET_CONFLICT",
  /** A secret named by a pipeline is neither a file in the secrets directory nor a `BRINK_SECRET_<NAME>` variable (kind NotFound). */
  SecretNotFound: "SECRET_NOT_FOUND",
  /** A secret name holds characters other than letters, digits, `.`, `_` and `-` (kind ContractInvalid). */
  SecretNameInvalid: "SECRET_NAME_INVALID",
  // functions and pipelines
  /** A pipeline function's params fail validation; every problem is listed with its path (kind ContractInvalid). */
  FunctionParamsInvalid: "FUNCTION_PARAMS_INVALID",
  /** A pipeline definition (YAML file or REST body) fails validation; every problem is listed (kind ContractInvalid). */
  PipelineInvalid: "PIPELINE_INVALID",
  /** A pipeline function received data of a shape it cannot handle, such as bytes where an event is expected (kind ContractInvalid). */
  FunctionInputInvalid: "FUNCTION_INPUT_INVALID",
  /** A pipeline's queue of messages in flight is full; the message was dropped and counted (kind LimitExceeded). */
  PipelineOverloaded: "PIPELINE_OVERLOADED",
  /** A pipeline was used after stop() (kind ServiceUnavailable). */
  PipelineStopped: "PIPELINE_STOPPED",
  /** A Template's JSONata expression failed while evaluating one message (kind ContractInvalid). */
  TemplateFailed: "TEMPLATE_FAILED",
} as const;
/** One of the app-sdk's own error codes. */
export type AppSdkErrorCode = (typeof AppSdkErrorCode)[keyof typeof AppSdkErrorCode];

/** A ServiceError raised by the app-sdk. */
export class AppSdkError extends ServiceError {
  override readonly name: string = "AppSdkError";

  constructor(kind: ErrorKind, code: AppSdkErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}

/** What a target reports with a failed send: how many leading messages of the batch it did acknowledge first. */
export interface ExportErrorOptions {
  /** Leading messages of the batch acknowledged before the failure. @default 0 */
  acked?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A target cannot take messages for now (network error, broker down, HTTP 408/429/5xx, timeout). The forwarder keeps
 * the messages, backs off and reconnects. `retryAfterMs` (from an HTTP `Retry-After`) is the least wait it honours.
 */
export class RetryableExportError extends AppSdkError {
  override readonly name: string = "RetryableExportError";
  /** Leading messages of the failed batch that were acknowledged before the failure. */
  readonly acked: number;
  /** Least wait before the next attempt, ms, when the target said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ExportErrorOptions & { retryAfterMs?: number } = {}) {
    super(ErrorKind.Communication, AppSdkErrorCode.ExportUnavailable, message, { details: options.details, cause: options.cause });
    this.acked = options.acked ?? 0;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A target refused the message at index `acked` of the batch for good (HTTP 4xx, an MQTT v5 error reason code, a
 * JetStream API error). The forwarder dead-letters that message with this error's message as the reason and goes on.
 *
 * A pipelined target (MQTT, JetStream) that has every outcome of the batch may say so with `refused` (the indices
 * refused for good, ascending, `acked` being the first) and `restAcked: true` (every other message of the batch was
 * acknowledged): the forwarder then dead-letters those and goes on without sending the others again.
 */
export class PermanentExportError extends AppSdkError {
  override readonly name: string = "PermanentExportError";
  /** Leading messages of the failed batch acknowledged before the refused one (which is at this index). */
  readonly acked: number;
  /** Indices of the batch refused for good. @default [acked] */
  readonly refused: readonly number[];
  /** True when every message of the batch not in `refused` was acknowledged. @default false */
  readonly restAcked: boolean;

  constructor(message: string, options: ExportErrorOptions & { refused?: readonly number[]; restAcked?: boolean } = {}) {
    super(ErrorKind.ContractInvalid, AppSdkErrorCode.ExportRejected, message, { details: options.details, cause: options.cause });
    this.acked = options.acked ?? options.refused?.[0] ?? 0;
    this.refused = options.refused ?? [this.acked];
    this.restAcked = options.restAcked ?? false;
  }
}
