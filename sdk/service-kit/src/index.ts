/**
 * @brink/service-kit: what every Brink service is built on. Config (YAML + env, validated, frozen), logger, an
 * express app with the common EdgeX routes and one error middleware, lifecycle, and typed HTTP clients.
 */
export type {
  ConfigSchema, CommonServiceConfig, ClientsConfig, ServiceConfig, ServiceContext, ServiceComponent, ServiceDefinition,
  RunningService, StartServiceOptions, StartServiceFn, ListeningAddress,
} from "./types.js";
export { ServiceKitErrorCode } from "./errors.js";

export { loadConfig, configKeys, deepFreeze } from "./config.js";
export type { LoadConfigOptions, ConfigDefinition, ConfigKey } from "./config.js";
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_CLIENT_URLS, DEFAULT_DATA_DIR, LOG_LEVELS } from "./config/schema.js";
export { ENV_PREFIX, envNamesOf, toUpperSnake } from "./config/env.js";

export { createLogger, serviceLogger } from "./logger.js";
export type { CreateLoggerOptions, LogLevel } from "./logger.js";
export { createServiceMetrics, processRegistry, scrapeMetrics, UNMATCHED_ROUTE } from "./metrics.js";
export type { ServiceMetrics, HttpMetricLabel } from "./metrics.js";

export { startService, stopAll, runUntilSignal, DEFAULT_STOP_DEADLINE_MS } from "./lifecycle.js";
export type { StopAllOptions, RunUntilSignalOptions } from "./lifecycle.js";

export { createApp } from "./http/app.js";
export type { CreateAppOptions } from "./http/app.js";
export { sendJson, errorBody, toServiceError } from "./http/respond.js";
export type { ErrorResponseBody } from "./http/respond.js";
export { readBodyText, parseJsonBody } from "./http/body.js";
export { readMultipartFile } from "./http/multipart.js";
export type { UploadedFile } from "./http/multipart.js";
export { pathParam, queryString, queryInt, queryBool, parsePaging, pageOf, parseLabels, DEFAULT_PAGE_LIMIT } from "./http/params.js";
export type { QueryIntOptions, Paging } from "./http/params.js";
export { CORRELATION_HEADER, PING_PATH } from "./http/middleware.js";
export { REDACTED, redactConfig } from "./http/common-routes.js";

export { HttpClient, errorFromResponse } from "./clients/http-client.js";
export type { HttpClientOptions, RequestOptions, HttpResponse } from "./clients/http-client.js";
export type { ResponseHeaders } from "./clients/transport.js";
export { BatchStatus, batchRequest, throwOnBatchFailure } from "./clients/batch.js";
export type { BatchItemResult } from "./clients/batch.js";
export { MetadataClient, getAllPages, LIST_PAGE_SIZE } from "./clients/metadata-client.js";
export type { DeviceUpdate, DeviceServiceUpdate } from "./clients/metadata-client.js";
export { DataClient } from "./clients/data-client.js";
