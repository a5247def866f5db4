/**
 * The console's own config keys (YAML top level; env `BRINK_<KEY>` or `BRINK_CONSOLE_<KEY>`, such as
 * `BRINK_CONSOLE_APP_SERVICE_URL`).
 */

/** EdgeX's UI port, which the console keeps. */
export const CONSOLE_PORT = 4000;
/** Frames a live stream may hold for a slow browser before it drops the oldest of the busiest device. */
export const DEFAULT_STREAM_QUEUE_FRAMES = 2000;
/** Live streams open at once, across all browsers and CLIs. */
export const DEFAULT_MAX_STREAMS = 64;
/** Devices one reading stream may follow. */
export const DEFAULT_MAX_STREAM_DEVICES = 100;
/** Interval of the keep-alive comment on an idle stream, ms. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** How often the device-list stream sends the last-seen times that changed, ms. */
export const DEFAULT_SUMMARY_INTERVAL_MS = 1000;
/** How long a proxied request may take before the gateway answers 503 TIMEOUT, ms. */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 30_000;
/** How long a device service's address, as core-metadata registers it, is reused, ms. */
export const DEFAULT_PEER_CACHE_MS = 10_000;

/** The console's own config. */
export interface ConsoleConfig {
  /** Folder of the built web bundle; empty for the one `npm run build` makes (services/console/web-dist). @default "" */
  webDir: string;
  /** Base URL of app-service (pipelines panel). @default "http://127.0.0.1:59700" */
  appServiceUrl: string;
  /** Base URL of rules-engine (rules panel). @default "http://127.0.0.1:59720" */
  rulesEngineUrl: string;
  /** Base URL of the service that keeps notifications; empty for rules-engine's. @default "" */
  notificationsUrl: string;
  /** See {@link DEFAULT_STREAM_QUEUE_FRAMES}. @default 2000 */
  streamQueueFrames: number;
  /** See {@link DEFAULT_MAX_STREAMS}. @default 64 */
  maxStreams: number;
  /** See {@link DEFAULT_MAX_STREAM_DEVICES}. @default 100 */
  maxStreamDevices: number;
  /** See {@link DEFAULT_HEARTBEAT_MS}. @default 15000 */
  heartbeatMs: number;
  /** See {@link DEFAULT_SUMMARY_INTERVAL_MS}. @default 1000 */
  summaryIntervalMs: number;
  /** See {@link DEFAULT_GATEWAY_TIMEOUT_MS}. @default 30000 */
  gatewayTimeoutMs: number;
  /** See {@link DEFAULT_PEER_CACHE_MS}. @default 10000 */
  peerCacheMs: number;
}

const URL_PATTERN = "^https?://[^\\s]+$";

/** JSON schema of {@link ConsoleConfig}. */
export const CONSOLE_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    webDir: { type: "string", default: "", description: "Folder of the built web bundle; empty for services/console/web-dist, which `npm run build` makes." },
    appServiceUrl: { type: "string", pattern: URL_PATTERN, default: "http://127.0.0.1:59700", description: "Base URL of app-service, for the pipelines panel and the gateway path /app-service." },
    rulesEngineUrl: { type: "string", pattern: URL_PATTERN, default: "http://127.0.0.1:59720", description: "Base URL of rules-engine, for the rules panel and the gateway path /rules-engine." },
    notificationsUrl: {
      type: "string",
      pattern: `^$|${URL_PATTERN}`,
      default: "",
      description: "Base URL of the service that keeps notifications (gateway path /support-notifications); empty for rules-engine's.",
    },
    streamQueueFrames: { type: "integer", minimum: 10, default: DEFAULT_STREAM_QUEUE_FRAMES, description: "Frames a live stream holds for a slow client before it drops the oldest of the busiest device." },
    maxStreams: { type: "integer", minimum: 1, default: DEFAULT_MAX_STREAMS, description: "Live streams open at once." },
    maxStreamDevices: { type: "integer", minimum: 1, default: DEFAULT_MAX_STREAM_DEVICES, description: "Devices one reading stream may follow." },
    heartbeatMs: { type: "integer", minimum: 100, default: DEFAULT_HEARTBEAT_MS, description: "Interval of the keep-alive comment on an idle stream, ms." },
    summaryIntervalMs: { type: "integer", minimum: 50, default: DEFAULT_SUMMARY_INTERVAL_MS, description: "How often the device-list stream sends the last-seen times that changed, ms." },
    gatewayTimeoutMs: { type: "integer", minimum: 1, default: DEFAULT_GATEWAY_TIMEOUT_MS, description: "How long a request proxied by the gateway may take, ms." },
    peerCacheMs: { type: "integer", minimum: 0, default: DEFAULT_PEER_CACHE_MS, description: "How long a device service's registered address is reused, ms." },
  },
} as const;
