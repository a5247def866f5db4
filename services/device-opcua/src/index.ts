/**
 * @brink/device-opcua: OPC UA devices on Brink's device SDK (EdgeX device-opc-ua compatible). node-opcua is loaded
 * only when the driver starts, so importing this package costs nothing.
 */
export { OpcuaDriver } from "./driver.js";
export type { OpcuaDriverOptions, OpcuaDeviceStatus } from "./driver.js";
export { deviceOpcuaService, OPCUA_PROFILES_DIR, DEVICE_OPCUA_PORT } from "./service.js";
export { OpcuaError, OpcuaErrorCode } from "./errors.js";
export {
  OPCUA_DRIVER_CONFIG_SCHEMA, driverConfigOf, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_INTERVAL_MS,
  DEFAULT_RECONNECT_MIN_DELAY_MS, DEFAULT_RECONNECT_MAX_DELAY_MS, DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_APPLICATION_NAME,
} from "./config.js";
export type { OpcuaDriverConfig } from "./config.js";
export {
  OPCUA_PROTOCOL, SecurityPolicyName, SecurityModeName, DeadbandKind, DEFAULT_PUBLISHING_INTERVAL_MS, DEFAULT_SAMPLING_INTERVAL_MS,
  DEFAULT_QUEUE_SIZE, parseOpcuaProtocol,
} from "./protocol.js";
export type { OpcuaDeviceSettings, SubscriptionSettings, MonitoringSettings, UserIdentity } from "./protocol.js";
export { addressOf, nodeIdProblem } from "./attributes.js";
export type { ResourceAddress } from "./attributes.js";
export { BuiltinType, fromVariant, toVariant, valueTypeOf, dataTypeName } from "./values.js";
export type { NodeType, VariantLike } from "./values.js";
export { QUALITY_TAG, STATUS_TAG, qualityTags, severityOf, statusError } from "./status.js";
export type { Severity, StatusLike } from "./status.js";
export { browseVariables, profileFromVariables, profileToYaml, OBJECTS_FOLDER } from "./browse.js";
export type { BrowseOptions, BrowsedVariable, ProfileInfo } from "./browse.js";
export { clientCertificateFile, defaultApplicationUri, CLIENT_CERTIFICATE_VALIDITY_DAYS } from "./pki.js";
export type { SubscriptionStats } from "./subscription.js";
export { loadOpcua } from "./lib.js";
export type { OpcuaLib } from "./lib.js";
export { VERSION } from "./version.js";
