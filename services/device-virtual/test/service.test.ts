/**
 * device-virtual as users run it embedded: core-metadata, device-virtual and core-command in one process on the
 * in-process bus, driven over real HTTP through core-command.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_VERSION, type CoreCommand, type Event, type Reading } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "@brink/core-command";
import { deviceVirtualService } from "../src/index.js";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { virtualDevices } from "./fixtures.js";

describe("device-virtual with core-metadata and core-command (embedded)", function () {
  this.timeout(30_000);
  const bus = new InProcessBus();
  const running: RunningService[] = [];
  let dataDir: string | undefined;
  let command: (path: string) => string;

  before(async () => {
    await bus.connect();
    dataDir = mkdtempSync(join(tmpdir(), "brink-device-virtual-"));
    const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown> = {}) => {
      const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, dataDir, ...overrides } });
      running.push(s);
      return s;
    };
    const metadata = await start(coreMetadataService);
    const clients = { coreMetadataUrl: metadata.url };
    await start(deviceVirtualService, { clients });
    const core = await start(coreCommandService, { clients });
    command = (path) => `${core.url}/api/v3${path}`;
    const expected = virtualDevices().map((d) => d.name);
    await waitFor(
      async () => {
        const res = await httpJson("GET", `${metadata.url}/api/v3/device/service/name/device-virtual?limit=-1`);
        const names = ((res.body as { devices?: { name: string }[] }).devices ?? []).map((d) => d.name);
        return expected.every((n) => names.includes(n));
      },
      { timeoutMs: 10_000, intervalMs: 50, message: "virtual devices not registered" },
    );
  });

  after(async () => {
    for (const s of running.reverse()) await s.stop();
    await bus.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function read(device: string, resource: string): Promise<Reading> {
    const res = await httpJson("GET", command(`/device/name/${device}/${resource}`));
    assert.equal(res.status, 200, res.text);
    const event = (res.body as { event: Event }).event;
    assert.equal(event.deviceName, device);
    assert.equal(event.readings.length, 1);
    assert.equal(event.readings[0]!.resourceName, resource);
    return event.readings[0]!;
  }

  it("lists EdgeX's core commands of Random-Float-Device", async () => {
    const res = await httpJson("GET", command("/device/name/Random-Float-Device"));
    assert.equal(res.status, 200, res.text);
    const commands = (res.body as { deviceCoreCommand: { coreCommands: CoreCommand[] } }).deviceCoreCommand.coreCommands;
    const byName = new Map(commands.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), ["Float32", "Float32Array", "Float64", "Float64Array", "WriteFloat32ArrayValue", "WriteFloat32Value", "WriteFloat64ArrayValue", "WriteFloat64Value"]);
    assert.deepEqual(byName.get("WriteFloat32Value")!.parameters, [
      { resourceName: "Float32", valueType: "Float32" },
      { resourceName: "EnableRandomization_Float32", valueType: "Bool" },
    ]);
  });

  it("reads random values of each type through core-command", async () => {
    const float = await read("Random-Float-Device", "Float32");
    assert.equal(float.valueType, "Float32");
    assert.ok(Number.isFinite(Number.parseFloat((float as { value: string }).value)));
    assert.equal(typeof float.origin, "bigint");

    const int = await read("Random-Integer-Device", "Int8");
    const n = Number((int as { value: string }).value);
    assert.ok(Number.isInteger(n) && n >= -128 && n <= 127, `Int8 ${n}`);

    const arr = await read("Random-UnsignedInteger-Device", "Uint16Array");
    assert.equal(arr.valueType, "Uint16Array");

    const binary = await read("Random-Binary-Device", "Binary");
    assert.equal(binary.valueType, "Binary");
    assert.equal((binary as { mediaType: string }).mediaType, "random");
    assert.ok(Buffer.from((binary as { binaryValue: string }).binaryValue, "base64").length > 0);

    const object = await read("Fixed-Object-Device", "Object");
    assert.deepEqual((object as { objectValue: unknown }).objectValue, { key1: "value1", key2: 123 });
  });

  it("makes Float32 read 42.5 after WriteFloat32Value with randomisation off", async () => {
    const put = await httpJson("PUT", command("/device/name/Random-Float-Device/WriteFloat32Value"), { EnableRandomization_Float32: "false", Float32: "42.5" });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body, { apiVersion: API_VERSION, statusCode: 200 });
    for (let i = 0; i < 3; i++) {
      const reading = await read("Random-Float-Device", "Float32");
      assert.equal(Number.parseFloat((reading as { value: string }).value), 42.5);
    }
  });

  it("refuses a value that is not a Float32 with 400 and keeps the last value", async () => {
    const put = await httpJson("PUT", command("/device/name/Random-Float-Device/WriteFloat32Value"), { Float32: "not-a-number" });
    assert.equal(put.status, 400, put.text);
    const reading = await read("Random-Float-Device", "Float32");
    assert.equal(Number.parseFloat((reading as { value: string }).value), 42.5);
  });

  it("writes an Object resource and reads it back", async () => {
    const value = { key1: "changed", nested: { list: [1, 2, 3] } };
    const put = await httpJson("PUT", command("/device/name/Fixed-Object-Device/Object"), { Object: value });
    assert.equal(put.status, 200, put.text);
    const reading = await read("Fixed-Object-Device", "Object");
    assert.deepEqual((reading as { objectValue: unknown }).objectValue, value);
  });
});
