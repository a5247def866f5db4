/**
 * The serial driver's `driver:` config section: defaults for every device, reopening and checking ports, and
 * back-pressure. Environment overrides follow the service kit (`BRINK_DRIVER_TIMEOUT_MS`).
 */
import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_PARTIAL_TIMEOUT_MS, DEFAULT_RESPONSE_TIMEOUT_MS } from "./protocol.js";

/** First delay before reopening a lost or missing port, ms. @default 250 */
export const DEFAULT_REOPEN_INITIAL_DELAY_MS = 250;
/** Longest delay between two reopen attempts, ms. @default 5000 */
export const DEFAULT_REOPEN_MAX_DELAY_MS = 5000;
/** How often an open port is checked for presence, ms. @default 1000 */
export const DEFAULT_PORT_CHECK_INTERVAL_MS = 1000;
/** Longest time an exchange waits in its port's queue before it is dropped, ms. @default 5000 */
export const DEFAULT_QUEUE_TIMEOUT_MS = 5000;
/** Default age under which a streamed value is served to reads, ms. @default 10000 */
export const DEFAULT_STREAM_MAX_AGE_MS = 10_000;
/** Streamed readings in flight to the SDK above which ports stop reading, readings. @default 2000 */
export const DEFAULT_MAX_PENDING_PUSHES = 2000;

/** The `driver:` section, with every default applied. */
export interface SerialDriverConfig {
  /** Answer timeout of a request when the device's block sets none, ms. @default 1000 */
  readonly timeoutMs: number;
  /** See {@link DEFAULT_QUEUE_TIMEOUT_MS}. */
  readonly queueTimeoutMs: number;
  /** An unfinished frame older than this is dropped when more bytes arrive (0: never), ms. @default 500 */
  readonly partialTimeoutMs: number;
  /** Largest frame when the device's block sets none, bytes. @default 4096 */
  readonly maxFrameBytes: number;
  /** See {@link DEFAULT_STREAM_MAX_AGE_MS}. */
  readonly streamMaxAgeMs: number;
  /** See {@link DEFAULT_REOPEN_INITIAL_DELAY_MS}. */
  readonly reopenInitialDelayMs: number;
  /** See {@link DEFAULT_REOPEN_MAX_DELAY_MS}. */
  readonly reopenMaxDelayMs: number;
  /** See {@link DEFAULT_PORT_CHECK_INTERVAL_MS}; 0 turns the check off. */
  readonly portCheckIntervalMs: number;
  /** See {@link DEFAULT_MAX_PENDING_PUSHES}. */
  readonly maxPendingPushes: number;
}

const DEFAULTS: SerialDriverConfig = {
  timeoutMs: DEFAULT_RESPONSE_TIMEOUT_MS,
  queueTimeoutMs: DEFAULT_QUEUE_TIMEOUT_MS,
  partialTimeoutMs: DEFAULT_PARTIAL_TIMEOUT_MS,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  streamMaxAgeMs: DEFAULT_STREAM_MAX_AGE_MS,
  reopenInitialDelayMs: DEFAULT_REOPEN_INITIAL_DELAY_MS,
  reopenMaxDelayMs: DEFAULT_REOPEN_MAX_DELAY_MS,
  portCheckIntervalMs: DEFAULT_PORT_CHECK_INTERVAL_MS,
  maxPendingPushes: DEFAULT_MAX_PENDING_PUSHES,
};

const ms = (description: string, def: number, minimum = 0) => ({ type: "integer", minimum, default: def, description });

/** JSON Schema of the `driver:` section. */
export const SERIAL_DRIVER_CONFIG_SCHEMA = {
  type: "object",
  description: "Serial driver defaults; a device's `serial` protocol block overrides the per-device ones.",
  additionalProperties: false,
  default: {},
  properties: {
    timeoutMs: ms("Answer timeout of one request when the device sets no timeoutMs, ms.", DEFAULTS.timeoutMs, 1),
    queueTimeoutMs: ms("Longest time an exchange waits for its turn on a shared port before it fails, ms.", DEFAULTS.queueTimeoutMs, 1),
    partialTimeoutMs: ms("An unfinished frame older than this is dropped when more bytes arrive (0: never), ms.", DEFAULTS.partialTimeoutMs),
    maxFrameBytes: ms("Largest frame when the device sets no maxFrameBytes; longer input is dropped and counted, bytes.", DEFAULTS.maxFrameBytes, 1),
    streamMaxAgeMs: ms("A read of a streamed resource gets the last streamed value while younger than this, else waits for the next, ms.", DEFAULTS.streamMaxAgeMs),
    reopenInitialDelayMs: ms("First delay before reopening a lost or missing port, ms; it doubles per failed attempt.", DEFAULTS.reopenInitialDelayMs, 1),
    reopenMaxDelayMs: ms("Longest delay between two reopen attempts, ms.", DEFAULTS.reopenMaxDelayMs, 1),
    portCheckIntervalMs: ms("How often an open port is checked for presence (path and I/O), ms; 0 turns it off.", DEFAULTS.portCheckIntervalMs),
    maxPendingPushes: ms("Streamed readings in flight to the SDK above which ports stop reading until half have drained.", DEFAULTS.maxPendingPushes, 1),
  },
} as const;

/** The section with defaults applied; values that are not non-negative integers fall back to their default. */
export function readDriverConfig(section: Readonly<Record<string, unknown>>): SerialDriverConfig {
  const out: Record<string, number> = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    const v = section[key];
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) out[key] = v;
  }
  return out as unknown as SerialDriverConfig;
}
