/**
 * Error codes of the serial driver, beyond the shared ones in `@brink/contracts` (ErrorCode).
 * Each is listed in docs/errors.md under "@brink/device-serial".
 */
import { ErrorKind, ServiceError } from "@brink/contracts";

/** Stable codes raised by the serial driver. */
export const SerialErrorCode = {
  /** The device's `serial` protocol block is missing or invalid; `details.problems` lists every problem. */
  ProtocolInvalid: "SERIAL_PROTOCOL_INVALID",
  /** A resource's attributes are invalid (bad template, regex, parse kind, binary field); problems listed. */
  AttributesInvalid: "SERIAL_ATTRIBUTES_INVALID",
  /** Another device on the same port path asks for different line or framing settings. */
  PortConflict: "SERIAL_PORT_CONFLICT",
  /** The port is not open (missing, unplugged, being reopened with back-off). */
  PortUnavailable: "SERIAL_PORT_UNAVAILABLE",
  /** The port closed while a request was waiting for its answer (unplugged, or the driver stopped). */
  PortClosed: "SERIAL_PORT_CLOSED",
  /** No matching answer arrived within the request's timeout. */
  Timeout: "SERIAL_TIMEOUT",
  /** An answer arrived but cannot be read as the resource's value (pattern, JSON path or field did not fit). */
  ResponseInvalid: "SERIAL_RESPONSE_INVALID",
  /** The device answered with the resource's `error` pattern: it refused the request. */
  DeviceRefused: "SERIAL_DEVICE_REFUSED",
  /** A read of a resource that has neither a `request` template nor `stream: true`. */
  NotReadable: "SERIAL_NOT_READABLE",
  /** A write to a resource that has no `write` template. */
  NotWritable: "SERIAL_NOT_WRITABLE",
  /** A value to write cannot be put in the write template (out of a binary field's range, no valueMap entry). */
  ValueInvalid: "SERIAL_VALUE_INVALID",
  /** The driver was called after `stop()`. */
  Stopped: "SERIAL_STOPPED",
} as const;
/** One serial driver error code. */
export type SerialErrorCode = (typeof SerialErrorCode)[keyof typeof SerialErrorCode];

/** A ServiceError raised by the serial driver. */
export class SerialError extends ServiceError {
  override readonly name = "SerialError";

  constructor(kind: ErrorKind, code: SerialErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}

/** A problem in a profile or protocol input: where it is and what is wrong. */
export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

/** SERIAL_PROTOCOL_INVALID listing every problem of a device's protocol block. */
export function protocolInvalid(deviceName: string, problems: readonly InputProblem[]): SerialError {
  const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
  return new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.ProtocolInvalid, `device ${deviceName}: protocols.serial: ${list}`, {
    details: { deviceName, problems },
  });
}

/** SERIAL_ATTRIBUTES_INVALID listing every problem of a resource's attributes. */
export function attributesInvalid(resourceName: string, problems: readonly InputProblem[]): SerialError {
  const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
  return new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.AttributesInvalid, `resource ${resourceName}: attributes: ${list}`, {
    details: { resourceName, problems },
  });
}
