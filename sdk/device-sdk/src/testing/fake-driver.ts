/**
 * FakeDriver: an in-memory ProtocolDriver for tests of the runtime and of services built on it. Each device has
 * registers (resource name -> raw value); reads return them (or a zero value of the resource's type), writes store
 * them. Failures and hangs can be switched on per device, and every call is recorded.
 *
 * Devices need a `fake` protocol block (`protocols: { fake: { ... } }`); `unreachable: "true"` in it makes reads
 * and writes reject with a Communication error after `timeoutMs` (default 100) ms, like a peer that never answers.
 */
import { ErrorKind, ServiceError, type Device, type ValueType } from "@brink/contracts";
import { FakeDriverErrorCode } from "./errors.js";
import type {
  CommandRequest, CommandValue, DeviceServiceSdk, Discoverable, DiscoveredDeviceInfo, DiscoverOptions, ProtocolDriver, RawValue, StopOptions,
} from "../driver.js";

/** One recorded driver call. */
export interface FakeDriverCall {
  readonly op: "read" | "write";
  readonly device: string;
  readonly resources: readonly string[];
  readonly values?: readonly RawValue[];
}

export { FakeDriverErrorCode };

/** The zero value of a value type (what an unwritten register reads as). */
export function zeroValue(valueType: ValueType): RawValue {
  if (valueType === "Bool") return false;
  if (valueType === "String") return "";
  if (valueType === "Int64" || valueType === "Uint64") return 0n;
  if (valueType === "Binary") return new Uint8Array(0);
  if (valueType === "Object") return {};
  if (valueType.endsWith("Array")) return [];
  return 0;
}

/** See the module comment. */
export class FakeDriver implements ProtocolDriver, Discoverable {
  /** device -> resource -> raw value. */
  readonly registers = new Map<string, Map<string, RawValue>>();
  readonly calls: FakeDriverCall[] = [];
  readonly added: string[] = [];
  readonly updated: string[] = [];
  readonly removed: string[] = [];
  /** What `discover()` returns. */
  discovered: DiscoveredDeviceInfo[] = [];
  /** When true, `discover()` scans until {@link releaseDiscovery} is called or the run is cancelled. */
  holdDiscovery = false;
  /** Ends a held scan. */
  releaseDiscovery: () => void = () => undefined;
  /** True once a held scan saw its run cancelled. */
  discoveryAborted = false;
  sdk: DeviceServiceSdk | undefined;
  started = false;
  stopped = false;
  private readonly failures = new Map<string, Error>();
  private readonly hanging = new Set<string>();
  private readonly pending = new Set<() => void>();

  constructor(private readonly options: { delayMs?: number } = {}) {}

  /** Sets a register. */
  set(device: string, resource: string, value: RawValue): void {
    let regs = this.registers.get(device);
    if (regs === undefined) this.registers.set(device, (regs = new Map()));
    regs.set(resource, value);
  }

  /** Reads a register (undefined when never set). */
  get(device: string, resource: string): RawValue | undefined {
    return this.registers.get(device)?.get(resource);
  }

  /** Makes every call for the device throw `error` until {@link recover}. */
  fail(device: string, error: Error = new Error("fake failure")): void {
    this.failures.set(device, error);
  }

  /** Ends a {@link fail}: calls for the device succeed again. */
  recover(device: string): void {
    this.failures.delete(device);
  }

  /** Makes new calls for the device hang until the driver stops (`hang(device, false)` affects later calls only). */
  hang(device: string, on = true): void {
    if (on) this.hanging.add(device);
    else this.hanging.delete(device);
  }

  /** Number of recorded calls of `op` for the device. */
  count(op: "read" | "write", device?: string): number {
    return this.calls.filter((c) => c.op === op && (device === undefined || c.device === device)).length;
  }

  initialize(sdk: DeviceServiceSdk): void {
    this.sdk = sdk;
  }

  async start(): Promise<void> {
    this.started = true;
    this.stopped = false;
  }

  async stop(_options: StopOptions): Promise<void> {
    this.stopped = true;
    this.started = false;
    for (const release of [...this.pending]) release();
  }

  async read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    this.calls.push({ op: "read", device: device.name, resources: requests.map((r) => r.resourceName) });
    await this.gate(device);
    return requests.map((r) => ({ resourceName: r.resourceName, valueType: r.valueType, value: this.get(device.name, r.resourceName) ?? zeroValue(r.valueType) }));
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    this.calls.push({ op: "write", device: device.name, resources: requests.map((r) => r.resourceName), values: values.map((v) => v.value) });
    await this.gate(device);
    values.forEach((v) => this.set(device.name, v.resourceName, v.value));
  }

  validateDevice(device: Device): void {
    const block = device.protocols?.fake;
    if (block === undefined || block === null || typeof block !== "object" || Array.isArray(block)) {
      throw new ServiceError(ErrorKind.ContractInvalid, FakeDriverErrorCode.ProtocolInvalid, `device ${device.name}: a "fake" protocol block is required`);
    }
    const timeout = block.timeoutMs;
    if (timeout !== undefined && !(Number(timeout) > 0)) {
      throw new ServiceError(ErrorKind.ContractInvalid, FakeDriverErrorCode.ProtocolInvalid, `device ${device.name}: fake.timeoutMs must be a positive number`);
    }
  }

  onDeviceAdded(device: Device): void {
    this.added.push(device.name);
  }

  onDeviceUpdated(device: Device): void {
    this.updated.push(device.name);
  }

  onDeviceRemoved(device: Device): void {
    this.removed.push(device.name);
    this.registers.delete(device.name);
  }

  async discover(options: DiscoverOptions): Promise<DiscoveredDeviceInfo[]> {
    options.onProgress?.(50, "scanning");
    if (this.holdDiscovery) {
      // Scans until released, or until the run is cancelled (then it stops, as a driver should).
      await new Promise<void>((resolve, reject) => {
        this.releaseDiscovery = resolve;
        options.signal?.addEventListener("abort", () => {
          this.discoveryAborted = true;
          reject(new Error("scan aborted"));
        });
      });
    }
    return this.discovered.map((d) => ({ ...d }));
  }

  private async gate(device: Device): Promise<void> {
    if (this.stopped) throw new ServiceError(ErrorKind.ServiceUnavailable, FakeDriverErrorCode.Stopped, "fake driver is stopped");
    if (this.options.delayMs) await this.sleep(this.options.delayMs);
    const block = device.protocols?.fake ?? {};
    if (String(block.unreachable) === "true") {
      await this.sleep(Number(block.timeoutMs ?? 100));
      throw new ServiceError(ErrorKind.Communication, FakeDriverErrorCode.Unreachable, `device ${device.name} does not answer`);
    }
    if (this.hanging.has(device.name)) await new Promise<void>((resolve) => this.pending.add(resolve));
    const failure = this.failures.get(device.name);
    if (failure !== undefined) throw failure;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.pending.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.pending.add(done);
    });
  }
}
