/**
 * Taking events off the bus: every message on `edgex.events.device.>` (queue group "core-data") is validated and
 * queued for the store. A message that is not a valid AddEventRequest, or whose event does not match its subject,
 * is logged at warn with the subject and the problems, counted, and dropped; the next one is handled as usual.
 */
import type { BusMessage, MessageBus, Subscription } from "@brink/bus";
import {
  ALL_EVENTS, ErrorCode, ServiceError, ValidationError, parseEventSubject, parseJson, validateAddEventRequest,
  type AddEventRequest, type Event, type Problem,
} from "@brink/contracts";
import type { ServiceContext } from "@brink/service-kit";
import type { Counter } from "prom-client";
import type { EventStore } from "./store/event-store.js";

/** Queue group of core-data's event subscription: several core-data instances share the events. */
export const INGEST_QUEUE_GROUP = "core-data";

/** Why a bus event was dropped (label `reason` of `brink_core_data_events_dropped_total`). */
export const DropReason = { Invalid: "invalid", Duplicate: "duplicate", WriteFailed: "write_failed", Unavailable: "unavailable" } as const;
/** One drop reason. */
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** Collaborators of {@link BusIngest}. */
export interface BusIngestOptions {
  readonly bus: MessageBus;
  readonly store: EventStore;
  readonly logger: ServiceContext["logger"];
  readonly dropped: Counter<"reason">;
  /** When false, events are validated but not stored. */
  readonly persistData: boolean;
}

function invalid(message: string): ValidationError {
  return new ValidationError(ErrorCode.EventInvalid, "invalid event message", [{ path: "payload", message }]);
}

/**
 * The AddEventRequest of an envelope payload. Brink and EdgeX 3.1+ embed it as a JSON value; older EdgeX services
 * send it as base64 bytes (or JSON text), which are decoded here.
 */
export function decodePayload(payload: unknown): unknown {
  if (typeof payload !== "string") return payload;
  const text = payload.trimStart().startsWith("{") ? payload : Buffer.from(payload, "base64").toString("utf8");
  try {
    return parseJson(text);
  } catch {
    throw invalid("is neither a JSON object nor base64 JSON");
  }
}

/** Checks that an event's profile, device and source are the ones its subject names. */
export function checkSubject(subject: string, event: Event): void {
  const parts = parseEventSubject(subject);
  if (parts === undefined) throw invalid(`subject ${subject} is not edgex.events.device.<service>.<profile>.<device>.<source>`);
  const problems: Problem[] = [];
  const pairs = [["profileName", parts.profile], ["deviceName", parts.device], ["sourceName", parts.source]] as const;
  for (const [key, inSubject] of pairs) {
    if (event[key] !== inSubject) problems.push({ path: `event.${key}`, message: `is ${JSON.stringify(event[key])} but the subject says ${JSON.stringify(inSubject)}` });
  }
  if (problems.length > 0) throw new ValidationError(ErrorCode.EventInvalid, "event does not match its subject", problems);
}

/** The bus subscription of core-data. */
export class BusIngest {
  private subscription: Subscription | undefined;

  constructor(private readonly options: BusIngestOptions) {}

  /** Subscribes to every device event. */
  start(): void {
    this.subscription ??= this.options.bus.subscribe<AddEventRequest>(ALL_EVENTS, (msg) => this.onMessage(msg), { queue: INGEST_QUEUE_GROUP });
  }

  /** Unsubscribes; events already queued in the store stay queued. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Counts and logs (at warn) an event that was taken off the bus but not stored. */
  drop(where: { subject?: string; eventId?: string; deviceName?: string }, reason: DropReason, err: unknown): void {
    this.options.dropped.inc({ reason });
    const error = ServiceError.from(err);
    const problems = error instanceof ValidationError ? error.problems : undefined;
    this.options.logger.warn({ ...where, reason, code: error.code, problems }, `dropped an event message: ${error.message}`);
  }

  private onMessage(msg: BusMessage<AddEventRequest>): void {
    let event: Event;
    try {
      event = validateAddEventRequest(decodePayload(msg.envelope.payload)).event;
      checkSubject(msg.subject, event);
    } catch (err) {
      this.drop({ subject: msg.subject }, DropReason.Invalid, err);
      return;
    }
    if (!this.options.persistData) return;
    try {
      this.options.store.add(event);
    } catch (err) {
      this.drop({ subject: msg.subject, eventId: event.id }, DropReason.Unavailable, err);
    }
  }
}
