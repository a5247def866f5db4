/**
 * EdgeX v3 data transfer objects, as they travel in REST bodies and on the bus.
 * Timestamps (`origin`, `created`, `modified`) are int64 Unix nanoseconds held as bigint; see int64-json.ts.
 */
import type { BinaryValueType, ObjectValueType, SimpleValueType, ValueType } from "./value-types.js";

/** The API version every DTO and envelope carries. */
export const API_VERSION = "v3";

export const AdminState = { Locked: "LOCKED", Unlocked: "UNLOCKED" } as const;
export type AdminState = (typeof AdminState)[keyof typeof AdminState];

export const OperatingState = { Up: "UP", Down: "DOWN", Unknown: "UNKNOWN" } as const;
export type OperatingState = (typeof OperatingState)[keyof typeof OperatingState];

export const ReadWrite = { R: "R", W: "W", RW: "RW", WR: "WR" } as const;
export type ReadWrite = (typeof ReadWrite)[keyof typeof ReadWrite];

/** Free-form tags attached to events and readings. */
export type Tags = Record<string, unknown>;

interface BaseReading {
  id?: string;
  origin: bigint;
  deviceName: string;
  resourceName: string;
  profileName: string;
  units?: string;
  tags?: Tags;
}

/** A reading whose value is a string: numbers, bools, strings and JSON arrays of them (EdgeX's SimpleReading). */
export interface SimpleReading extends BaseReading {
  valueType: SimpleValueType;
  value: string;
}

/** A Binary reading: base64 bytes on the wire, with their media type. */
export interface BinaryReading extends BaseReading {
  valueType: BinaryValueType;
  binaryValue: string;
  mediaType: string;
}

/** An Object or ObjectArray reading. */
export interface ObjectReading extends BaseReading {
  valueType: ObjectValueType;
  objectValue: unknown;
}

/** A reading, discriminated by valueType. */
export type Reading = SimpleReading | BinaryReading | ObjectReading;

/** An event: the readings of one source (resource or command) of one device, taken at one time. */
export interface Event {
  apiVersion?: string;
  id: string;
  deviceName: string;
  profileName: string;
  sourceName: string;
  origin: bigint;
  readings: Reading[];
  tags?: Tags;
}

/** EdgeX AddEventRequest: the body of `POST /api/v3/event/...` and the payload of event messages on the bus. */
export interface AddEventRequest {
  apiVersion: string;
  requestId?: string;
  event: Event;
}

export interface ResourceProperties {
  valueType: ValueType;
  readWrite: ReadWrite;
  units?: string;
  minimum?: number;
  maximum?: number;
  defaultValue?: string;
  mask?: number;
  shift?: number;
  scale?: number;
  offset?: number;
  base?: number;
  assertion?: string;
  mediaType?: string;
  optional?: Record<string, unknown>;
}

export interface DeviceResource {
  name: string;
  description?: string;
  isHidden?: boolean;
  tags?: Tags;
  properties: ResourceProperties;
  attributes?: Record<string, unknown>;
}

export interface ResourceOperation {
  deviceResource: string;
  defaultValue?: string;
  mappings?: Record<string, string>;
}

export interface DeviceCommand {
  name: string;
  isHidden?: boolean;
  readWrite: ReadWrite;
  resourceOperations: ResourceOperation[];
  tags?: Tags;
}

export interface DeviceProfile {
  apiVersion?: string;
  id?: string;
  name: string;
  manufacturer?: string;
  description?: string;
  model?: string;
  labels?: string[];
  deviceResources: DeviceResource[];
  deviceCommands?: DeviceCommand[];
  created?: bigint;
  modified?: bigint;
}

/** AutoEvent: poll `sourceName` every `interval` (Go duration), optionally publishing only on change. */
export interface AutoEvent {
  interval: string;
  onChange?: boolean;
  /** Deadband for onChange: a numeric change smaller than this is not a change. */
  onChangeThreshold?: number;
  sourceName: string;
}

/** Protocol blocks by name (`modbus-tcp`, `opcua`, ...), each a map of properties. */
export type ProtocolProperties = Record<string, Record<string, unknown>>;

export interface Device {
  apiVersion?: string;
  id?: string;
  name: string;
  description?: string;
  adminState: AdminState;
  operatingState: OperatingState;
  labels?: string[];
  location?: unknown;
  serviceName: string;
  profileName: string;
  autoEvents?: AutoEvent[];
  protocols: ProtocolProperties;
  tags?: Tags;
  properties?: Record<string, unknown>;
  created?: bigint;
  modified?: bigint;
}

export interface DeviceService {
  apiVersion?: string;
  id?: string;
  name: string;
  description?: string;
  labels?: string[];
  baseAddress: string;
  adminState: AdminState;
  properties?: Record<string, unknown>;
  created?: bigint;
  modified?: bigint;
}

export interface DiscoveredDevice {
  profileName?: string;
  adminState: AdminState;
  autoEvents?: AutoEvent[];
  properties?: Record<string, unknown>;
}

export interface ProvisionWatcher {
  apiVersion?: string;
  id?: string;
  name: string;
  serviceName: string;
  labels?: string[];
  /** Protocol property name -> regular expression the discovered value must match. */
  identifiers: Record<string, string>;
  /** Protocol property name -> exact values that block a match. */
  blockingIdentifiers?: Record<string, string[]>;
  adminState: AdminState;
  discoveredDevice: DiscoveredDevice;
  created?: bigint;
  modified?: bigint;
}

/** The fields every EdgeX v3 response carries. */
export interface BaseResponse {
  apiVersion: string;
  requestId?: string;
  message?: string;
  statusCode: number;
}

/** A list response with `totalCount`, as EdgeX's MultiXxxResponse. */
export type MultiResponse<K extends string, T> = BaseResponse & { totalCount: number } & { [P in K]: T[] };

/** One element of a 207 multi-status answer to a batch POST. */
export interface BatchItemResponse extends BaseResponse {
  id?: string;
}

/** A system event published by core-metadata when something changes. */
export interface SystemEvent {
  apiVersion: string;
  type: "device" | "deviceprofile" | "deviceservice" | "provisionwatcher";
  /** `discovery` and `profilescan`: a device service's progress notices (type `device`). */
  action: "add" | "update" | "delete" | "discovery" | "profilescan";
  source: string;
  owner: string;
  tags?: Tags;
  details: unknown;
  timestamp: bigint;
}

/** EdgeX CommandValue response: `GET /api/v3/device/name/{name}/{command}` answers an EventResponse. */
export interface EventResponse extends BaseResponse {
  event?: Event;
}

/** One core command of a device, as core-command lists them. */
export interface CoreCommand {
  name: string;
  get: boolean;
  set: boolean;
  path: string;
  url: string;
  parameters: { resourceName: string; valueType: ValueType }[];
}

export interface DeviceCoreCommand {
  deviceName: string;
  profileName: string;
  coreCommands: CoreCommand[];
}

/** Builds the common response fields. */
export function baseResponse(statusCode: number, requestId?: string, message?: string): BaseResponse {
  const r: BaseResponse = { apiVersion: API_VERSION, statusCode };
  if (requestId) r.requestId = requestId;
  if (message) r.message = message;
  return r;
}

/**
 * Payload of a command request on `edgex.device.command.request.<svc>.<device>.<command>.<get|set>`.
 * GET: empty object; EdgeX query parameters (`ds-pushevent`, `ds-returnevent`) travel in the envelope's
 * `queryParams`. SET: the settings, resource name -> value (strings, or JSON values for arrays and objects).
 */
export type CommandRequestPayload = Record<string, unknown>;

/** Reply payload of a command request: GET answers with the event (absent when ds-returnevent=false); SET with {}. */
export interface CommandReplyPayload {
  event?: Event;
}
