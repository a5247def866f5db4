/**
 * The config of a device service: the runtime's `device:` section (defaults documented below) and the driver's own
 * `driver:` section, whose schema the driver supplies.
 */
import type { ConfigSchema } from "@brink/service-kit";

/** Default deadline of one driver call, ms. */
export const DEFAULT_DRIVER_TIMEOUT_MS = 5000;
/** Default least time between two probes of a DOWN device, ms. */
export const DEFAULT_DOWN_PROBE_INTERVAL_MS = 30_000;
/** Default number of consecutive driver failures that set a device DOWN. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;
/** Default time start() keeps retrying core-metadata when it is not reachable yet, ms. */
export const DEFAULT_METADATA_WAIT_MS = 30_000;

/** The `device:` section. */
export interface DeviceRuntimeConfig {
  /** Deadline of one driver call (read or write), ms. @default 5000 */
  readonly driverTimeoutMs: number;
  /** Least time between two probes of a DOWN device, ms; other requests fail fast. @default 30000 */
  readonly downProbeIntervalMs: number;
  /** Consecutive driver failures that set a device DOWN. @default 3 */
  readonly maxConsecutiveFailures: number;
  /** Apply mask/shift/base/scale/offset to values. @default true */
  readonly dataTransform: boolean;
  /** Directory of device profile YAML files uploaded at start; "" for the service's built-in default. @default "" */
  readonly profilesDir: string;
  /** Directory of device-list YAML files added at start; "" for the service's built-in default. @default "" */
  readonly devicesDir: string;
  /** Address registered with core-metadata; "" for `http://<service.host>:<service.port>`. @default "" */
  readonly baseAddress: string;
  /** Time start() retries core-metadata while it is unreachable, ms. @default 30000 */
  readonly metadataWaitMs: number;
}

/** The config of a device service (`custom` in its ServiceConfig). */
export interface DeviceServiceConfig {
  readonly device: DeviceRuntimeConfig;
  /** The driver's own section, validated by the driver's schema. */
  readonly driver?: Readonly<Record<string, unknown>>;
}

/** The schema of the `device:` section. */
export const DEVICE_RUNTIME_SCHEMA = {
  type: "object",
  description: "Device-service runtime settings (command pipeline, health, AutoEvents, startup).",
  additionalProperties: false,
  properties: {
    driverTimeoutMs: { type: "integer", minimum: 1, default: DEFAULT_DRIVER_TIMEOUT_MS, description: "Deadline of one driver call, ms." },
    downProbeIntervalMs: {
      type: "integer",
      minimum: 0,
      default: DEFAULT_DOWN_PROBE_INTERVAL_MS,
      description: "Least time between two probes of a DOWN device, ms; other requests to it fail fast with 503.",
    },
    maxConsecutiveFailures: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_MAX_CONSECUTIVE_FAILURES,
      description: "Consecutive driver failures that set a device DOWN.",
    },
    dataTransform: { type: "boolean", default: true, description: "Apply mask/shift/base/scale/offset to values." },
    profilesDir: { type: "string", default: "", description: "Directory of device profile YAML files uploaded at start (\"\": built-in default)." },
    devicesDir: { type: "string", default: "", description: "Directory of device-list YAML files added at start (\"\": built-in default)." },
    baseAddress: { type: "string", default: "", description: "Address registered with core-metadata (\"\": http://<service.host>:<service.port>)." },
    metadataWaitMs: { type: "integer", minimum: 0, default: DEFAULT_METADATA_WAIT_MS, description: "Time start() retries an unreachable core-metadata, ms." },
  },
} as const;

/** The whole custom schema of a device service, given the driver's section schema. */
export function deviceServiceConfigSchema(driverSchema: ConfigSchema | undefined): ConfigSchema {
  const properties: Record<string, unknown> = { device: DEVICE_RUNTIME_SCHEMA };
  if (driverSchema !== undefined) {
    properties.driver = { description: "Settings of the protocol driver.", ...driverSchema, type: "object" };
  }
  return { type: "object", properties };
}
