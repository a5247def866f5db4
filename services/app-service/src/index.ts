/**
 * @brink/app-service: an EdgeX application service. Pipelines of app-sdk functions clean, aggregate, transform and
 * export device events from the bus (or a durable JetStream consumer) and from `POST /api/v3/trigger`.
 */
export { appService, DEFAULT_NATS_URL, FORWARDERS_STOP_MS } from "./service.js";
export {
  APP_SERVICE_PORT, APP_SERVICE_CONFIG_SCHEMA, DEFAULT_MAX_PIPELINES, DEFAULT_PIPELINE_MAX_IN_FLIGHT, DEFAULT_HTTP_TRIGGER_WAIT_MS,
  DEFAULT_JETSTREAM_STREAM,
} from "./config.js";
export type { AppServiceConfig } from "./config.js";
export { AppServiceError, AppServiceErrorCode } from "./errors.js";
export { PipelineManager } from "./pipelines/manager.js";
export type { PipelineManagerOptions, PipelineView, ExportView, PipelineSource } from "./pipelines/manager.js";
export { PipelineStore } from "./pipelines/store.js";
export type { StoredPipelines } from "./pipelines/store.js";
export { ExportBindings } from "./pipelines/exports.js";
export { BusInput, queueGroupOf } from "./input/bus-input.js";
export { JetStreamSource, EVENT_STREAM_SUBJECTS } from "./input/jetstream-input.js";
export type { JetStreamSettings } from "./input/jetstream-input.js";
export type { Deliver, DeliveryOutcome, PipelineInput } from "./input/types.js";
export { ProfileCache, PROFILE_RETRY_MS } from "./profiles.js";
export { compileBody } from "./routes/pipeline-routes.js";
export type { TriggerResult } from "./routes/trigger-routes.js";
export { MAX_DEAD_LETTER_PAGE } from "./routes/deadletter-routes.js";
export { VERSION } from "./version.js";
