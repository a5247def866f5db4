/**
 * Maps the errors the NATS client raises to the ServiceErrors both buses share.
 */
import { ErrorKind } from "@brink/contracts";
import { BusError, BusErrorCode, closedError, noRespondersError, timeoutError } from "../errors.js";
import { loadedNatsErrors } from "./nats-client.js";

/** Errors of publish/subscribe/flush; BusErrors pass through. */
export function mapClientError(err: unknown): Error {
  if (err instanceof BusError) return err;
  const errors = loadedNatsErrors();
  if (errors !== undefined) {
    if (err instanceof errors.ClosedConnectionError || err instanceof errors.DrainingConnectionError) return closedError();
    if (err instanceof errors.InvalidSubjectError) return new BusError(ErrorKind.ContractInvalid, BusErrorCode.SubjectInvalid, err.message, { cause: err });
  }
  const why = err instanceof Error ? err.message : String(err);
  return new BusError(ErrorKind.Communication, BusErrorCode.RequestFailed, `NATS client error: ${why}`, { cause: err });
}

/** Errors of a request: timeout and no responders become the same errors InProcessBus raises. */
export function mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
  const errors = loadedNatsErrors();
  if (errors === undefined) return mapClientError(err);
  if (err instanceof errors.TimeoutError) return timeoutError(subject, timeoutMs);
  if (err instanceof errors.RequestError) {
    if (err.isNoResponders()) return noRespondersError(subject);
    if (err.cause instanceof errors.TimeoutError) return timeoutError(subject, timeoutMs);
    if (/disconnect/i.test(err.message)) {
      return new BusError(ErrorKind.ServiceUnavailable, BusErrorCode.Disconnected, `request on ${subject} lost: the bus disconnected`, { details: { subject }, cause: err });
    }
  }
  return mapClientError(err);
}

/** The error for a request or flush made while the connection is down. */
export function disconnectedError(what: string): BusError {
  return new BusError(ErrorKind.ServiceUnavailable, BusErrorCode.Disconnected, `cannot ${what}: the bus is disconnected`);
}
