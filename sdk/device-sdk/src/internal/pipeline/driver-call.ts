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
 * Runs `op` and settles with its result, or rejects with 503 TIMEOUT after `timeoutMs`. Errors from `op` become
 * ServiceErrors (see {@link driverError}).
 */
export async function callWithTimeout<T>(op: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const call = Promise.resolve().then(op);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new DeviceSdkError(ErrorKind.Timeout, DeviceSdkErrorCode.Timeout, `${what}: no answer from the driver within ${timeoutMs} ms`, { details: { timeoutMs } }));
    }, timeoutMs);
  });
  try {
    return await Promise.race([call, deadline]);
  } catch (err) {
    throw driverError(err, what);
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}
