/**
 * The EdgeX v3 message envelope that wraps every bus payload. In v3 the payload is embedded as the JSON value
 * itself (not base64), with `contentType` saying how to read it.
 */
import { API_VERSION } from "./dtos.js";
import { ServiceError, type ServiceErrorDto } from "./errors.js";

export const CONTENT_TYPE_JSON = "application/json";

export interface MessageEnvelope<T = unknown> {
  apiVersion: string;
  receivedTopic?: string;
  correlationID: string;
  requestID: string;
  /** 0 for success, 1 when `payload` is a {@link ServiceErrorDto}. */
  errorCode: 0 | 1;
  payload: T;
  contentType: string;
  queryParams?: Record<string, string>;
}

/** Wraps a payload in a success envelope. */
export function envelopeOf<T>(payload: T, ids: { correlationID: string; requestID?: string; queryParams?: Record<string, string> }): MessageEnvelope<T> {
  const env: MessageEnvelope<T> = {
    apiVersion: API_VERSION,
    correlationID: ids.correlationID,
    requestID: ids.requestID ?? ids.correlationID,
    errorCode: 0,
    payload,
    contentType: CONTENT_TYPE_JSON,
  };
  if (ids.queryParams) env.queryParams = ids.queryParams;
  return env;
}

/** Wraps an error in an error envelope (`errorCode: 1`). */
export function errorEnvelopeOf(err: ServiceError, ids: { correlationID: string; requestID?: string }): MessageEnvelope<ServiceErrorDto> {
  return { apiVersion: API_VERSION, correlationID: ids.correlationID, requestID: ids.requestID ?? ids.correlationID, errorCode: 1, payload: err.toDto(), contentType: CONTENT_TYPE_JSON };
}

/** Returns the payload of a reply envelope, or throws the ServiceError it carries. */
export function unwrapReply<T>(env: MessageEnvelope<unknown>): T {
  if (env.errorCode === 1) throw ServiceError.fromDto(env.payload as Partial<ServiceErrorDto>);
  return env.payload as T;
}

/** True when a decoded value has the shape of an envelope. */
export function isEnvelope(v: unknown): v is MessageEnvelope {
  return typeof v === "object" && v !== null && "payload" in v && "correlationID" in v;
}
