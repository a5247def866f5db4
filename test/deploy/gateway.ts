/**
 * What the deployment tests do against a running gateway over REST, with the API token: add a fast virtual device,
 * wait for its readings in core-data, read and write through core-command.
 */
import { strict as assert } from "node:assert";
import { httpJson, waitFor, type HttpJsonResponse } from "../harness/index.js";

/** REST calls to one gateway with its API token. */
export class GatewayApi {
  constructor(
    private readonly urls: Record<string, string>,
    private readonly token: string | undefined,
  ) {}

  url(service: string, path: string): string {
    const base = this.urls[service];
    if (base === undefined) throw new Error(`no URL for ${service}`);
    return `${base}/api/v3${path}`;
  }

  call<T = unknown>(method: string, service: string, path: string, body?: unknown): Promise<HttpJsonResponse<T>> {
    return httpJson<T>(method, this.url(service, path), body, this.token === undefined ? {} : { authorization: `Bearer ${this.token}` });
  }

  /** Adds a Random-Float-Device clone with a `intervalMs` AutoEvent on Float64 (device-virtual). */
  async addFastDevice(name: string, interval = "100ms"): Promise<void> {
    // device-virtual uploads its profiles once it is up: wait for the one the device uses.
    await waitFor(async () => (await this.call("GET", "core-metadata", "/deviceprofile/name/Random-Float-Device")).status === 200, {
      timeoutMs: 20_000,
      intervalMs: 100,
      message: "device-virtual's profiles in core-metadata",
    });
    const res = await this.call("POST", "core-metadata", "/device", [
      {
        apiVersion: "v3",
        device: {
          name, serviceName: "device-virtual", profileName: "Random-Float-Device", adminState: "UNLOCKED", operatingState: "UP",
          protocols: { other: { Address: name, Port: "300" } },
          autoEvents: [{ interval, onChange: false, sourceName: "Float64" }],
        },
      },
    ]);
    assert.equal(res.status, 207, res.text);
    assert.equal((res.body as { statusCode: number }[])[0]?.statusCode, 201, res.text);
  }

  /** Number of events of a device in core-data. */
  async eventCount(device: string): Promise<number> {
    const res = await this.call<{ count: number }>("GET", "core-data", `/event/count/device/name/${encodeURIComponent(device)}`);
    assert.equal(res.status, 200, res.text);
    return res.body.count;
  }

  /** Waits until core-data holds at least `atLeast` events of the device; resolves with the count. */
  async waitForEvents(device: string, atLeast: number, timeoutMs = 20_000): Promise<number> {
    return waitFor(async () => {
      const n = await this.eventCount(device);
      return n >= atLeast ? n : undefined;
    }, { timeoutMs, intervalMs: 100, message: `${atLeast} events of ${device} in core-data` });
  }

  /** Writes Float32 = value through core-command and reads it back. */
  async assertCommandRoundTrip(value: number): Promise<void> {
    const set = await this.call("PUT", "core-command", "/device/name/Random-Float-Device/WriteFloat32Value", {
      EnableRandomization_Float32: "false",
      Float32: String(value),
    });
    assert.equal(set.status, 200, set.text);
    const get = await this.call<{ event: { readings: { value: string }[] } }>("GET", "core-command", "/device/name/Random-Float-Device/Float32");
    assert.equal(get.status, 200, get.text);
    assert.equal(Number.parseFloat(get.body.event.readings[0]?.value ?? ""), value);
  }
}
