/**
 * Errors raised by the bus. The codes are stable and listed in docs/errors.md under "@brink/bus"; the shared codes
 * TIMEOUT, NO_RESPONDERS and INTERNAL come from @brink/contracts.
 */
import { ErrorCode, ErrorKind, ServiceError } from "@brink/contracts";

/** Codes of errors the bus itself raises. */
export const BusErrorCode = {
  /** A subject or pattern breaks the NATS token rules. */
  SubjectInvalid: "BUS_SUBJECT_INVALID",
  /** A payload cannot be encoded as JSON (a cycle, a function...). */
  PayloadInvalid: "BUS_PAYLOAD_INVALID",
  /** A received request was not a readable envelope; the requester gets this error as the reply. */
  MessageInvalid: "BUS_MESSAGE_INVALID",
  /** A reply was not a readable envelope. */
  ReplyInvalid: "BUS_REPLY_INVALID",
  /** The bus was used before `connect()`. */
  NotConnected: "BUS_NOT_CONNECTED",
  /** The bus was used after `close()`. */
  Closed: "BUS_CLOSED",
  /** A request was made while the connection to the broker is down. */
  Disconnected: "BUS_DISCONNECTED",
  /** The outage buffer is full: the publish was refused, nothing was queued. */
  BufferFull: "BUS_BUFFER_FULL",
  /** The first connection to the broker failed for good (authentication, TLS, bad server address). */
  ConnectFailed: "BUS_CONNECT_FAILED",
  /** A request failed for a reason other than timeout or no responders (permissions, protocol). */
  RequestFailed: "BUS_REQUEST_FAILED",
} as const;
/** One of the bus error codes. */
export type BusErrorCode = (typeof BusErrorCode)[keyof typeof BusErrorCode];

/** A ServiceError raised by the bus (remote errors are rebuilt as plain ServiceErrors). */
export class BusError extends ServiceError {
  override readonly name: string = "BusError";
}

/** The request got no reply within `timeoutMs`. */
export function timeoutError(subject: string, timeoutMs: number): BusError {
  return new BusError(ErrorKind.Timeout, ErrorCode.Timeout, `no reply on ${subject} within ${timeoutMs} ms`, { details: { subject, timeoutMs } });
}

/** Nobody serves the subject of a request. */
export function noRespondersError(subject: string): BusError {
  return new BusError(ErrorKind.ServiceUnavailable, ErrorCode.NoResponders, `no responders on ${subject}`, { details: { subject } });
}

/** The bus is closed. */
export function closedError(): BusError {
  return new BusError(ErrorKind.ServiceUnavailable, BusErrorCode.Closed, "the message bus is closed");
}

/** A payload that JSON cannot hold. */
export function payloadInvalidError(subject: string, cause: unknown): BusError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new BusError(ErrorKind.ContractInvalid, BusErrorCode.PayloadInvalid, `payload for ${subject} cannot be encoded as JSON: ${why}`, { details: { subject }, cause });
}
