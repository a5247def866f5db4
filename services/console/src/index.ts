/**
 * @brink/console: Brink's web console (port 4000) and the gateway the `brink` CLI talks to: `/<service>/api/v3/...`
 * proxied to each service, and `/api/console/...` for device lists, health, profile checks and live streams.
 */
export { consoleService } from "./service.js";
export type { ConsoleInfo } from "./service.js";
export {
  CONSOLE_PORT, CONSOLE_CONFIG_SCHEMA, DEFAULT_STREAM_QUEUE_FRAMES, DEFAULT_MAX_STREAMS, DEFAULT_MAX_STREAM_DEVICES, DEFAULT_HEARTBEAT_MS,
  DEFAULT_SUMMARY_INTERVAL_MS, DEFAULT_GATEWAY_TIMEOUT_MS, DEFAULT_PEER_CACHE_MS,
} from "./config.js";
export type { ConsoleConfig } from "./config.js";
export { ConsoleErrorCode } from "./errors.js";
export { CONSOLE_API } from "./routes.js";
export { PeerDirectory, PeerKind } from "./peers.js";
export type { Peer, PeerDirectoryOptions } from "./peers.js";
export { LiveHub, streamEventOf } from "./live-hub.js";
export type { LiveHubOptions, StreamEvent, StreamReading } from "./live-hub.js";
export { SseStream, FrameQueue } from "./sse.js";
export type { SseStreamOptions, SseStreamStats } from "./sse.js";
export { readSse } from "./sse-reader.js";
export type { SseMessage } from "./sse-reader.js";
export { checkProfileText, profileYaml } from "./profiles.js";
export type { ProfileCheck } from "./profiles.js";
export { parsePrometheus, sumOf } from "./prometheus.js";
export type { Sample } from "./prometheus.js";
export { healthReport, checkService, keyMetricsOf, brinkMetricsOf, HEALTH_TIMEOUT_MS } from "./health.js";
export type { HealthReport, ServiceHealth, KeyMetrics, ListedMetric } from "./health.js";
export { deviceList, lastEventOf, mapLimit, LAST_READING_CONCURRENCY } from "./devices.js";
export type { DeviceList, DeviceRow, LastEvent } from "./devices.js";
export { staticFiles, hasBundle, DEFAULT_WEB_DIR, CONTENT_SECURITY_POLICY } from "./static-files.js";
export { VERSION } from "./version.js";
