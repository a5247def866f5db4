/**
 * Error codes of the OPC UA driver, beyond the shared ones in `@brink/contracts`. Each is listed in docs/errors.md
 * under "@brink/device-opcua".
 */
import { ServiceError, type ErrorKind } from "@brink/contracts";

/** Stable codes raised by the OPC UA driver. */
export const OpcuaErrorCode = {
  /** The device's `opcua` protocol block is missing or unusable (kind ContractInvalid). */
  ProtocolInvalid: "OPCUA_PROTOCOL_INVALID",
  /** A resource's attributes name no usable node (`nodeId`, or `objectId` + `methodId`) or bad monitoring values (kind ContractInvalid). */
  AttributeInvalid: "OPCUA_ATTRIBUTE_INVALID",
  /** A node id does not parse (`ns=2;s=Name`, `ns=3;i=1001`, `ns=2;g=<guid>`, `ns=2;b=<base64>`) (kind ContractInvalid). */
  NodeIdInvalid: "OPCUA_NODEID_INVALID",
  /** The server has no such node, or it is not a variable or method (BadNodeIdUnknown...) (kind NotFound). */
  NodeNotFound: "OPCUA_NODE_NOT_FOUND",
  /** The server refused access to the node (BadNotReadable, BadNotWritable, BadUserAccessDenied) (kind NotAllowed). */
  AccessDenied: "OPCUA_ACCESS_DENIED",
  /** A value to write or a method input does not fit the node's real DataType (kind ContractInvalid). */
  TypeMismatch: "OPCUA_TYPE_MISMATCH",
  /** A value read cannot be given as the resource's value type (kind ServerError). */
  ValueUnsupported: "OPCUA_VALUE_UNSUPPORTED",
  /** The server answered a Bad StatusCode for a node (kind ServerError); details name the status. */
  BadStatus: "OPCUA_BAD_STATUS",
  /** No session to the server: connecting failed or is under way (kind ServiceUnavailable). */
  NotConnected: "OPCUA_NOT_CONNECTED",
  /** Opening the connection or the session failed (refused, reset, timed out) (kind CommunicationError). */
  ConnectFailed: "OPCUA_CONNECT_FAILED",
  /** The server offers no endpoint with the device's security policy and mode (kind CommunicationError). */
  EndpointNotFound: "OPCUA_ENDPOINT_NOT_FOUND",
  /** The server's certificate is not trusted: move it from `pki/rejected` to `pki/trusted/certs` (kind CommunicationError). */
  CertificateUntrusted: "OPCUA_CERTIFICATE_UNTRUSTED",
  /** The server refused the user identity (wrong user name or password) (kind CommunicationError). */
  AuthFailed: "OPCUA_AUTH_FAILED",
  /** A service call failed on the wire (channel closed, timed out); the connection is rebuilt (kind CommunicationError). */
  RequestFailed: "OPCUA_REQUEST_FAILED",
} as const;
/** One OPC UA driver error code. */
export type OpcuaErrorCode = (typeof OpcuaErrorCode)[keyof typeof OpcuaErrorCode];

/** A ServiceError raised by the OPC UA driver. */
export class OpcuaError extends ServiceError {
  override readonly name = "OpcuaError";

  constructor(kind: ErrorKind, code: OpcuaErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}
