/**
 * Error codes of the virtual driver, beyond the shared ones in `@brink/contracts` (ErrorCode).
 * Each is listed in docs/errors.md under "device-virtual".
 */
export const VirtualErrorCode = {
  /** A written value does not fit the resource's value type or range (kind ContractInvalid). */
  ValueInvalid: "VIRTUAL_VALUE_INVALID",
  /** The resource's value type cannot be written, as in EdgeX: Binary (kind ContractInvalid). */
  WriteUnsupported: "VIRTUAL_WRITE_UNSUPPORTED",
  /** A profile's `defaultValue` cannot be read as the resource's value type (kind ServerError). */
  DefaultValueInvalid: "VIRTUAL_DEFAULT_VALUE_INVALID",
} as const;
/** One of the virtual driver's error codes. */
export type VirtualErrorCode = (typeof VirtualErrorCode)[keyof typeof VirtualErrorCode];
