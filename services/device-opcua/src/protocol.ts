/**
 * The device's `opcua` protocol block, checked and read into settings. EdgeX's device-opc-ua names the endpoint
 * `Endpoint`; Brink adds security, the user identity and the subscription of resources in the same block:
 *
 * ```yaml
 * protocols:
 *   opcua:
 *     Endpoint: opc.tcp://plc-1:4840/UA/Server
 *     SecurityPolicy: Basic256Sha256     # None (default), Basic128Rsa15, Basic256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss
 *     SecurityMode: SignAndEncrypt       # None (default), Sign, SignAndEncrypt
 *     Username: operator                 # absent: anonymous
 *     Password: secret
 *     Resources: Counter,Random          # subscribed resources ("*": every readable variable of the profile)
 *     PublishingInterval: 500            # ms
 *     SamplingInterval: 100              # ms, per monitored item (a resource's `samplingInterval` attribute wins)
 *     QueueSize: 1
 *     DeadbandType: Absolute             # None (default), Absolute, Percent
 *     DeadbandValue: 0.5
 * ```
 * Values may be strings (EdgeX v2 style) or numbers. `Policy` and `Mode` (EdgeX's config names) are read too.
 */
import { ErrorKind, type Device } from "@brink/contracts";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";

/** Name of the protocol block. */
export const OPCUA_PROTOCOL = "opcua";

/** Security policies a device may ask for (the names of OPC UA's policy URIs). */
export const SecurityPolicyName = {
  None: "None",
  Basic128Rsa15: "Basic128Rsa15",
  Basic256: "Basic256",
  Basic256Sha256: "Basic256Sha256",
  Aes128_Sha256_RsaOaep: "Aes128_Sha256_RsaOaep",
  Aes256_Sha256_RsaPss: "Aes256_Sha256_RsaPss",
} as const;
/** One security policy name. */
export type SecurityPolicyName = (typeof SecurityPolicyName)[keyof typeof SecurityPolicyName];

/** Message security modes. */
export const SecurityModeName = { None: "None", Sign: "Sign", SignAndEncrypt: "SignAndEncrypt" } as const;
/** One message security mode. */
export type SecurityModeName = (typeof SecurityModeName)[keyof typeof SecurityModeName];

/** Deadband of a monitored item's data-change filter. */
export const DeadbandKind = { None: "None", Absolute: "Absolute", Percent: "Percent" } as const;
/** One deadband kind. */
export type DeadbandKind = (typeof DeadbandKind)[keyof typeof DeadbandKind];

/** Default publishing interval of a device's subscription, ms. */
export const DEFAULT_PUBLISHING_INTERVAL_MS = 1000;
/** Default sampling interval of a monitored item, ms. */
export const DEFAULT_SAMPLING_INTERVAL_MS = 1000;
/** Default queue size of a monitored item. */
export const DEFAULT_QUEUE_SIZE = 1;

/** How the client authenticates. */
export type UserIdentity = { readonly type: "Anonymous" } | { readonly type: "UserName"; readonly userName: string; readonly password: string };

/** Monitoring parameters of a monitored item. */
export interface MonitoringSettings {
  /** ms; 0 asks the server for its fastest practical rate. */
  readonly samplingIntervalMs: number;
  readonly queueSize: number;
  readonly deadbandType: DeadbandKind;
  readonly deadbandValue: number;
}

/** The device's subscription: which resources, at what rates. */
export interface SubscriptionSettings {
  /** Subscribed resource names, or "*" for every readable variable of the profile; empty: no subscription. */
  readonly resources: readonly string[] | "*";
  readonly publishingIntervalMs: number;
  /** Defaults of the monitored items (a resource's attributes override them). */
  readonly monitoring: MonitoringSettings;
}

/** Everything the driver needs to talk to a device's server. */
export interface OpcuaDeviceSettings {
  /** `opc.tcp://host:port/path` */
  readonly endpoint: string;
  readonly securityPolicy: SecurityPolicyName;
  readonly securityMode: SecurityModeName;
  readonly identity: UserIdentity;
  readonly subscription: SubscriptionSettings;
}

const POLICY_URI_PREFIX = "http://opcfoundation.org/UA/SecurityPolicy#";

function invalid(device: string, message: string, details: Record<string, unknown> = {}): OpcuaError {
  return new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.ProtocolInvalid, `device ${device}: protocols.opcua: ${message}`, { details: { deviceName: device, ...details } });
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A non-negative number from a number or numeric string; undefined when absent or empty. */
export function numberSetting(value: unknown, what: string, fail: (message: string) => Error, integer = false): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw fail(`${what} must be a ${integer ? "whole " : ""}number ≥ 0, not ${JSON.stringify(value)}`);
  return n;
}

/** A deadband kind from its name (case-insensitive); undefined when absent. */
export function deadbandSetting(value: unknown, fail: (message: string) => Error): DeadbandKind | undefined {
  const t = text(value);
  if (t === undefined || t === "") return undefined;
  const found = Object.values(DeadbandKind).find((k) => k.toLowerCase() === t.toLowerCase());
  if (found === undefined) throw fail(`DeadbandType must be one of ${Object.values(DeadbandKind).join(", ")}, not ${JSON.stringify(value)}`);
  return found;
}

function policyOf(device: string, value: unknown): SecurityPolicyName {
  const t = text(value);
  if (t === undefined || t === "") return SecurityPolicyName.None;
  const name = t.startsWith(POLICY_URI_PREFIX) ? t.slice(POLICY_URI_PREFIX.length) : t;
  const found = Object.values(SecurityPolicyName).find((p) => p.toLowerCase() === name.toLowerCase());
  if (found === undefined) throw invalid(device, `SecurityPolicy must be one of ${Object.values(SecurityPolicyName).join(", ")}, not ${JSON.stringify(value)}`);
  return found;
}

function modeOf(device: string, value: unknown): SecurityModeName {
  const t = text(value);
  if (t === undefined || t === "") return SecurityModeName.None;
  const found = Object.values(SecurityModeName).find((m) => m.toLowerCase() === t.toLowerCase());
  if (found === undefined) throw invalid(device, `SecurityMode must be one of ${Object.values(SecurityModeName).join(", ")}, not ${JSON.stringify(value)}`);
  return found;
}

function identityOf(device: string, block: Readonly<Record<string, unknown>>): UserIdentity {
  const authType = text(block.AuthType)?.toLowerCase();
  const userName = text(block.Username ?? block.UserName) ?? "";
  const password = typeof block.Password === "string" ? block.Password : (text(block.Password) ?? "");
  if (authType === "anonymous") return { type: "Anonymous" };
  if (authType === undefined || authType === "") {
    if (userName === "") return { type: "Anonymous" };
  } else if (authType !== "username") {
    throw invalid(device, `AuthType must be Anonymous or Username, not ${JSON.stringify(block.AuthType)}`);
  }
  if (userName === "") throw invalid(device, "Username is required when AuthType is Username");
  return { type: "UserName", userName, password };
}

function resourcesOf(device: string, value: unknown): readonly string[] | "*" {
  if (value === undefined || value === null || value === "") return [];
  if (value === "*") return "*";
  const list = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : undefined;
  if (list === undefined || !list.every((x) => typeof x === "string")) throw invalid(device, "Resources must be a comma-separated list or a list of resource names, or \"*\"");
  return [...new Set((list as string[]).map((x) => x.trim()).filter((x) => x !== ""))];
}

/**
 * Reads a device's `opcua` block.
 * @throws OpcuaError kind ContractInvalid, code OPCUA_PROTOCOL_INVALID, naming what is wrong
 */
export function parseOpcuaProtocol(device: Device): OpcuaDeviceSettings {
  const name = device.name;
  const raw: unknown = device.protocols?.[OPCUA_PROTOCOL];
  if (raw === undefined || raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid(name, "the device has no opcua protocol block");
  const block = raw as Readonly<Record<string, unknown>>;
  const endpoint = text(block.Endpoint) ?? "";
  if (!/^opc\.tcp:\/\/[^/:\s]+(:\d{1,5})?(\/\S*)?$/i.test(endpoint)) throw invalid(name, `Endpoint must be an opc.tcp://host[:port][/path] URL, not ${JSON.stringify(block.Endpoint ?? "")}`);
  const securityPolicy = policyOf(name, block.SecurityPolicy ?? block.Policy);
  const securityMode = modeOf(name, block.SecurityMode ?? block.Mode);
  if ((securityPolicy === "None") !== (securityMode === "None")) {
    throw invalid(name, `SecurityPolicy ${securityPolicy} and SecurityMode ${securityMode} do not go together (None goes only with None)`);
  }
  const fail = (message: string): OpcuaError => invalid(name, message);
  const deadbandType = deadbandSetting(block.DeadbandType, fail) ?? DeadbandKind.None;
  return {
    endpoint,
    securityPolicy,
    securityMode,
    identity: identityOf(name, block),
    subscription: {
      resources: resourcesOf(name, block.Resources),
      publishingIntervalMs: numberSetting(block.PublishingInterval, "PublishingInterval", fail) ?? DEFAULT_PUBLISHING_INTERVAL_MS,
      monitoring: {
        samplingIntervalMs: numberSetting(block.SamplingInterval, "SamplingInterval", fail) ?? DEFAULT_SAMPLING_INTERVAL_MS,
        queueSize: numberSetting(block.QueueSize, "QueueSize", fail, true) ?? DEFAULT_QUEUE_SIZE,
        deadbandType,
        deadbandValue: numberSetting(block.DeadbandValue, "DeadbandValue", fail) ?? 0,
      },
    },
  };
}

/** A key that changes exactly when the connection must be rebuilt (endpoint, security, identity). */
export function connectionKey(s: OpcuaDeviceSettings): string {
  const who = s.identity.type === "UserName" ? `user:${s.identity.userName}:${s.identity.password}` : "anonymous";
  return JSON.stringify([s.endpoint, s.securityPolicy, s.securityMode, who]);
}
