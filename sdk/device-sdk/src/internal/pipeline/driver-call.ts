/**
 * Calls into the driver with a per-request deadline. A driver that hangs fails that request alone (503 TIMEOUT);
 * its late answer or error is swallowed, never an unhandled rejection.
 */
import { ErrorKind, ServiceError } from "@brink/contracts";
import { DeviceSdkError, DeviceSdkErrorCode } from "../../errors.js";

/** Kinds a driver may throw that say the request was wrong, not that the device failed. */
const CALLER_KINDS: ReadonlySet<ErrorKind> = new Set([ErrorKind.ContractInvalid, ErrorKind.EntityDoesNotExist, ErrorKind.NotAllowed, ErrorKind.NotImplemented]);

/** True when a driver error counts against the device's health (it is not the caller's fault). */
export function countsAsDeviceFailure(err: ServiceError): boolean {
  return !CALLER_KINDS.has(err.kind);
}

/** Wraps what a driver threw: ServiceErrors keep their kind and code, anything else is 500 DRIVER_ERROR. */
export function driverError(err: unknown, what: string): ServiceError {
  if (err instanceof ServiceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DeviceSdkError(ErrorKind.Server, DeviceSdkErrorCode.DriverError, `${what}: ${message}`, { cause: err });
}

/**
 * Runs `op` and settles with its result, or rejects with 503 TIMEOUT after `timeoutMs`. Errors from `op`, thrown or
 * rejected, become ServiceErrors (see {@link driverError}). `what` names the call in errors; it is a function so
 * that the text is made only when an error needs it. `outcome`, when given, hears how the call ended just before the
 * promise settles. One promise and one timer per call: this runs on every poll.
 */
export function callWithTimeout<T>(op: () => Promise<T>, timeoutMs: number, what: () => string, outcome?: (err: ServiceError | undefined) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new DeviceSdkError(ErrorKind.Timeout, DeviceSdkErrorCode.Timeout, `${what()}: no answer from the driver within ${timeoutMs} ms`, { details: { timeoutMs } });
      outcome?.(err);
      reject(err);
    }, timeoutMs);
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const e = driverError(err, what());
      outcome?.(e);
      reject(e);
    };
    let call: Promise<T>;
    try {
      call = op();
    } catch (err) {
      fail(err);
      return;
    }
    // A late answer or error after the deadline is dropped here, never an unhandled rejection.
    Promise.resolve(call).then((value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome?.(undefined);
      resolve(value);
    }, fail);
  });
}
