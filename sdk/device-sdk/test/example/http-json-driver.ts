/**
 * The worked example of docs/writing-a-driver.md: a driver for sensors that answer JSON over HTTP.
 * A device names its peer in `protocols.http.baseUrl`; a resource names its endpoint in `attributes.path`.
 * GET <baseUrl><path> answers `{ "value": ... }`; PUT <baseUrl><path> with `{ "value": ... }` sets it.
 */
import { ErrorKind, ServiceError, type Device, type ValueType } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, ProtocolDriver, RawValue, StopOptions } from "@brink/device-sdk";

/** Per-request deadline of the driver's own HTTP calls, ms. */
export const HTTP_TIMEOUT_MS = 2000;

function baseUrlOf(device: Device): string {
  const url = device.protocols.http?.baseUrl;
  if (typeof url !== "string" || !/^https?:\/\/\S+$/.test(url)) {
    throw new ServiceError(ErrorKind.ContractInvalid, "HTTP_PROTOCOL_INVALID", `device ${device.name}: protocols.http.baseUrl must be an http(s) URL`);
  }
  return url.replace(/\/+$/, "");
}

function pathOf(request: CommandRequest): string {
  const path = request.attributes.path;
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new ServiceError(ErrorKind.ContractInvalid, "HTTP_ATTRIBUTES_INVALID", `resource ${request.resourceName}: attributes.path must start with /`);
  }
  return path;
}

/** JSON has no int64: 64-bit integers travel as decimal strings. */
function fromJson(valueType: ValueType, v: unknown): RawValue {
  if ((valueType === "Int64" || valueType === "Uint64") && (typeof v === "string" || typeof v === "number")) return BigInt(v);
  return v as RawValue;
}

function toJson(v: RawValue): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

export class HttpJsonDriver implements ProtocolDriver {
  private sdk: DeviceServiceSdk | undefined;
  private readonly inFlight = new Set<AbortController>();

  initialize(sdk: DeviceServiceSdk): void {
    this.sdk = sdk;
  }

  async start(): Promise<void> {
    this.sdk?.logger.info({ devices: this.sdk.devices().length }, "http-json driver started");
  }

  async stop(options: StopOptions): Promise<void> {
    if (options.force) for (const c of this.inFlight) c.abort();
  }

  async read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    const base = baseUrlOf(device);
    const values: CommandValue[] = [];
    for (const r of requests) {
      const body = (await this.call("GET", `${base}${pathOf(r)}`)) as { value?: unknown };
      values.push({ resourceName: r.resourceName, valueType: r.valueType, value: fromJson(r.valueType, body.value) });
    }
    return values;
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    const base = baseUrlOf(device);
    for (let i = 0; i < requests.length; i++) {
      await this.call("PUT", `${base}${pathOf(requests[i]!)}`, { value: toJson(values[i]!.value) });
    }
  }

  validateDevice(device: Device): void {
    baseUrlOf(device);
  }

  onDeviceAdded(): void {}
  onDeviceUpdated(): void {}
  onDeviceRemoved(): void {}

  private async call(method: string, url: string, body?: unknown): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), HTTP_TIMEOUT_MS);
    this.inFlight.add(controller);
    try {
      const res = await fetch(url, {
        method,
        signal: controller.signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      });
      if (!res.ok) throw new ServiceError(ErrorKind.Communication, "HTTP_PEER_ERROR", `${method} ${url}: HTTP ${res.status}`);
      const text = await res.text();
      return text === "" ? {} : JSON.parse(text);
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      throw new ServiceError(ErrorKind.Communication, "HTTP_PEER_UNREACHABLE", `${method} ${url}: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
