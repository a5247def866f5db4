/**
 * @brink/core-data: stores the events and readings published by device services and serves them over the
 * EdgeX v3 core-data REST API.
 */
export { coreDataService, CORE_DATA_PORT, CORE_DATA_CONFIG_SCHEMA, DEFAULT_RETENTION_INTERVAL_MS, DEFAULT_RETENTION_MAX_COUNT } from "./service.js";
export type { CoreDataConfig } from "./service.js";
export { EventStore, DEFAULT_BATCH_READINGS, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_DELETE_CHUNK_ROWS } from "./store/event-store.js";
export type { EventStoreOptions, RetentionOptions, CommitResult, RetentionResult } from "./store/event-store.js";
export { AggregateFunc } from "./store/queries.js";
export type { EventFilter, ReadingFilter, Page, AggregatedReading } from "./store/queries.js";
export type { Removed } from "./store/deletes.js";
export { INGEST_QUEUE_GROUP, DropReason } from "./ingest.js";
export {
  DEFAULT_EVENTS_STREAM, EVENTS_STREAM_SUBJECTS, DEFAULT_INGEST_DURABLE, DEFAULT_STREAM_MAX_AGE_MS, DEFAULT_STREAM_MAX_BYTES, DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_ACK_PENDING,
} from "./jetstream-ingest.js";
export type { JetStreamIngestConfig, NatsEndpoint } from "./jetstream-ingest.js";
export { DEFAULT_MAX_RESULT_COUNT } from "./routes/params.js";
export { coreEventSubject } from "./routes/event-routes.js";
export { CoreDataError, CoreDataErrorCode } from "./errors.js";
export { VERSION } from "./version.js";
