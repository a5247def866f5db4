/**
 * Error codes of the device-service runtime. Every code is listed in docs/errors.md under "@brink/device-sdk".
 */
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";

/** Stable codes raised by the device-sdk runtime (shared codes such as LOCKED and TIMEOUT come from contracts). */
export const DeviceSdkErrorCode = {
  /** No device of that name belongs to this service. */
  DeviceNotFound: "DEVICE_NOT_FOUND",
  /** The device's profile has no deviceCommand or deviceResource of that name. */
  SourceNotFound: "SOURCE_NOT_FOUND",
  /** The device's profile is not known to this service. */
  ProfileNotFound: "PROFILE_NOT_FOUND",
  /** The service or the device is administratively LOCKED. */
  Locked: ErrorCode.Locked,
  /** The device is operationally DOWN and was probed less than `downProbeIntervalMs` ago. */
  DeviceDown: "DEVICE_DOWN",
  /** The driver did not answer within `driverTimeoutMs`. */
  Timeout: ErrorCode.Timeout,
  /** The driver failed (any error that is not a ServiceError). */
  DriverError: "DRIVER_ERROR",
  /** The driver returned values that do not match the requests (count, names or JS types). */
  DriverValueInvalid: "DRIVER_VALUE_INVALID",
  /** A value to write cannot be parsed as the resource's value type. */
  ValueInvalid: "VALUE_INVALID",
  /** A value to write lies outside the resource's minimum/maximum or its type's range. */
  ValueOutOfRange: "VALUE_OUT_OF_RANGE",
  /** A value to write is absent and neither the resource operation nor the resource has a defaultValue. */
  ValueMissing: "VALUE_MISSING",
  /** A write was addressed to a read-only (R) resource or command. */
  ReadOnly: "READ_ONLY",
  /** A read was addressed to a write-only (W) resource or command. */
  WriteOnly: "WRITE_ONLY",
  /** A read value differs from the resource's `assertion`; the device is set DOWN. */
  AssertionFailed: "ASSERTION_FAILED",
  /** The driver has no discovery (POST /api/v3/discovery). */
  DiscoveryNotSupported: "DISCOVERY_NOT_SUPPORTED",
  /** A discovery run is already in progress. */
  DiscoveryRunning: "DISCOVERY_RUNNING",
  /** A discovery run was cancelled (DELETE /api/v3/discovery); it added no device. */
  DiscoveryCancelled: "DISCOVERY_CANCELLED",
  /** DELETE /api/v3/discovery/requestId/{id} names no discovery in progress. */
  DiscoveryNotFound: "DISCOVERY_NOT_FOUND",
  /** The driver cannot scan profiles (POST /api/v3/profilescan). */
  ProfileScanNotSupported: "PROFILE_SCAN_NOT_SUPPORTED",
  /** The driver cannot describe devices (GET /api/v3/driver/device/name/{name}). */
  DeviceInspectionNotSupported: "DEVICE_INSPECTION_NOT_SUPPORTED",
  /** The device service is stopping and takes no new requests. */
  ServiceStopping: "SERVICE_STOPPING",
} as const;
/** One device-sdk error code. */
export type DeviceSdkErrorCode = (typeof DeviceSdkErrorCode)[keyof typeof DeviceSdkErrorCode];

/** A ServiceError raised by the device-service runtime. */
export class DeviceSdkError extends ServiceError {
  override readonly name = "DeviceSdkError";

  constructor(kind: ErrorKind, code: DeviceSdkErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(kind, code, message, options);
  }
}

/** 400 VALUE_INVALID. */
export function valueInvalid(resource: string, message: string, input?: unknown): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.ContractInvalid, DeviceSdkErrorCode.ValueInvalid, `${resource}: ${message}`, {
    details: input === undefined ? { resource } : { resource, value: describe(input) },
  });
}

/** 400 VALUE_OUT_OF_RANGE. */
export function valueOutOfRange(resource: string, message: string, input?: unknown): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.ContractInvalid, DeviceSdkErrorCode.ValueOutOfRange, `${resource}: ${message}`, {
    details: input === undefined ? { resource } : { resource, value: describe(input) },
  });
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v.length > 200 ? v.slice(0, 200) + "..." : v;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 200) + "..." : s;
  } catch {
    return String(v);
  }
}
