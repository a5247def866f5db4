/**
 * The driver's config section (`driver:` in the device-modbus service YAML, `BRINK_DRIVER_<KEY>` in the
 * environment): read planning, queues and reconnection. Each key has a default, so an empty section works.
 */

/** Default largest hole between two register resources that one read still bridges, registers. */
export const DEFAULT_MAX_GAP_REGISTERS = 10;
/** Default largest hole between two coil or discrete-input resources that one read still bridges, bits. */
export const DEFAULT_MAX_GAP_BITS = 32;
/** Modbus limit of one read of registers (function 3 or 4), registers. */
export const MAX_REGISTERS_PER_READ = 125;
/** Modbus limit of one read of coils or discrete inputs (function 1 or 2), bits. */
export const MAX_BITS_PER_READ = 2000;
/** Modbus limit of one write of registers (function 16), registers. */
export const MAX_REGISTERS_PER_WRITE = 123;
/** Modbus limit of one write of coils (function 15), bits. */
export const MAX_BITS_PER_WRITE = 1968;
/** Default bound of each connection's queue, requests. */
export const DEFAULT_QUEUE_LIMIT = 1000;
/** Default first reconnect delay after a failed connection, ms. */
export const DEFAULT_RECONNECT_INITIAL_MS = 250;
/** Default longest reconnect delay, ms. */
export const DEFAULT_RECONNECT_MAX_MS = 10_000;
/** Default consecutive timeouts, with no answer in between, after which a TCP connection is dropped and reopened. */
export const DEFAULT_TIMEOUTS_BEFORE_RECONNECT = 3;

/** The driver's settings, defaults applied. */
export interface ModbusDriverConfig {
  /** Merge the resources read together into the fewest requests. false: one request per resource. @default true */
  readonly merge: boolean;
  /** Largest hole between register resources bridged by one read, registers. @default 10 */
  readonly maxGapRegisters: number;
  /** Largest hole between coil or discrete-input resources bridged by one read, bits. @default 32 */
  readonly maxGapBits: number;
  /** Most registers in one read (1..125). @default 125 */
  readonly maxRegistersPerRead: number;
  /** Most coils or discrete inputs in one read (1..2000). @default 2000 */
  readonly maxBitsPerRead: number;
  /** Most requests waiting in one connection's queue; more fail at once with MODBUS_QUEUE_FULL. @default 1000 */
  readonly queueLimit: number;
  /** First reconnect delay after a failed connection, ms; doubles per failure, with jitter. @default 250 */
  readonly reconnectInitialMs: number;
  /** Longest reconnect delay, ms. @default 10000 */
  readonly reconnectMaxMs: number;
  /** Consecutive timeouts without any answer after which a TCP connection is reopened. @default 3 */
  readonly timeoutsBeforeReconnect: number;
}

/** JSON Schema of the `driver:` section, as createDeviceService takes it. */
export const MODBUS_DRIVER_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    merge: { type: "boolean", default: true, description: "Merge the resources read together into the fewest requests (false: one request per resource)." },
    maxGapRegisters: {
      type: "integer",
      minimum: 0,
      maximum: MAX_REGISTERS_PER_READ,
      default: DEFAULT_MAX_GAP_REGISTERS,
      description: "Largest hole between two register resources that one read still bridges, registers.",
    },
    maxGapBits: {
      type: "integer",
      minimum: 0,
      maximum: MAX_BITS_PER_READ,
      default: DEFAULT_MAX_GAP_BITS,
      description: "Largest hole between two coil or discrete-input resources that one read still bridges, bits.",
    },
    maxRegistersPerRead: {
      type: "integer",
      minimum: 1,
      maximum: MAX_REGISTERS_PER_READ,
      default: MAX_REGISTERS_PER_READ,
      description: "Most registers in one read request (Modbus allows 125).",
    },
    maxBitsPerRead: {
      type: "integer",
      minimum: 1,
      maximum: MAX_BITS_PER_READ,
      default: MAX_BITS_PER_READ,
      description: "Most coils or discrete inputs in one read request (Modbus allows 2000).",
    },
    queueLimit: { type: "integer", minimum: 1, default: DEFAULT_QUEUE_LIMIT, description: "Most requests waiting in one connection's queue." },
    reconnectInitialMs: { type: "integer", minimum: 1, default: DEFAULT_RECONNECT_INITIAL_MS, description: "First reconnect delay after a failed connection, ms." },
    reconnectMaxMs: { type: "integer", minimum: 1, default: DEFAULT_RECONNECT_MAX_MS, description: "Longest reconnect delay, ms." },
    timeoutsBeforeReconnect: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_TIMEOUTS_BEFORE_RECONNECT,
      description: "Consecutive timeouts without any answer after which a TCP connection is dropped and reopened.",
    },
  },
} as const;

const DEFAULTS: ModbusDriverConfig = {
  merge: true,
  maxGapRegisters: DEFAULT_MAX_GAP_REGISTERS,
  maxGapBits: DEFAULT_MAX_GAP_BITS,
  maxRegistersPerRead: MAX_REGISTERS_PER_READ,
  maxBitsPerRead: MAX_BITS_PER_READ,
  queueLimit: DEFAULT_QUEUE_LIMIT,
  reconnectInitialMs: DEFAULT_RECONNECT_INITIAL_MS,
  reconnectMaxMs: DEFAULT_RECONNECT_MAX_MS,
  timeoutsBeforeReconnect: DEFAULT_TIMEOUTS_BEFORE_RECONNECT,
};

function clampInt(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === "number" && Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

/**
 * The driver config with defaults applied. The service validates the section against {@link MODBUS_DRIVER_SCHEMA}
 * before the driver sees it; this also serves drivers built directly (tests, benches), clamping to Modbus limits.
 */
export function resolveDriverConfig(raw: Readonly<Record<string, unknown>> = {}, overrides: Partial<ModbusDriverConfig> = {}): ModbusDriverConfig {
  const src = { ...raw, ...overrides } as Record<string, unknown>;
  return Object.freeze({
    merge: typeof src.merge === "boolean" ? src.merge : DEFAULTS.merge,
    maxGapRegisters: clampInt(src.maxGapRegisters, 0, MAX_REGISTERS_PER_READ, DEFAULTS.maxGapRegisters),
    maxGapBits: clampInt(src.maxGapBits, 0, MAX_BITS_PER_READ, DEFAULTS.maxGapBits),
    maxRegistersPerRead: clampInt(src.maxRegistersPerRead, 1, MAX_REGISTERS_PER_READ, DEFAULTS.maxRegistersPerRead),
    maxBitsPerRead: clampInt(src.maxBitsPerRead, 1, MAX_BITS_PER_READ, DEFAULTS.maxBitsPerRead),
    queueLimit: clampInt(src.queueLimit, 1, Number.MAX_SAFE_INTEGER, DEFAULTS.queueLimit),
    reconnectInitialMs: clampInt(src.reconnectInitialMs, 1, Number.MAX_SAFE_INTEGER, DEFAULTS.reconnectInitialMs),
    reconnectMaxMs: clampInt(src.reconnectMaxMs, 1, Number.MAX_SAFE_INTEGER, DEFAULTS.reconnectMaxMs),
    timeoutsBeforeReconnect: clampInt(src.timeoutsBeforeReconnect, 1, Number.MAX_SAFE_INTEGER, DEFAULTS.timeoutsBeforeReconnect),
  });
}
