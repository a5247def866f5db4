/**
 * Turning what a trigger received into the event a pipeline starts with: an EdgeX AddEventRequest or a bare Event,
 * as a JSON value, JSON text, or base64 JSON (older EdgeX services), validated.
 */
import { ErrorCode, ValidationError, parseJson, validateAddEventRequest, validateEvent, type Event } from "@brink/contracts";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function decodeText(payload: string): unknown {
  const trimmed = payload.trimStart();
  const text = trimmed.startsWith("{") ? payload : Buffer.from(payload, "base64").toString("utf8");
  try {
    return parseJson(text);
  } catch {
    throw new ValidationError(ErrorCode.EventInvalid, "invalid event message", [{ path: "payload", message: "is neither a JSON object nor base64 JSON" }]);
  }
}

/**
 * The event of a message payload or request body: `{ apiVersion, event }` (AddEventRequest) or the event itself.
 * The input is not modified: validation runs on a copy when it would normalise fields.
 * @throws ValidationError EVENT_INVALID listing every problem.
 */
export function eventOfPayload(payload: unknown): Event {
  // Objects may be shared (the in-process bus hands one payload to every subscriber): validate a copy.
  const value = typeof payload === "string" ? decodeText(payload) : payload instanceof Uint8Array ? decodeText(Buffer.from(payload).toString("utf8")) : structuredClone(payload);
  if (isRecord(value) && "event" in value && !("readings" in value)) return validateAddEventRequest(value).event;
  return validateEvent(value);
}
