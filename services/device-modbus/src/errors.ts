/**
 * Error codes of the Modbus driver. Every code is listed in docs/errors.md under "device-modbus".
 */
import { ErrorKind, ServiceError } from "@brink/contracts";

/** Stable codes raised by the Modbus driver. */
export const ModbusErrorCode = {
  /** The device's `modbus-tcp` / `modbus-rtu` protocol block is missing, ambiguous or has a bad value. */
  ProtocolInvalid: "MODBUS_PROTOCOL_INVALID",
  /** A resource's `attributes` (primaryTable, startingAddress, rawType, swaps, stringRegisterSize) are unusable. */
  AttributeInvalid: "MODBUS_ATTRIBUTE_INVALID",
  /** A value to write does not fit its wire type (out of the rawType's range, a string longer than its registers). */
  ValueInvalid: "MODBUS_VALUE_INVALID",
  /** A write was addressed to a read-only table (INPUT_REGISTERS, DISCRETE_INPUTS). */
  ReadOnlyTable: "MODBUS_READ_ONLY_TABLE",
  /** The device did not answer within its Timeout. */
  Timeout: "MODBUS_TIMEOUT",
  /** The connection (TCP) or serial port (RTU) could not be opened. */
  ConnectFailed: "MODBUS_CONNECT_FAILED",
  /** The connection is down and waits for its next reconnect attempt (exponential back-off). */
  NotConnected: "MODBUS_NOT_CONNECTED",
  /** The connection closed while the request was in flight. */
  Disconnected: "MODBUS_DISCONNECTED",
  /** The answer was not a well-formed Modbus frame for the request (bad CRC, wrong length, unit or function). */
  MalformedResponse: "MODBUS_MALFORMED_RESPONSE",
  /** The connection's request queue is full. */
  QueueFull: "MODBUS_QUEUE_FULL",
  /** The driver is stopped. */
  Stopped: "MODBUS_STOPPED",
  /** Exception 1, ILLEGAL FUNCTION: the device does not support the function code. */
  IllegalFunction: "MODBUS_ILLEGAL_FUNCTION",
  /** Exception 2, ILLEGAL DATA ADDRESS: the device has no such register or coil. */
  IllegalDataAddress: "MODBUS_ILLEGAL_DATA_ADDRESS",
  /** Exception 3, ILLEGAL DATA VALUE: the device refused the quantity or value. */
  IllegalDataValue: "MODBUS_ILLEGAL_DATA_VALUE",
  /** Exception 4, SERVER DEVICE FAILURE. */
  DeviceFailure: "MODBUS_DEVICE_FAILURE",
  /** Exception 5, ACKNOWLEDGE: the device accepted a long-running request and has no answer yet. */
  Acknowledge: "MODBUS_ACKNOWLEDGE",
  /** Exception 6, SERVER DEVICE BUSY. */
  DeviceBusy: "MODBUS_DEVICE_BUSY",
  /** Exception 8, MEMORY PARITY ERROR. */
  MemoryParityError: "MODBUS_MEMORY_PARITY_ERROR",
  /** Exception 10 (0x0A), GATEWAY PATH UNAVAILABLE. */
  GatewayPathUnavailable: "MODBUS_GATEWAY_PATH_UNAVAILABLE",
  /** Exception 11 (0x0B), GATEWAY TARGET DEVICE FAILED TO RESPOND. */
  GatewayTargetFailed: "MODBUS_GATEWAY_TARGET_FAILED",
  /** An exception code outside the standard ones. */
  Exception: "MODBUS_EXCEPTION",
} as const;
/** One Modbus driver error code. */
export type ModbusErrorCode = (typeof ModbusErrorCode)[keyof typeof ModbusErrorCode];

/** A ServiceError raised by the Modbus driver. */
export class ModbusError extends ServiceError {
  override readonly name = "ModbusError";

  constructor(kind: ErrorKind, code: ModbusErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}

interface ExceptionInfo {
  readonly name: string;
  readonly code: ModbusErrorCode;
  readonly kind: ErrorKind;
}

/**
 * The standard exception codes. Exceptions 1-3 say the request does not fit the device (a profile problem), so they
 * are caller-kind errors that do not count against the device's health; the others say the device cannot serve.
 */
const EXCEPTIONS: Readonly<Record<number, ExceptionInfo>> = {
  1: { name: "ILLEGAL FUNCTION", code: ModbusErrorCode.IllegalFunction, kind: ErrorKind.NotImplemented },
  2: { name: "ILLEGAL DATA ADDRESS", code: ModbusErrorCode.IllegalDataAddress, kind: ErrorKind.ContractInvalid },
  3: { name: "ILLEGAL DATA VALUE", code: ModbusErrorCode.IllegalDataValue, kind: ErrorKind.ContractInvalid },
  4: { name: "SERVER DEVICE FAILURE", code: ModbusErrorCode.DeviceFailure, kind: ErrorKind.Server },
  5: { name: "ACKNOWLEDGE", code: ModbusErrorCode.Acknowledge, kind: ErrorKind.ServiceUnavailable },
  6: { name: "SERVER DEVICE BUSY", code: ModbusErrorCode.DeviceBusy, kind: ErrorKind.ServiceUnavailable },
  8: { name: "MEMORY PARITY ERROR", code: ModbusErrorCode.MemoryParityError, kind: ErrorKind.Server },
  10: { name: "GATEWAY PATH UNAVAILABLE", code: ModbusErrorCode.GatewayPathUnavailable, kind: ErrorKind.ServiceUnavailable },
  11: { name: "GATEWAY TARGET DEVICE FAILED TO RESPOND", code: ModbusErrorCode.GatewayTargetFailed, kind: ErrorKind.Timeout },
};

/** The standard name of a Modbus exception code ("ILLEGAL DATA ADDRESS"), or "EXCEPTION <n>". */
export function exceptionName(exceptionCode: number): string {
  return EXCEPTIONS[exceptionCode]?.name ?? `EXCEPTION ${exceptionCode}`;
}

/** What a request was, for error messages and details. */
export interface RequestContext {
  /** `tcp://host:port` or `rtu:///dev/ttyUSB0`. */
  readonly link: string;
  readonly unitId: number;
  readonly functionCode: number;
  readonly address: number;
  readonly count: number;
}

/** The error for an exception response, naming the exception (`MODBUS_ILLEGAL_DATA_ADDRESS`, "ILLEGAL DATA ADDRESS"). */
export function exceptionError(exceptionCode: number, ctx: RequestContext): ModbusError {
  const info = EXCEPTIONS[exceptionCode];
  const name = exceptionName(exceptionCode);
  return new ModbusError(
    info?.kind ?? ErrorKind.Server,
    info?.code ?? ModbusErrorCode.Exception,
    `Modbus exception ${exceptionCode} (${name}) from unit ${ctx.unitId} at ${ctx.link}: function ${ctx.functionCode}, address ${ctx.address}, count ${ctx.count}`,
    { details: { exceptionCode, exception: name, ...ctx } },
  );
}
