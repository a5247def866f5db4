/**
 * app-service's own error codes, beside the shared ones in `@brink/contracts` and the app-sdk's
 * (docs/errors.md lists them all).
 */
import { ServiceError, type ErrorKind } from "@brink/contracts";

/** Error codes raised only by app-service. */
export const AppServiceErrorCode = {
  /** Creating the pipeline would exceed `pipelines.maxPipelines` (HTTP 413). */
  PipelineLimit: "PIPELINE_LIMIT",
  /** The pipelines file under the data directory could not be written; the change was not made (HTTP 500). */
  PipelineStoreFailed: "PIPELINE_STORE_FAILED",
  /** `POST /api/v3/trigger` found no enabled pipeline with an http trigger (HTTP 404). */
  NoHttpPipeline: "NO_HTTP_PIPELINE",
  /** JetStream input is enabled but the stream or a consumer could not be set up (HTTP 503). */
  JetStreamUnavailable: "JETSTREAM_UNAVAILABLE",
} as const;
/** One of app-service's own error codes. */
export type AppServiceErrorCode = (typeof AppServiceErrorCode)[keyof typeof AppServiceErrorCode];

/** A ServiceError raised by app-service. */
export class AppServiceError extends ServiceError {
  override readonly name = "AppServiceError";

  constructor(kind: ErrorKind, code: AppServiceErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}
