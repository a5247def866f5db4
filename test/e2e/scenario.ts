/**
 * The user-visible scenario both run modes must pass: virtual devices registered, readings stored, commands read
 * and written through core-command. Shared by the embedded and the distributed e2e tests.
 */
import { strict as assert } from "node:assert";
import { httpJson, waitFor } from "../harness/index.js";
import type { Ports } from "./brink-process.js";

const VIRTUAL_DEVICES = ["Random-Boolean-Device", "Random-Integer-Device", "Random-UnsignedInteger-Device", "Random-Float-Device", "Random-Binary-Device"];

const url = (ports: Ports, service: string, path: string) => `http://127.0.0.1:${ports[service]}/api/v3${path}`;

interface DeviceDto { name: string; serviceName: string; operatingState: string }
interface ReadingDto { deviceName: string; resourceName: string; value?: string; valueType: string; origin: bigint }

export async function assertVirtualDevicesRegistered(ports: Ports): Promise<void> {
  let names: string[] = [];
  await waitFor(
    async () => {
      const res = await httpJson("GET", url(ports, "core-metadata", "/device/service/name/device-virtual?limit=-1"));
      const devices = (res.body as { devices?: DeviceDto[] }).devices ?? [];
      names = devices.map((d) => d.name);
      return VIRTUAL_DEVICES.every((n) => names.includes(n));
    },
    { timeoutMs: 15_000, intervalMs: 100, message: "virtual devices not registered" },
  );
  for (const n of VIRTUAL_DEVICES) assert.ok(names.includes(n), `${n} registered`);
}

/**
 * Adds a device at runtime through core-metadata's REST API, with a 250 ms AutoEvent, and waits for its readings in
 * core-data: live metadata, AutoEvents, the bus and ingest in one path.
 */
export async function assertReadingsStored(ports: Ports, device = "Fast-Float-Device"): Promise<ReadingDto[]> {
  const add = await httpJson("POST", url(ports, "core-metadata", "/device"), [
    {
      apiVersion: "v3",
      device: {
        name: device, serviceName: "device-virtual", profileName: "Random-Float-Device", adminState: "UNLOCKED", operatingState: "UP",
        protocols: { other: { Address: "fast", Port: "300" } },
        autoEvents: [{ interval: "250ms", onChange: false, sourceName: "Float64" }],
      },
    },
  ]);
  assert.equal(add.status, 207, add.text);
  assert.equal((add.body as { statusCode: number }[])[0]!.statusCode, 201, add.text);
  let readings: ReadingDto[] = [];
  await waitFor(
    async () => {
      const res = await httpJson("GET", url(ports, "core-data", `/reading/device/name/${device}?limit=10`));
      readings = (res.body as { readings?: ReadingDto[] }).readings ?? [];
      return res.status === 200 && readings.length >= 2;
    },
    { timeoutMs: 15_000, intervalMs: 100, message: `no readings of ${device} in core-data` },
  );
  for (const r of readings) {
    assert.equal(r.deviceName, device);
    assert.equal(r.resourceName, "Float64");
    assert.equal(typeof r.origin, "bigint", "origin is an exact int64");
  }
  return readings;
}

export async function assertCommandReadWrite(ports: Ports): Promise<void> {
  const set = await httpJson("PUT", url(ports, "core-command", "/device/name/Random-Float-Device/WriteFloat32Value"), {
    EnableRandomization_Float32: "false",
    Float32: "42.5",
  });
  assert.equal(set.status, 200, set.text);
  const get = await httpJson("GET", url(ports, "core-command", "/device/name/Random-Float-Device/Float32"));
  assert.equal(get.status, 200, get.text);
  const event = (get.body as { event: { readings: ReadingDto[] } }).event;
  assert.equal(event.readings.length, 1);
  assert.equal(event.readings[0]!.resourceName, "Float32");
  assert.equal(Number.parseFloat(event.readings[0]!.value!), 42.5);

  // EdgeX ds-regexcmd (default true): a name that is no command reads every readable resource it matches, end to end.
  const pattern = await httpJson("GET", url(ports, "core-command", `/device/name/Random-Float-Device/${encodeURIComponent("Float(32|64)")}`));
  assert.equal(pattern.status, 200, pattern.text);
  const matched = (pattern.body as { event: { sourceName: string; readings: ReadingDto[] } }).event;
  assert.equal(matched.sourceName, "Float(32|64)");
  assert.deepEqual(matched.readings.map((r) => r.resourceName).sort(), ["Float32", "Float64"]);
  const literal = await httpJson("GET", url(ports, "core-command", `/device/name/Random-Float-Device/${encodeURIComponent("Float(32|64)")}?ds-regexcmd=false`));
  assert.equal(literal.status, 404, literal.text);

  const unknown = await httpJson("GET", url(ports, "core-command", "/device/name/No-Such-Device/Float32"));
  assert.equal(unknown.status, 404);
  const badValue = await httpJson("PUT", url(ports, "core-command", "/device/name/Random-Float-Device/WriteFloat32Value"), { Float32: "not-a-number" });
  assert.equal(badValue.status, 400);
}
