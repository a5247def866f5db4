/** Error codes of the `brink` client verbs. Listed in docs/errors.md under "brink (the command)". */
export const ClientErrorCode = {
  /** An argument is malformed: a `key=value` setting without `=`, a count that is not a number (kind ContractInvalid). */
  ArgumentInvalid: "ARGUMENT_INVALID",
  /** A file named on the command line cannot be read (kind ContractInvalid). */
  FileUnreadable: "FILE_UNREADABLE",
  /** The console closed a live stream (kind CommunicationError). */
  StreamEnded: "STREAM_ENDED",
  /** The device service reported its discovery run failed (progress -1) (kind ServerError). */
  DiscoveryFailed: "DISCOVERY_FAILED",
} as const;
/** One of the client verbs' error codes. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];
