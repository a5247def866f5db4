/**
 * Provision watchers: which discovered devices a device service adds, and how.
 */
import type { SchemaObject } from "ajv";
import { AdminState, type ProvisionWatcher } from "../dtos.js";
import { ErrorCode } from "../errors.js";
import { AUTO_EVENTS_SCHEMA, normaliseAutoEvents } from "./auto-event.js";
import {
  Checker, NAME_SCHEMA, OBJECT_SCHEMA, SourceText, TEXT_LIST_SCHEMA, UUID_SCHEMA, isRecord, lazySchema, setOrDelete, withoutNulls,
  type Path,
} from "./common.js";
import { ADMIN_STATES } from "./device.js";

const SUBJECT = "invalid provision watcher";
const SCALAR = ["string", "number", "boolean"];

function watcherSchema(serviceNameRequired: boolean): SchemaObject {
  return {
    type: "object",
    required: serviceNameRequired ? ["name", "serviceName", "identifiers", "discoveredDevice"] : ["name", "identifiers", "discoveredDevice"],
    properties: {
      id: UUID_SCHEMA,
      name: NAME_SCHEMA,
      serviceName: serviceNameRequired ? NAME_SCHEMA : { type: ["string", "null"] },
      labels: TEXT_LIST_SCHEMA,
      identifiers: { type: "object", additionalProperties: { type: SCALAR } },
      blockingIdentifiers: { type: ["object", "null"], additionalProperties: { type: "array", items: { type: SCALAR } } },
      adminState: { type: ["string", "null"] },
      discoveredDevice: {
        type: "object",
        properties: {
          profileName: { type: ["string", "null"] },
          adminState: { type: ["string", "null"] },
          autoEvents: AUTO_EVENTS_SCHEMA,
          properties: OBJECT_SCHEMA,
        },
      },
    },
  };
}

const restSchema = lazySchema(watcherSchema(true));
const textSchema = lazySchema(watcherSchema(false));

/** Options of {@link parseProvisionWatcher}. */
export interface ProvisionWatcherOptions {
  /**
   * The service that loads the watcher: used when the text has no `serviceName`.
   * @default "" (the caller fills it in)
   */
  serviceName?: string;
}

function normaliseDiscoveredDevice(v: Record<string, unknown>, path: Path, ck: Checker): Record<string, unknown> {
  const out = withoutNulls(v);
  if (typeof v.profileName === "string" && v.profileName !== "") ck.name(v.profileName, [...path, "profileName"]);
  out.adminState = ck.oneOf(v.adminState, ADMIN_STATES, [...path, "adminState"], AdminState.Unlocked);
  setOrDelete(out, "autoEvents", normaliseAutoEvents(v.autoEvents, [...path, "autoEvents"], ck));
  return out;
}

function normaliseWatcher(v: unknown, ck: Checker, defaultServiceName: string): ProvisionWatcher | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  ck.name(v.name, ["name"]);
  out.serviceName = typeof v.serviceName === "string" ? v.serviceName : defaultServiceName;
  if (out.serviceName !== "") ck.name(out.serviceName, ["serviceName"]);
  setOrDelete(out, "labels", ck.textList(v.labels, ["labels"]));
  const identifiers = ck.textMap(v.identifiers, ["identifiers"]);
  for (const [key, pattern] of Object.entries(identifiers ?? {})) {
    try {
      new RegExp(pattern);
    } catch {
      ck.add(["identifiers", key], `must be a regular expression, got "${pattern}"`);
    }
  }
  setOrDelete(out, "identifiers", identifiers);
  if (isRecord(v.blockingIdentifiers)) {
    const blocking: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(v.blockingIdentifiers)) {
      blocking[key] = ck.textList(values, ["blockingIdentifiers", key]) ?? [];
    }
    out.blockingIdentifiers = blocking;
  }
  out.adminState = ck.oneOf(v.adminState, ADMIN_STATES, ["adminState"], AdminState.Unlocked);
  if (isRecord(v.discoveredDevice)) out.discoveredDevice = normaliseDiscoveredDevice(v.discoveredDevice, ["discoveredDevice"], ck);
  setOrDelete(out, "created", ck.int64(v.created, ["created"]));
  setOrDelete(out, "modified", ck.int64(v.modified, ["modified"]));
  return out as unknown as ProvisionWatcher;
}

function check(value: unknown, ck: Checker, validate: ReturnType<typeof lazySchema>, serviceName: string): ProvisionWatcher {
  ck.schema(validate(), value, []);
  const watcher = normaliseWatcher(value, ck, serviceName);
  ck.throwIfAny(ErrorCode.ProvisionWatcherInvalid, SUBJECT);
  return watcher as ProvisionWatcher;
}

/**
 * Validates a provision watcher (a REST body) and returns it normalised: identifiers and blockingIdentifiers values as
 * strings, adminState UNLOCKED by default (for the watcher and its discoveredDevice). Each identifier must compile as
 * a regular expression.
 * @throws ValidationError PROVISION_WATCHER_INVALID listing every problem with its path.
 */
export function validateProvisionWatcher(value: unknown): ProvisionWatcher {
  return check(value, new Checker(), restSchema, "");
}

/**
 * Parses a provision watcher from EdgeX YAML (or JSON) text. Numbers in `blockingIdentifiers` (`Port: [397, 398]`)
 * become strings as written; `serviceName` comes from `options` when the text has none.
 * @throws ValidationError YAML_MALFORMED when the text does not parse, PROVISION_WATCHER_INVALID listing every problem
 *   with its path and line otherwise.
 */
export function parseProvisionWatcher(text: string, options: ProvisionWatcherOptions = {}): ProvisionWatcher {
  const source = SourceText.parse(text, "malformed provision watcher");
  return check(source.data, new Checker(source), textSchema, options.serviceName ?? "");
}
