/**
 * Loads the NATS client, and maps the errors it raises to the ServiceErrors both buses share.
 */
import type * as natsClient from "@nats-io/transport-node";
import type * as jetStreamClient from "@nats-io/jetstream";
import { ErrorKind } from "@brink/contracts";
import { BusError, BusErrorCode, closedError, noRespondersError, timeoutError } from "../errors.js";

type NatsClient = typeof natsClient;
let loading: Promise<NatsClient> | undefined;
/** Set once the client is loaded; errors can only come from a loaded client. */
let errors: NatsClient["errors"] | undefined;

/**
 * The NATS client module, loaded on the first connect: `brink start` runs on the in-process bus and does not carry
 * the client (about 1 MB of heap). Every NATS user in Brink (NatsBus, JetStream ingest and input, the NATS export)
 * loads it through here.
 */
export function loadNatsClient(): Promise<NatsClient> {
  loading ??= import("@nats-io/transport-node").then((m) => {
    errors = m.errors;
    return m;
  });
  return loading;
}

let loadingJetStream: Promise<typeof jetStreamClient> | undefined;
/** The JetStream module, loaded on first use (see {@link loadNatsClient}). */
export function loadJetStream(): Promise<typeof jetStreamClient> {
  loadingJetStream ??= import("@nats-io/jetstream");
  return loadingJetStream;
}

/** Errors of publish/subscribe/flush; BusErrors pass through. */
export function mapClientError(err: unknown): Error {
  if (err instanceof BusError) return err;
  if (errors === undefined) return new BusError(ErrorKind.Communication, BusErrorCode.RequestFailed, `NATS client error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  if (err instanceof errors.ClosedConnectionError || err instanceof errors.DrainingConnectionError) return closedError();
  if (err instanceof errors.InvalidSubjectError) return new BusError(ErrorKind.ContractInvalid, BusErrorCode.SubjectInvalid, err.message, { cause: err });
  const why = err instanceof Error ? err.message : String(err);
  return new BusError(ErrorKind.Communication, BusErrorCode.RequestFailed, `NATS client error: ${why}`, { cause: err });
}

/** Errors of a request: timeout and no responders become the same errors InProcessBus raises. */
export function mapRequestError(err: unknown, subject: string, timeoutMs: number): Error {
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
