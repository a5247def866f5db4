/**
 * app-service's own config sections (env `BRINK_APP_SERVICE_<SECTION>_<KEY>`), with a description and default for
 * every key.
 */

/** EdgeX's default port of app services. */
export const APP_SERVICE_PORT = 59700;
/** Most pipelines by default. */
export const DEFAULT_MAX_PIPELINES = 64;
/** Most messages in flight per pipeline by default. */
export const DEFAULT_PIPELINE_MAX_IN_FLIGHT = 10_000;
/** How long `POST /api/v3/trigger` waits for the pipelines before answering 202, ms. */
export const DEFAULT_HTTP_TRIGGER_WAIT_MS = 5_000;
/** Name of the JetStream stream app-service reads events from by default. */
export const DEFAULT_JETSTREAM_STREAM = "BRINK_EVENTS";

/** app-service's config sections. */
export interface AppServiceConfig {
  pipelines: {
    /** YAML file of pipelines loaded at start; empty for none. @default "" */
    file: string;
    /** Most pipelines (from the file and over REST together). @default 64 */
    maxPipelines: number;
    /** Most messages in flight per pipeline; more are dropped and counted. @default 10000 */
    maxInFlight: number;
  };
  trigger: {
    /** How long `POST /api/v3/trigger` waits for the pipelines' result before answering 202, ms. @default 5000 */
    httpWaitMs: number;
  };
  outbox: {
    /** Largest backlog per export target, bytes. @default 268435456 */
    maxBytes: number;
    /** Messages older than this are dropped, ms. @default 604800000 */
    maxAgeMs: number;
    /** What to do when a target's backlog is full. @default "drop-oldest" */
    dropPolicy: "drop-oldest" | "reject-new";
  };
  secrets: {
    /** Directory with one file per secret; empty for `$BRINK_SECRETS_DIR` or `<dataDir>/secrets`. @default "" */
    dir: string;
  };
  profiles: {
    /** Read device profiles from core-metadata for RangeCheck bounds. @default true */
    fromMetadata: boolean;
  };
  jetstream: {
    /** On NATS, read events through a durable JetStream consumer per pipeline. @default false */
    enabled: boolean;
    /** NATS URL(s), comma separated; empty for `$BRINK_BUS_URL` (default nats://127.0.0.1:4222). @default "" */
    url: string;
    /** Stream holding `edgex.events.>`, created when missing. @default "BRINK_EVENTS" */
    stream: string;
    /** Stream retention by age, ms; 0 for none. @default 86400000 */
    maxAgeMs: number;
    /** Stream retention by size, bytes; -1 for none. @default 1073741824 */
    maxBytes: number;
    /** Time a message may stay unacknowledged before JetStream redelivers it, ms. @default 30000 */
    ackWaitMs: number;
    /** Most unacknowledged messages per consumer. @default 1000 */
    maxAckPending: number;
    /** Where a new consumer starts: every stored event, or only new ones. @default "all" */
    deliverPolicy: "all" | "new";
  };
}

const int = (minimum: number, def: number, description: string): Record<string, unknown> => ({ type: "integer", minimum, default: def, description });

/** JSON schema of {@link AppServiceConfig}. */
export const APP_SERVICE_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    pipelines: {
      type: "object",
      additionalProperties: false,
      description: "Pipelines: where they come from and their limits.",
      properties: {
        file: { type: "string", default: "", description: "YAML file of pipelines loaded at start (relative to the working directory); empty for none." },
        maxPipelines: int(1, DEFAULT_MAX_PIPELINES, "Most pipelines, from the file and over REST together."),
        maxInFlight: int(1, DEFAULT_PIPELINE_MAX_IN_FLIGHT, "Most messages in flight per pipeline; more are dropped and counted as overloaded."),
      },
    },
    trigger: {
      type: "object",
      additionalProperties: false,
      description: "The HTTP trigger.",
      properties: {
        httpWaitMs: int(0, DEFAULT_HTTP_TRIGGER_WAIT_MS, "How long POST /api/v3/trigger waits for the pipelines' result before answering 202, ms."),
      },
    },
    outbox: {
      type: "object",
      additionalProperties: false,
      description: "Limits of the store-and-forward outbox, per export target.",
      properties: {
        maxBytes: int(1, 268_435_456, "Largest backlog per export target, bytes."),
        maxAgeMs: int(1, 604_800_000, "Messages older than this are dropped (counted), ms."),
        dropPolicy: { type: "string", enum: ["drop-oldest", "reject-new"], default: "drop-oldest", description: "What to do when a target's backlog is full." },
      },
    },
    secrets: {
      type: "object",
      additionalProperties: false,
      description: "Where secrets named by pipelines are read.",
      properties: {
        dir: { type: "string", default: "", description: "Directory holding one file per secret; empty for $BRINK_SECRETS_DIR or <dataDir>/secrets." },
      },
    },
    profiles: {
      type: "object",
      additionalProperties: false,
      description: "Device profiles used by RangeCheck.",
      properties: {
        fromMetadata: { type: "boolean", default: true, description: "Read device profiles from core-metadata for RangeCheck bounds (kept current by system events)." },
      },
    },
    jetstream: {
      type: "object",
      additionalProperties: false,
      description: "Durable input over NATS JetStream (distributed mode).",
      properties: {
        enabled: { type: "boolean", default: false, description: "On NATS, read events through a durable JetStream consumer per pipeline, so events published while app-service is down are processed when it returns." },
        url: { type: "string", default: "", description: "NATS URL(s), comma separated; empty for $BRINK_BUS_URL (default nats://127.0.0.1:4222)." },
        stream: { type: "string", pattern: "^[A-Za-z0-9_-]+$", default: DEFAULT_JETSTREAM_STREAM, description: "Stream holding edgex.events.>, created when missing." },
        maxAgeMs: int(0, 86_400_000, "Stream retention by age, ms; 0 for none (applies when app-service creates the stream)."),
        maxBytes: int(-1, 1_073_741_824, "Stream retention by size, bytes; -1 for none (applies when app-service creates the stream)."),
        ackWaitMs: int(1, 30_000, "Time a message may stay unacknowledged before JetStream redelivers it, ms."),
        maxAckPending: int(1, 1000, "Most unacknowledged messages per consumer."),
        deliverPolicy: { type: "string", enum: ["all", "new"], default: "all", description: "Where a new consumer starts: every stored event, or only those published after it was created." },
      },
    },
  },
} as const;
