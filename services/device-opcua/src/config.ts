/**
 * The driver's `driver:` config section: client identity and PKI, connection timing and recovery, discovery.
 * Every key has a description and a default (env: `BRINK_DEVICE_OPCUA_DRIVER_<KEY>`).
 */

/** Default time one connection attempt (TCP, secure channel, session) may take, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
/** Default deadline of one service call (Read, Write, Call, Browse), ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
/** Default period of the keep-alive Read that detects a silent network drop, ms. */
export const DEFAULT_KEEP_ALIVE_INTERVAL_MS = 1000;
/** Default first delay before reconnecting, ms (doubled after each failure). */
export const DEFAULT_RECONNECT_MIN_DELAY_MS = 250;
/** Default longest delay between two reconnection attempts, ms. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 2000;
/** Default session timeout requested from the server, ms. */
export const DEFAULT_SESSION_TIMEOUT_MS = 60_000;
/** Default OPC UA application name of the client (it is also in its certificate). */
export const DEFAULT_APPLICATION_NAME = "Brink device-opcua";

/** The driver's settings, defaults applied. */
export interface OpcuaDriverConfig {
  /** Application name of the client. @default "Brink device-opcua" */
  readonly applicationName: string;
  /** Application URI of the client; "" for `urn:<hostname>:brink:device-opcua`. @default "" */
  readonly applicationUri: string;
  /** PKI folder (own certificate and key, trusted and rejected peers); "" for `<dataDir>/device-opcua/pki`. @default "" */
  readonly pkiDir: string;
  /** Trust every server certificate on first sight. For laboratories only. @default false */
  readonly acceptUnknownServerCertificates: boolean;
  /** Time one connection attempt may take, ms. @default 3000 */
  readonly connectTimeoutMs: number;
  /** Deadline of one service call, ms. @default 3000 */
  readonly requestTimeoutMs: number;
  /** Period of the keep-alive Read, ms; 0 turns it off. @default 1000 */
  readonly keepAliveIntervalMs: number;
  /** First reconnection delay, ms. @default 250 */
  readonly reconnectMinDelayMs: number;
  /** Longest reconnection delay, ms. @default 2000 */
  readonly reconnectMaxDelayMs: number;
  /** Session timeout requested from the server, ms. @default 60000 */
  readonly sessionTimeoutMs: number;
  /** Discovery servers (or servers) asked by device discovery, as `opc.tcp://host:port` URLs. @default [] */
  readonly discoveryUrls: readonly string[];
}

/** JSON Schema of the `driver:` section. */
export const OPCUA_DRIVER_CONFIG_SCHEMA = {
  type: "object",
  description: "OPC UA client settings.",
  additionalProperties: false,
  properties: {
    applicationName: { type: "string", minLength: 1, default: DEFAULT_APPLICATION_NAME, description: "Application name of the client, also written in its certificate." },
    applicationUri: { type: "string", default: "", description: "Application URI of the client (\"\": urn:<hostname>:brink:device-opcua)." },
    pkiDir: { type: "string", default: "", description: "PKI folder: own certificate and key, trusted/ and rejected/ peer certificates (\"\": <dataDir>/device-opcua/pki)." },
    acceptUnknownServerCertificates: {
      type: "boolean",
      default: false,
      description: "Trust every server certificate on first sight (laboratories only; otherwise move it from pki/rejected to pki/trusted/certs).",
    },
    connectTimeoutMs: { type: "integer", minimum: 100, default: DEFAULT_CONNECT_TIMEOUT_MS, description: "Time one connection attempt (TCP, secure channel, session) may take, ms." },
    requestTimeoutMs: { type: "integer", minimum: 100, default: DEFAULT_REQUEST_TIMEOUT_MS, description: "Deadline of one OPC UA service call, ms." },
    keepAliveIntervalMs: { type: "integer", minimum: 0, default: DEFAULT_KEEP_ALIVE_INTERVAL_MS, description: "Period of the keep-alive Read that detects a dropped network, ms (0: off)." },
    reconnectMinDelayMs: { type: "integer", minimum: 10, default: DEFAULT_RECONNECT_MIN_DELAY_MS, description: "First delay before reconnecting, ms (doubled after each failure)." },
    reconnectMaxDelayMs: { type: "integer", minimum: 10, default: DEFAULT_RECONNECT_MAX_DELAY_MS, description: "Longest delay between two reconnection attempts, ms." },
    sessionTimeoutMs: { type: "integer", minimum: 1000, default: DEFAULT_SESSION_TIMEOUT_MS, description: "Session timeout requested from the server, ms." },
    discoveryUrls: { type: "array", items: { type: "string" }, default: [], description: "Discovery servers (or servers) asked by device discovery (opc.tcp:// URLs)." },
  },
} as const;

/** The section with defaults for what `raw` lacks (the service validates it; tests pass partial objects). */
export function driverConfigOf(raw: Readonly<Record<string, unknown>>): OpcuaDriverConfig {
  const num = (key: string, fallback: number): number => (typeof raw[key] === "number" ? (raw[key] as number) : fallback);
  const str = (key: string, fallback: string): string => (typeof raw[key] === "string" ? (raw[key] as string) : fallback);
  return {
    applicationName: str("applicationName", DEFAULT_APPLICATION_NAME) || DEFAULT_APPLICATION_NAME,
    applicationUri: str("applicationUri", ""),
    pkiDir: str("pkiDir", ""),
    acceptUnknownServerCertificates: raw.acceptUnknownServerCertificates === true,
    connectTimeoutMs: num("connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS),
    requestTimeoutMs: num("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS),
    keepAliveIntervalMs: num("keepAliveIntervalMs", DEFAULT_KEEP_ALIVE_INTERVAL_MS),
    reconnectMinDelayMs: num("reconnectMinDelayMs", DEFAULT_RECONNECT_MIN_DELAY_MS),
    reconnectMaxDelayMs: num("reconnectMaxDelayMs", DEFAULT_RECONNECT_MAX_DELAY_MS),
    sessionTimeoutMs: num("sessionTimeoutMs", DEFAULT_SESSION_TIMEOUT_MS),
    discoveryUrls: Array.isArray(raw.discoveryUrls) ? raw.discoveryUrls.filter((u): u is string => typeof u === "string") : [],
  };
}
