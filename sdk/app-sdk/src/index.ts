/**
 * @brink/app-sdk: pipeline functions for application services (filter, clean, window, transform, batch, compress,
 * encrypt, export) and the durable store-and-forward outbox that exports write to.
 */
export type {
  PipelineData, PipelineContext, PipelineFunction, FunctionFactory, FunctionEnvironment, OutboxMessage, DropPolicy, OutboxLimits,
  Outbox, ExportTarget,
} from "./types.js";
export { AppSdkErrorCode, AppSdkError, RetryableExportError, PermanentExportError } from "./errors.js";
export type { ExportErrorOptions } from "./errors.js";

// secrets
export { SecretStore, SECRETS_DIR_ENV, SECRET_ENV_PREFIX, secretEnvName } from "./secrets.js";
export type { SecretStoreOptions } from "./secrets.js";

// outbox
export { SqliteOutbox } from "./outbox/sqlite-outbox.js";
export { DEFAULT_EXPIRY_INTERVAL_MS, DEFAULT_MAX_DEAD_LETTERS } from "./outbox/options.js";
export type { SqliteOutboxOptions, OutboxStats } from "./outbox/options.js";
export type { DeadLetter, DeadLetterPage } from "./outbox/dead-letters.js";
export { outboxFile, OUTBOX_SCHEMA_VERSION } from "./outbox/schema.js";
export type { OutboxSynchronous } from "./outbox/schema.js";
export {
  DEFAULT_OUTBOX_LIMITS, DEFAULT_OUTBOX_MAX_BYTES, DEFAULT_OUTBOX_MAX_AGE_MS, DEFAULT_DROP_POLICY, DROP_POLICIES, DropReason,
} from "./outbox/limits.js";
export { Forwarder } from "./outbox/forwarder.js";
export { DEFAULT_MAX_IN_FLIGHT, DEFAULT_BATCH_SIZE, DEFAULT_REPLAY_RATE_PER_SEC, DEFAULT_SEND_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS } from "./outbox/forwarder-options.js";
export type { ForwarderOptions, ForwarderState, ForwarderStatus } from "./outbox/forwarder-options.js";
export { backoffDelayMs, systemClock, DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS } from "./outbox/pacing.js";
export type { BackoffOptions, ForwarderClock } from "./outbox/pacing.js";
export type { OutboxLogger } from "./outbox/observe.js";

// export targets and export functions
export { MqttTarget } from "./export/mqtt-target.js";
export type { MqttTargetOptions, MqttWill, TlsFiles } from "./export/mqtt-target.js";
export { HttpTarget, HTTP_EXPORT_METHODS, DEFAULT_HTTP_TIMEOUT_MS, retryAfterMs } from "./export/http-target.js";
export type { HttpTargetOptions, HttpExportMethod } from "./export/http-target.js";
export { NatsTarget } from "./export/nats-target.js";
export type { NatsTargetOptions } from "./export/nats-target.js";
export {
  META_TOPIC, META_SUBJECT, META_CONTENT_TYPE, META_CONTENT_ENCODING, META_CORRELATION_ID, META_HEADER_PREFIX, TEMPLATE_VARIABLES,
  parseTemplate, renderTemplate, templateValues,
} from "./export/meta.js";
export type { Template, TemplateVariable, TemplateValues } from "./export/meta.js";
export type { ExportBinding, ForwarderSettings } from "./export/common.js";
export { MQTT_EXPORT, DEFAULT_MQTT_TOPIC, mqttExport } from "./export/mqtt-export.js";
export { HTTP_EXPORT, httpExport } from "./export/http-export.js";
export { NATS_EXPORT, DEFAULT_NATS_SUBJECT, natsExport } from "./export/nats-export.js";
export { EXPORT_FUNCTIONS, createExport, isExportFunction, pipelineBindings } from "./export/exports.js";
export { ForwarderPool } from "./export/forwarder-pool.js";
export type { ForwarderPoolOptions } from "./export/forwarder-pool.js";

// functions
export { FUNCTIONS } from "./functions/registry.js";
export { ParamReader, compileAnchored } from "./functions/params.js";
export {
  isEvent, requireEvent, mapEvents, mapReadings, withReadings, tagReading, isNumericType, numericValue, parseNumber, formatFloatE, formatNumber,
  withValue, seriesKey, toBytes, byteSize, deriveContext, JSON_CONTENT_TYPE,
} from "./functions/data.js";
export { FilterMode, readNameFilter } from "./functions/filters.js";
export type { NameMatcher } from "./functions/filters.js";
export { RangeAction, DEFAULT_RANGE_TAG } from "./functions/cleaning/range-check.js";
export type { Bounds } from "./functions/cleaning/range-check.js";
export { DEFAULT_DEDUPE_LAST_N } from "./functions/cleaning/dedupe.js";
export { DEFAULT_SPIKE_TAG } from "./functions/cleaning/spike-filter.js";
export { DEFAULT_STUCK_TAG, STUCK_ALERT_SOURCE } from "./functions/cleaning/stuck-sensor.js";
export { DEFAULT_NAN_TAG } from "./functions/cleaning/nan-filter.js";
export { AggregateFunction, DEFAULT_WINDOW_MAX_SAMPLES } from "./functions/window.js";
export { withContextTags } from "./functions/transforms/to-edgex-event.js";
export { flatRecords, typedValue } from "./functions/transforms/to-flat-records.js";
export type { FlatRecord } from "./functions/transforms/to-flat-records.js";
export { compileTemplate, templateInput } from "./functions/transforms/template.js";
export { SPARKPLUG_NAMESPACE, SPARKPLUG_CONTENT_TYPE, encodeSparkplug, decodeSparkplug, sparkplugSessionOf } from "./functions/sparkplug/sparkplug-b.js";
export { REBIRTH_METRIC } from "./functions/sparkplug/session.js";
export { SPARKPLUG_TYPES, toLongBits, fromLong, metricValue } from "./functions/sparkplug/metrics.js";
export type { SparkplugType, LongBits } from "./functions/sparkplug/metrics.js";
export { ENCRYPT_IV_BYTES, ENCRYPT_TAG_BYTES, parseAesKey, encryptPayload, decryptPayload } from "./functions/output/encrypt.js";

// pipelines
export { TriggerType, PIPELINE_NAME, DEFAULT_TRIGGER_SUBJECTS, toNatsPattern } from "./pipeline/definition.js";
export type {
  BusTriggerDefinition, HttpTriggerDefinition, TriggerDefinition, FunctionDefinition, PipelineDefinition, PipelineDocument,
} from "./pipeline/definition.js";
export { compilePipeline, compilePipelineDocument, loadPipelinesText } from "./pipeline/loader.js";
export type { LoaderOptions, CompiledPipeline } from "./pipeline/loader.js";
export { SourceLines, parsePath, formatPath } from "./pipeline/source.js";
export type { PathSegment } from "./pipeline/source.js";
export { PipelineRuntime, DEFAULT_PIPELINE_MAX_IN_FLIGHT, ERROR_LOGS_PER_SECOND, STOP_DRAIN_MS } from "./pipeline/runtime.js";
export type { PipelineRuntimeOptions, PipelineState, FunctionCounters, LastError, PipelineStatus, RunResult } from "./pipeline/runtime.js";
export { eventOfPayload } from "./pipeline/input.js";
