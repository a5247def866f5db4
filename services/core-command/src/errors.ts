/**
 * Error codes of core-command, beyond the shared ones in `@brink/contracts` (ErrorCode: NOT_FOUND, LOCKED, TIMEOUT,
 * NO_RESPONDERS, REQUEST_INVALID...). Each is listed in docs/errors.md under "core-command".
 */
export const CoreCommandErrorCode = {
  /** The device's profile has no (visible) command or resource of that name (kind NotFound, 404). */
  CommandNotFound: "COMMAND_NOT_FOUND",
  /** GET of a command or resource that is write-only (kind NotAllowed, 405). */
  CommandNotReadable: "COMMAND_NOT_READABLE",
  /** PUT of a command or resource that is read-only (kind NotAllowed, 405). */
  CommandNotWritable: "COMMAND_NOT_WRITABLE",
  /** A device service answered a command with something that is not a command reply (kind ServerError, 500). */
  ReplyInvalid: "COMMAND_REPLY_INVALID",
} as const;
/** One of core-command's error codes. */
export type CoreCommandErrorCode = (typeof CoreCommandErrorCode)[keyof typeof CoreCommandErrorCode];
