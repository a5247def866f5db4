/**
 * Error codes raised by the console, beyond the shared ones (`ErrorCode` in `@brink/contracts`) and the service
 * kit's (`SERVICE_UNREACHABLE` for a peer that does not answer). Each is listed in docs/errors.md under
 * "@brink/console".
 */
export const ConsoleErrorCode = {
  /** The gateway path names no service the console knows: not a core service, app-service, rules-engine, nor a device service registered in core-metadata (kind NotFound). */
  PeerUnknown: "PEER_UNKNOWN",
  /** The web bundle was not built (`npm run build`), so there is no page to serve (kind ServiceUnavailable). */
  BundleMissing: "BUNDLE_MISSING",
  /** A live stream request asked for no device, or for more devices than a stream may follow (kind ContractInvalid). */
  StreamInvalid: "STREAM_INVALID",
  /** Too many live streams are open at once (kind ServiceUnavailable). */
  StreamLimit: "STREAM_LIMIT",
} as const;
/** One of the console's own error codes. */
export type ConsoleErrorCode = (typeof ConsoleErrorCode)[keyof typeof ConsoleErrorCode];
