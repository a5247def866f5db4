/**
 * Devices: REST bodies ({@link validateDevice}) and EdgeX device-list YAML ({@link parseDeviceList}).
 */
import type { SchemaObject } from "ajv";
import { AdminState, OperatingState, type Device } from "../dtos.js";
import { ErrorCode } from "../errors.js";
import { AUTO_EVENTS_SCHEMA, normaliseAutoEvents } from "./auto-event.js";
import {
  Checker, NAME_SCHEMA, OBJECT_SCHEMA, SourceText, TEXT_LIST_SCHEMA, TEXT_SCHEMA, UUID_SCHEMA, isRecord, lazySchema, setOrDelete,
  withoutNulls, type Path,
} from "./common.js";

const SUBJECT = "invalid device";

/** Every admin state, canonical. */
export const ADMIN_STATES: readonly AdminState[] = Object.values(AdminState);
const OPERATING_STATES: readonly OperatingState[] = Object.values(OperatingState);

function deviceSchema(serviceNameRequired: boolean): SchemaObject {
  return {
    type: "object",
    required: serviceNameRequired ? ["name", "serviceName", "protocols"] : ["name", "protocols"],
    properties: {
      id: UUID_SCHEMA,
      name: NAME_SCHEMA,
      description: TEXT_SCHEMA,
      adminState: { type: ["string", "null"] },
      operatingState: { type: ["string", "null"] },
      labels: TEXT_LIST_SCHEMA,
      serviceName: serviceNameRequired ? NAME_SCHEMA : { type: ["string", "null"] },
      profileName: { type: ["string", "null"] },
      parent: { type: ["string", "null"] },
      autoEvents: AUTO_EVENTS_SCHEMA,
      protocols: { type: "object", additionalProperties: { type: "object" } },
      tags: OBJECT_SCHEMA,
      properties: OBJECT_SCHEMA,
    },
  };
}

const restSchema = lazySchema(deviceSchema(true));
const listEntrySchema = lazySchema(deviceSchema(false));
const listSchema = lazySchema({ type: "object", required: ["deviceList"], properties: { deviceList: { type: "array" } } });

/** Options of {@link parseDeviceList}. */
export interface DeviceListOptions {
  /**
   * The service that loads the list: entries without `serviceName` get it. EdgeX device lists leave it out.
   * @default "" (the caller fills it in)
   */
  serviceName?: string;
}

/** Normalises one device, recording problems: adminState UNLOCKED and operatingState UP by default. */
export function normaliseDevice(v: unknown, path: Path, ck: Checker, defaultServiceName = ""): Device | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  ck.name(v.name, [...path, "name"]);
  setOrDelete(out, "description", ck.text(v.description, [...path, "description"]));
  out.adminState = ck.oneOf(v.adminState, ADMIN_STATES, [...path, "adminState"], AdminState.Unlocked);
  out.operatingState = ck.oneOf(v.operatingState, OPERATING_STATES, [...path, "operatingState"], OperatingState.Up);
  setOrDelete(out, "labels", ck.textList(v.labels, [...path, "labels"]));
  out.serviceName = typeof v.serviceName === "string" ? v.serviceName : defaultServiceName;
  if (out.serviceName !== "") ck.name(out.serviceName, [...path, "serviceName"]);
  // EdgeX 4 allows a device without a profile (ProfileScan fills it in later).
  out.profileName = typeof v.profileName === "string" ? v.profileName : "";
  if (out.profileName !== "") ck.name(out.profileName, [...path, "profileName"]);
  setOrDelete(out, "autoEvents", normaliseAutoEvents(v.autoEvents, [...path, "autoEvents"], ck));
  setOrDelete(out, "created", ck.int64(v.created, [...path, "created"]));
  setOrDelete(out, "modified", ck.int64(v.modified, [...path, "modified"]));
  return out as unknown as Device;
}

/**
 * Validates a device (a REST body), returning it normalised: adminState UNLOCKED and operatingState UP by default,
 * states in canonical upper case, autoEvents' onChange defaulted. `serviceName` and `protocols` are required;
 * `profileName` may be absent (EdgeX 4 ProfileScan) and is then "".
 * @throws ValidationError DEVICE_INVALID listing every problem with its path.
 */
export function validateDevice(value: unknown): Device {
  const ck = new Checker();
  ck.schema(restSchema(), value, []);
  const device = normaliseDevice(value, [], ck);
  ck.throwIfAny(ErrorCode.DeviceInvalid, SUBJECT);
  return device as Device;
}

/**
 * Parses an EdgeX device list (YAML or JSON with a top-level `deviceList:`), validating each device as
 * {@link validateDevice} does, except that `serviceName` comes from `options` when an entry has none. Names must be
 * unique within the list.
 * @throws ValidationError YAML_MALFORMED when the text does not parse, DEVICE_INVALID listing every problem of every
 *   device with its path (`deviceList[2].autoEvents[0].interval`) and line otherwise.
 */
export function parseDeviceList(text: string, options: DeviceListOptions = {}): Device[] {
  const source = SourceText.parse(text, "malformed device list");
  const ck = new Checker(source);
  ck.schema(listSchema(), source.data, []);
  const list = isRecord(source.data) && Array.isArray(source.data.deviceList) ? source.data.deviceList : [];
  const devices: Device[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, i) => {
    ck.schema(listEntrySchema(), entry, ["deviceList", i]);
    const device = normaliseDevice(entry, ["deviceList", i], ck, options.serviceName ?? "");
    if (device === undefined) return;
    devices.push(device);
    if (typeof device.name !== "string") return;
    const first = seen.get(device.name);
    if (first === undefined) seen.set(device.name, i);
    else ck.add(["deviceList", i, "name"], `duplicate name "${device.name}": deviceList[${first}] has it already`);
  });
  ck.throwIfAny(ErrorCode.DeviceInvalid, SUBJECT);
  return devices;
}
