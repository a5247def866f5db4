/**
 * The virtual driver: EdgeX device-virtual-go's behaviour behind Brink's ProtocolDriver contract. Every device
 * resource is simulated in memory, per device: readable resources give random values (inside the resource's
 * `minimum`/`maximum`, else the type's range) while their `EnableRandomization_<name>` flag is on, and the last value
 * otherwise. Writing a value stores it and turns randomisation off, as EdgeX does; writing
 * `EnableRandomization_<name>` turns it on or off. Binary resources give fresh random bytes on every read; Object
 * and ObjectArray resources hold their profile's `defaultValue` until written.
 */
import { ErrorCode, ErrorKind, ServiceError, type Device, type DeviceResource, type ValueType } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, ProtocolDriver, RawValue, StopOptions } from "@brink/device-sdk";
import { VirtualErrorCode } from "./errors.js";
import { randomBytes, randomSimpleValue, type RandomSource, type ValueBounds } from "./random.js";
import { checkWriteValue, parseDefaultValue, zeroValue } from "./values.js";

/** Prefix of the Bool resources that switch another resource's randomisation, as in EdgeX's profiles. */
export const ENABLE_RANDOMIZATION_PREFIX = "EnableRandomization_";

/** Size of a random Binary value, bytes. EdgeX's device-virtual uses MaxBinaryBytes / 1000. @default 16_777 */
export const DEFAULT_BINARY_SIZE_BYTES = 16_777;

/** Media type of Binary values whose resource names none. */
export const DEFAULT_BINARY_MEDIA_TYPE = "application/octet-stream";

/** Options of {@link VirtualDriver}. */
export interface VirtualDriverOptions {
  /** Source of uniform random numbers in [0, 1). @default Math.random */
  readonly random?: RandomSource;
  /** Size of each random Binary value, bytes. @default DEFAULT_BINARY_SIZE_BYTES */
  readonly binarySizeBytes?: number;
}

/** What the driver remembers about one resource of one device. */
interface ResourceState {
  /** Undefined until first used: then taken from the profile's EnableRandomization_<name> default, else true. */
  randomize: boolean | undefined;
  /** The last value read or written; undefined until first used, then the profile's defaultValue. */
  value: RawValue | undefined;
}

/** Simulated devices in memory, as EdgeX's device-virtual-go. See the module comment for the behaviour. */
export class VirtualDriver implements ProtocolDriver {
  private readonly random: RandomSource;
  private readonly binarySizeBytes: number;
  private readonly states = new Map<string, Map<string, ResourceState>>();
  private sdk: DeviceServiceSdk | undefined;

  constructor(options: VirtualDriverOptions = {}) {
    this.random = options.random ?? Math.random;
    this.binarySizeBytes = options.binarySizeBytes ?? DEFAULT_BINARY_SIZE_BYTES;
  }

  initialize(sdk: DeviceServiceSdk): void {
    this.sdk = sdk;
  }

  /** Nothing to open: a resource's state is created when it is first read or written. */
  async start(): Promise<void> {}

  async stop(_options: StopOptions): Promise<void> {
    this.states.clear();
  }

  async read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    return requests.map((request) => this.readOne(device, request));
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    if (requests.length !== values.length) {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, `${requests.length} resources to write but ${values.length} values`);
    }
    // Check every value before storing any, so a bad value leaves the device as it was.
    const checked = requests.map((request, i) => this.checkWrite(request, values[i]!));
    requests.forEach((request, i) => this.store(device, request, checked[i]!));
  }

  /**
   * Virtual devices talk to nothing, so any protocol block will do (EdgeX's list uses `other`); but a device must
   * have one, as EdgeX's device contract requires.
   * @throws ServiceError kind ContractInvalid, code DEVICE_INVALID, when `protocols` is missing or empty
   */
  validateDevice(device: Device): void {
    const protocols: unknown = device.protocols;
    if (protocols === null || typeof protocols !== "object" || Array.isArray(protocols) || Object.keys(protocols).length === 0) {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.DeviceInvalid, `device ${device.name}: protocols must name at least one protocol block`, {
        details: { deviceName: device.name },
      });
    }
  }

  onDeviceAdded(device: Device): void {
    this.states.delete(device.name);
  }

  onDeviceUpdated(device: Device, previous: Device): void {
    // The simulated values survive an update unless the device now follows another profile (or was renamed).
    if (device.name !== previous.name || device.profileName !== previous.profileName) this.states.delete(previous.name);
  }

  onDeviceRemoved(device: Device): void {
    this.states.delete(device.name);
  }

  /**
   * Whether a resource of a device currently gives random values; undefined while the resource has not been used.
   */
  isRandomized(deviceName: string, resourceName: string): boolean | undefined {
    return this.states.get(deviceName)?.get(resourceName)?.randomize;
  }

  private readOne(device: Device, request: CommandRequest): CommandValue {
    const { resourceName, valueType } = request;
    const target = randomizationTarget(request);
    if (target !== undefined) {
      return { resourceName, valueType, value: this.randomizeFlag(device, this.stateOf(device, target), target) };
    }
    if (valueType === "Binary") {
      const mediaType = request.resource.properties.mediaType || DEFAULT_BINARY_MEDIA_TYPE;
      return { resourceName, valueType, value: randomBytes(this.binarySizeBytes, this.random), mediaType };
    }
    const state = this.stateOf(device, resourceName);
    if (valueType !== "Object" && valueType !== "ObjectArray" && this.randomizeFlag(device, state, resourceName)) {
      state.value = randomSimpleValue(valueType, boundsOf(request.resource), this.random);
    } else if (state.value === undefined) {
      state.value = initialValue(request.resource, valueType);
    }
    return { resourceName, valueType, value: copyOf(state.value) };
  }

  private checkWrite(request: CommandRequest, value: CommandValue): RawValue {
    if (randomizationTarget(request) !== undefined) {
      if (typeof value.value !== "boolean") {
        throw new ServiceError(ErrorKind.ContractInvalid, VirtualErrorCode.ValueInvalid, `resource ${request.resourceName}: value is not a Bool`, {
          details: { resourceName: request.resourceName, valueType: request.valueType },
        });
      }
      return value.value;
    }
    return checkWriteValue(request.valueType, value.value, request.resourceName);
  }

  private store(device: Device, request: CommandRequest, value: RawValue): void {
    const target = randomizationTarget(request);
    if (target !== undefined) {
      this.stateOf(device, target).randomize = value as boolean;
      return;
    }
    const state = this.stateOf(device, request.resourceName);
    state.value = copyOf(value);
    state.randomize = false;
  }

  private stateOf(device: Device, resourceName: string): ResourceState {
    let resources = this.states.get(device.name);
    if (!resources) {
      resources = new Map();
      this.states.set(device.name, resources);
    }
    let state = resources.get(resourceName);
    if (!state) {
      state = { randomize: undefined, value: undefined };
      resources.set(resourceName, state);
    }
    return state;
  }

  private randomizeFlag(device: Device, state: ResourceState, resourceName: string): boolean {
    state.randomize ??= this.initialRandomize(device, resourceName);
    return state.randomize;
  }

  /** The default of the profile's `EnableRandomization_<name>` resource, else true (EdgeX randomises by default). */
  private initialRandomize(device: Device, resourceName: string): boolean {
    const profile = this.sdk?.profile(device.profileName);
    const flag = profile?.deviceResources.find((r) => r.name === ENABLE_RANDOMIZATION_PREFIX + resourceName);
    const text = flag?.properties.defaultValue;
    if (flag === undefined || text === undefined || text === "") return true;
    return parseDefaultValue("Bool", text, flag.name) as boolean;
  }
}

/** The resource whose randomisation a request switches, or undefined when it is an ordinary resource. */
function randomizationTarget(request: CommandRequest): string | undefined {
  const { resourceName, valueType } = request;
  if (valueType !== "Bool" || !resourceName.startsWith(ENABLE_RANDOMIZATION_PREFIX)) return undefined;
  const target = resourceName.slice(ENABLE_RANDOMIZATION_PREFIX.length);
  return target === "" ? undefined : target;
}

function initialValue(resource: DeviceResource, valueType: ValueType): RawValue {
  const text = resource.properties.defaultValue;
  return text === undefined || text === "" ? zeroValue(valueType) : parseDefaultValue(valueType, text, resource.name);
}

/** Bounds from a resource's properties; EdgeX v2 profiles wrote them as strings, so those are read too. */
function boundsOf(resource: DeviceResource): ValueBounds {
  return { minimum: toNumber(resource.properties.minimum), maximum: toNumber(resource.properties.maximum) };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** Values leave and enter the driver as copies, so no caller can change the simulated state behind its back. */
function copyOf(value: RawValue): RawValue {
  if (Array.isArray(value) || (typeof value === "object" && !(value instanceof Uint8Array))) return structuredClone(value);
  return value;
}
