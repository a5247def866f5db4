/** The EdgeX DTO fields the console reads, as the browser sees them (int64 times as JSON numbers). */

export interface Device {
  name: string;
  description?: string;
  adminState: "LOCKED" | "UNLOCKED";
  operatingState: "UP" | "DOWN" | "UNKNOWN";
  labels?: string[];
  serviceName: string;
  profileName: string;
  autoEvents?: { interval: string; sourceName: string; onChange?: boolean }[];
  protocols?: Record<string, Record<string, unknown>>;
  /** Added by the console: the newest event in core-data (origin in ns). */
  lastEvent?: { origin: number; sourceName: string };
}

export interface ResourceProperties {
  valueType: string;
  readWrite: string;
  units?: string;
  minimum?: number;
  maximum?: number;
  defaultValue?: string;
  mediaType?: string;
}

export interface DeviceResource {
  name: string;
  description?: string;
  isHidden?: boolean;
  properties: ResourceProperties;
}

export interface ResourceOperation {
  deviceResource: string;
  defaultValue?: string;
  mappings?: Record<string, string>;
}

export interface DeviceCommand {
  name: string;
  isHidden?: boolean;
  readWrite: string;
  resourceOperations: ResourceOperation[];
}

export interface DeviceProfile {
  name: string;
  manufacturer?: string;
  model?: string;
  description?: string;
  labels?: string[];
  deviceResources: DeviceResource[];
  deviceCommands?: DeviceCommand[];
}

export interface CoreCommand {
  name: string;
  get: boolean;
  set: boolean;
  path: string;
  parameters?: { resourceName: string; valueType: string }[];
}

export interface Reading {
  resourceName: string;
  valueType: string;
  origin: number;
  units?: string;
  value?: string;
  objectValue?: unknown;
  mediaType?: string;
  binaryValue?: string;
  /** Stream readings of Binary values carry their size instead of the bytes. */
  size?: number;
}

export interface EdgexEvent {
  deviceName: string;
  profileName: string;
  sourceName: string;
  origin: number;
  readings: Reading[];
}

export interface Problem {
  path: string;
  message: string;
  line?: number;
}
