/**
 * Error codes raised by the service kit, beyond the shared ones in `@brink/contracts` (ErrorCode).
 * Each is listed in docs/errors.md under "service-kit".
 */
export const ServiceKitErrorCode = {
  /** An HTTP peer refused or dropped the connection, or its host name did not resolve (kind ServiceUnavailable). */
  ServiceUnreachable: "SERVICE_UNREACHABLE",
  /** An HTTP request failed for another transport reason (kind CommunicationError). */
  CommunicationFailed: "COMMUNICATION_FAILED",
  /** A service definition's config schema is itself broken (kind ServerError): a programming error. */
  ConfigSchemaInvalid: "CONFIG_SCHEMA_INVALID",
  /** The HTTP server could not listen on the configured host and port (kind ServiceUnavailable). */
  ListenFailed: "LISTEN_FAILED",
  /** A service did not stop within the shutdown deadline (kind Timeout). */
  ShutdownTimeout: "SHUTDOWN_TIMEOUT",
} as const;
/** One of the service kit's own error codes. */
export type ServiceKitErrorCode = (typeof ServiceKitErrorCode)[keyof typeof ServiceKitErrorCode];
