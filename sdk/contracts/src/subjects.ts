/**
 * Bus subjects: EdgeX v3 topics in NATS form (`.` separated), built by typed functions that escape names.
 * A `Subject<T>` carries, at compile time only, the payload type published on it.
 */
import type { AddEventRequest, CommandRequestPayload, SystemEvent } from "./dtos.js";

declare const payloadBrand: unique symbol;
/** A subject (or wildcard pattern) whose messages carry payloads of type T. */
export type Subject<T> = string & { readonly [payloadBrand]?: T };

/** Default root of every subject, as EdgeX's `BaseTopicPrefix`. */
export const BASE_TOPIC = "edgex";

// Characters that may not appear raw in a token: separators, wildcards, whitespace, control characters, `%` itself
// and MQTT's `/ # + $`.
const UNSAFE = /[.*>%\s\p{Cc}/#+$]/gu;
const ESCAPED_RUN = /(?:%[0-9A-F]{2})+/g;

function percentEncode(c: string): string {
  let out = "";
  for (const byte of Buffer.from(c, "utf8")) out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  return out;
}

/**
 * Escapes a name for use as one subject token. `.`, `*`, `>`, whitespace, control characters, `%`, and MQTT's
 * `/ # + $` become %XX (the bytes of their UTF-8 form), so no name can act as a wildcard or separator and no two
 * names collide (the map is injective: `%` is escaped too).
 */
export function escapeToken(name: string): string {
  return name.replace(UNSAFE, percentEncode);
}

/** Reverses {@link escapeToken}. */
export function unescapeToken(token: string): string {
  if (!token.includes("%")) return token;
  return token.replace(ESCAPED_RUN, (run) => Buffer.from(run.replaceAll("%", ""), "hex").toString("utf8"));
}

/** A token value or a single-token wildcard. */
export type TokenOrWildcard = string | typeof ANY;
/** Matches exactly one token in a subscription pattern. */
export const ANY = Symbol("any");

function tok(t: TokenOrWildcard): string {
  return t === ANY ? "*" : escapeToken(t);
}

/** `edgex.events.device.<service>.<profile>.<device>.<source>`: events published by device services. */
export function eventSubject(service: TokenOrWildcard, profile: TokenOrWildcard, device: TokenOrWildcard, source: TokenOrWildcard): Subject<AddEventRequest> {
  return `${BASE_TOPIC}.events.device.${tok(service)}.${tok(profile)}.${tok(device)}.${tok(source)}`;
}

/** `edgex.events.device.>`: every device event. */
export const ALL_EVENTS: Subject<AddEventRequest> = `${BASE_TOPIC}.events.device.>`;

/** Parsed tokens of an event subject. */
export interface EventSubjectParts {
  service: string;
  profile: string;
  device: string;
  source: string;
}

/** Splits an event subject into its unescaped names, or undefined when it is not one. */
export function parseEventSubject(subject: string): EventSubjectParts | undefined {
  const t = subject.split(".");
  if (t.length !== 7 || t[0] !== BASE_TOPIC || t[1] !== "events" || t[2] !== "device") return undefined;
  return { service: unescapeToken(t[3]!), profile: unescapeToken(t[4]!), device: unescapeToken(t[5]!), source: unescapeToken(t[6]!) };
}

/** GET or SET, as the last token of a command request subject. */
export type CommandMethod = "get" | "set";

/** `edgex.device.command.request.<service>.<device>.<command>.<get|set>`: command requests to a device service. */
export function commandRequestSubject(service: TokenOrWildcard, device: TokenOrWildcard, command: TokenOrWildcard, method: CommandMethod | typeof ANY): Subject<CommandRequestPayload> {
  return `${BASE_TOPIC}.device.command.request.${tok(service)}.${tok(device)}.${tok(command)}.${method === ANY ? "*" : method}`;
}

/** Every command request addressed to one device service. */
export function serviceCommandRequests(service: string): Subject<CommandRequestPayload> {
  return `${BASE_TOPIC}.device.command.request.${escapeToken(service)}.>`;
}

/** Parsed tokens of a command request subject. */
export interface CommandSubjectParts {
  service: string;
  device: string;
  command: string;
  method: CommandMethod;
}

/** Splits a command request subject, or undefined when it is not one. */
export function parseCommandRequestSubject(subject: string): CommandSubjectParts | undefined {
  const t = subject.split(".");
  if (t.length !== 8 || t[0] !== BASE_TOPIC || t[1] !== "device" || t[2] !== "command" || t[3] !== "request") return undefined;
  const method = t[7];
  if (method !== "get" && method !== "set") return undefined;
  return { service: unescapeToken(t[4]!), device: unescapeToken(t[5]!), command: unescapeToken(t[6]!), method };
}

/** `edgex.system-events.core-metadata.<type>.<action>.<service>.<profile>`: metadata change notices. */
export function systemEventSubject(type: TokenOrWildcard, action: TokenOrWildcard, service: TokenOrWildcard, profile: TokenOrWildcard): Subject<SystemEvent> {
  return `${BASE_TOPIC}.system-events.core-metadata.${tok(type)}.${tok(action)}.${tok(service)}.${tok(profile)}`;
}

/** Every metadata system event. */
export const ALL_SYSTEM_EVENTS: Subject<SystemEvent> = `${BASE_TOPIC}.system-events.core-metadata.>`;

/**
 * `edgex.system-events.<service>.device.discovery.<service>`: a device service's discovery progress (EdgeX
 * device-sdk's `PublishDeviceDiscoveryProgressSystemEvent`; details: requestId, progress 0..100 or -1, message,
 * discoveredDeviceCount).
 */
export function discoveryEventSubject(service: TokenOrWildcard): Subject<SystemEvent> {
  return `${BASE_TOPIC}.system-events.${tok(service)}.device.discovery.${tok(service)}`;
}

/** `edgex.system-events.<source>.device.<action>.<service>.<device>`: device-service notices (device UP/DOWN...). */
export function deviceServiceEventSubject(source: string, action: string, service: string, device: string): Subject<SystemEvent> {
  return `${BASE_TOPIC}.system-events.${escapeToken(source)}.device.${escapeToken(action)}.${escapeToken(service)}.${escapeToken(device)}`;
}
