/**
 * The ProtocolDriver contract: the whole of what a driver author implements. A driver talks to hardware and returns
 * raw typed values; the SDK runtime does everything else (transforms, checks, readings, events, the bus, REST,
 * AutoEvents, metadata). A driver never imports express, a bus or a metadata client.
 */
import type { Device, DeviceProfile, DeviceResource, OperatingState, Tags, ValueType } from "@brink/contracts";
import type { Logger } from "pino";

/**
 * A raw value as a driver returns or receives it, by value type:
 * Bool -> boolean; Int8..Int32, Uint8..Uint32, Float32, Float64 -> number; Int64, Uint64 -> bigint;
 * String -> string; Binary -> Uint8Array; XxxArray -> array of the element's raw type; Object -> a JSON object;
 * ObjectArray -> an array of JSON objects.
 */
export type RawValue = boolean | number | bigint | string | Uint8Array | readonly RawValue[] | { readonly [key: string]: unknown };

/** One resource to read or write, as the runtime hands it to the driver. */
export interface CommandRequest {
  /** The device resource name. */
  readonly resourceName: string;
  /** The resource's `attributes` from the profile (driver-specific addressing, such as a Modbus register). */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly valueType: ValueType;
  /** The whole resource definition, for drivers that need more than the attributes. */
  readonly resource: DeviceResource;
}

/** A value read from, or to be written to, one resource. */
export interface CommandValue {
  readonly resourceName: string;
  readonly valueType: ValueType;
  readonly value: RawValue;
  /** When the device took the value, Unix ns. The runtime stamps `now` when absent. */
  readonly origin?: bigint;
  /** For Binary values. */
  readonly mediaType?: string;
  readonly tags?: Tags;
}

/** Options for {@link ProtocolDriver.stop}. */
export interface StopOptions {
  /** Stop now without waiting for in-flight requests. */
  readonly force: boolean;
}

/** What the runtime gives a driver in `initialize`. */
export interface DeviceServiceSdk {
  readonly serviceName: string;
  readonly logger: Logger;
  /** The driver's own config section (`driver:` in the service YAML), validated by the service's schema. */
  readonly driverConfig: Readonly<Record<string, unknown>>;
  /** Directory for the driver's persistent files (certificates, caches). Created on demand. */
  readonly dataDir: string;
  /** Devices of this service, as currently known. */
  devices(): readonly Device[];
  device(name: string): Device | undefined;
  profile(name: string): DeviceProfile | undefined;
  /**
   * Delivers readings a push driver received asynchronously (subscriptions, unsolicited frames). The runtime applies
   * the same transforms and checks as for polled reads and publishes one event for `sourceName`.
   */
  pushValues(deviceName: string, sourceName: string, values: readonly CommandValue[]): Promise<void>;
  /** Reports that a device stopped or started answering (drivers that see connection state). */
  setOperatingState(deviceName: string, state: OperatingState): Promise<void>;
}

/** The driver contract every device service implements. */
export interface ProtocolDriver {
  /** Stores the SDK handle; no I/O. */
  initialize(sdk: DeviceServiceSdk): Promise<void> | void;
  /** Opens connections for the devices known at start. */
  start(): Promise<void>;
  stop(options: StopOptions): Promise<void>;
  /** Reads the resources, returning one raw value per request, in order. Throws on failure. */
  read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]>;
  /**
   * Optional fast path of {@link read}: the raw values alone, one per request and in request order, with no
   * CommandValue around each (a poll of 100 registers then makes 100 values, not 100 more objects). When a driver
   * has it, the runtime reads through it; it fails as `read` does. A value that needs an origin, tags or a media
   * type of its own is for `read`.
   */
  readValues?(device: Device, requests: readonly CommandRequest[]): Promise<readonly RawValue[]>;
  /** Writes raw values (already checked and inverse-transformed by the runtime), one per request, in order. */
  write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void>;
  /** Throws a ServiceError (kind ContractInvalid) when the device's `protocols` block is not usable by this driver. */
  validateDevice(device: Device): Promise<void> | void;
  onDeviceAdded(device: Device): Promise<void> | void;
  onDeviceUpdated(device: Device, previous: Device): Promise<void> | void;
  onDeviceRemoved(device: Device): Promise<void> | void;
}

/** A device found by discovery, before provision watchers turn it into a Device. */
export interface DiscoveredDeviceInfo {
  readonly name: string;
  readonly description?: string;
  readonly labels?: readonly string[];
  readonly protocols: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** What {@link Discoverable.discover} is given. */
export interface DiscoverOptions {
  /** Reports progress (0..100), published as EdgeX discovery system events. */
  readonly onProgress?: (percent: number, message?: string) => void;
  /**
   * Aborted when the run is cancelled (`DELETE /api/v3/discovery`). A driver should stop scanning and return; the SDK
   * stops waiting for it at once either way and adds none of what it found.
   */
  readonly signal?: AbortSignal;
}

/** Optional ability: find devices. */
export interface Discoverable {
  discover(options: DiscoverOptions): Promise<DiscoveredDeviceInfo[]>;
}

/** Optional ability: build a device profile from what a device reports. */
export interface ProfileScanner {
  scanProfile(device: Device, options: { profileName: string; options?: Readonly<Record<string, unknown>> }): Promise<DeviceProfile>;
}

/**
 * Optional ability: describe what the driver does for one device (a Modbus read plan, an OPC UA subscription),
 * served as `GET /api/v3/driver/device/name/{name}`.
 */
export interface DeviceInspector {
  /** A JSON-serialisable report about the device. */
  inspectDevice(device: Device): unknown;
}

/** True when the driver can describe a device. */
export function isDeviceInspector(driver: ProtocolDriver): driver is ProtocolDriver & DeviceInspector {
  return typeof (driver as Partial<DeviceInspector>).inspectDevice === "function";
}

/** True when the driver can discover devices. */
export function isDiscoverable(driver: ProtocolDriver): driver is ProtocolDriver & Discoverable {
  return typeof (driver as Partial<Discoverable>).discover === "function";
}

/** True when the driver can scan a profile from a device. */
export function isProfileScanner(driver: ProtocolDriver): driver is ProtocolDriver & ProfileScanner {
  return typeof (driver as Partial<ProfileScanner>).scanProfile === "function";
}

