/**
 * core-command over real HTTP, with a real core-metadata and test device services answering on the real bus:
 * once on the in-process bus, once on a real nats-server.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  API_VERSION, ErrorCode, ErrorKind, ServiceError, parseCommandRequestSubject, serviceCommandRequests,
  type CommandMethod, type CoreCommand, type DeviceProfile, type Event,
} from "@brink/contracts";
import { InProcessBus, NatsBus, type MessageBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "../src/index.js";
import { CoreCommandErrorCode } from "../src/errors.js";
import { httpJson, startNatsServer, waitFor, type NatsServer } from "../../../test/harness/index.js";

const COMMAND_TIMEOUT_MS = 300;
const ORIGIN = 1700000000123456789n;

const PROFILE: DeviceProfile = {
  name: "Test-Sensor",
  deviceResources: [
    { name: "Temperature", properties: { valueType: "Float64", readWrite: "R" } },
    { name: "SetPoint", properties: { valueType: "Int32", readWrite: "RW" } },
    { name: "Mode", properties: { valueType: "String", readWrite: "W" } },
    { name: "Secret", isHidden: true, properties: { valueType: "Int32", readWrite: "RW" } },
  ],
  deviceCommands: [{ name: "Configure", readWrite: "W", resourceOperations: [{ deviceResource: "SetPoint" }, { deviceResource: "Mode" }] }],
};

const SERVICES = { answering: "test-ds", slow: "slow-ds", absent: "absent-ds" } as const;

const DEVICES = [
  { name: "Sensor-1", serviceName: SERVICES.answering, adminState: "UNLOCKED" },
  { name: "Sensor-2", serviceName: SERVICES.answering, adminState: "UNLOCKED" },
  { name: "Locked-1", serviceName: SERVICES.answering, adminState: "LOCKED" },
  { name: "Slow-1", serviceName: SERVICES.slow, adminState: "UNLOCKED" },
  { name: "Absent-1", serviceName: SERVICES.absent, adminState: "UNLOCKED" },
];

/** What the test device service saw of one request. */
interface SeenRequest {
  service: string;
  device: string;
  command: string;
  method: CommandMethod;
  payload: unknown;
  queryParams: Record<string, string> | undefined;
  correlationID: string;
}

interface BusSetup {
  /** Buses of core-metadata, core-command and the test device services. */
  metadata: MessageBus;
  command: MessageBus;
  devices: MessageBus;
  close(): Promise<void>;
}

const BUS_MODES: { name: string; setup: () => Promise<BusSetup> }[] = [
  {
    name: "the in-process bus",
    setup: async () => {
      const bus = new InProcessBus();
      await bus.connect();
      return { metadata: bus, command: bus, devices: bus, close: () => bus.close() };
    },
  },
  {
    name: "NATS",
    setup: async () => {
      const server: NatsServer = await startNatsServer();
      const buses = ["core-metadata", "core-command", "test-device-services"].map((name) => new NatsBus({ servers: server.url, name }));
      try {
        for (const b of buses) await b.connect();
      } catch (err) {
        await server.stop();
        throw err;
      }
      return {
        metadata: buses[0]!,
        command: buses[1]!,
        devices: buses[2]!,
        close: async () => {
          for (const b of buses) await b.close();
          await server.stop();
        },
      };
    },
  },
];

function eventFor(device: string, command: string): Event {
  return {
    apiVersion: API_VERSION,
    id: "9b3e7e4c-6b7a-4c33-9d1e-6b1f0c1d2e3f",
    deviceName: device,
    profileName: PROFILE.name,
    sourceName: command,
    origin: ORIGIN,
    readings: [{ id: "r1", origin: ORIGIN, deviceName: device, resourceName: command, profileName: PROFILE.name, valueType: "Float64", value: "2.15e+01" }],
  };
}

for (const mode of BUS_MODES) {
  describe(`core-command over ${mode.name}`, function () {
    this.timeout(30_000);
    let buses: BusSetup | undefined;
    let metadata: RunningService | undefined;
    let command: RunningService | undefined;
    let dataDir: string | undefined;
    const seen: SeenRequest[] = [];
    const pendingSlow: Promise<unknown>[] = [];
    let api: (path: string) => string;
    let metadataApi: (path: string) => string;

    before(async () => {
      buses = await mode.setup();
      dataDir = mkdtempSync(join(tmpdir(), "brink-core-command-"));
      metadata = await startService(coreMetadataService, { bus: buses.metadata, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, dataDir } });
      command = await startService(coreCommandService, {
        bus: buses.command,
        env: {},
        overrides: { service: { port: 0, logLevel: "silent" }, clients: { coreMetadataUrl: metadata.url }, commandTimeoutMs: COMMAND_TIMEOUT_MS },
      });
      api = (path) => `${command!.url}/api/v3${path}`;
      metadataApi = (path) => `${metadata!.url}/api/v3${path}`;

      await post("/deviceprofile", [{ apiVersion: API_VERSION, profile: PROFILE }]);
      await post(
        "/deviceservice",
        Object.values(SERVICES).map((name) => ({ apiVersion: API_VERSION, service: { name, baseAddress: `http://127.0.0.1:1/${name}`, adminState: "UNLOCKED" } })),
      );
      await post(
        "/device",
        DEVICES.map((d) => ({
          apiVersion: API_VERSION,
          device: { ...d, profileName: PROFILE.name, operatingState: "UP", protocols: { other: { Address: d.name } } },
        })),
      );

      buses.devices.serve(serviceCommandRequests(SERVICES.answering), async (msg) => {
        const parts = parseCommandRequestSubject(msg.subject)!;
        seen.push({ ...parts, payload: msg.envelope.payload, queryParams: msg.envelope.queryParams, correlationID: msg.envelope.correlationID });
        if (parts.method === "set") {
          const settings = msg.envelope.payload as Record<string, unknown>;
          if (settings.SetPoint === "bad") {
            throw new ServiceError(ErrorKind.ContractInvalid, "TEST_VALUE_INVALID", "SetPoint: bad is not an Int32", { details: { resourceName: "SetPoint" } });
          }
          return {};
        }
        if (msg.envelope.queryParams?.["ds-returnevent"] === "false") return {};
        return { event: eventFor(parts.device, parts.command) };
      });
      buses.devices.serve(serviceCommandRequests(SERVICES.slow), () => {
        const late = new Promise((resolve) => setTimeout(() => resolve({}), COMMAND_TIMEOUT_MS * 3));
        pendingSlow.push(late);
        return late;
      });
    });

    after(async () => {
      await Promise.all(pendingSlow);
      await command?.stop();
      await metadata?.stop();
      await buses?.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    async function post(path: string, body: unknown): Promise<void> {
      const res = await httpJson("POST", metadataApi(path), body);
      assert.equal(res.status, 207, res.text);
      for (const item of res.body as { statusCode: number }[]) assert.equal(item.statusCode, 201, res.text);
    }

    function assertError(res: { status: number; body: unknown; text: string }, status: number, code: string): void {
      assert.equal(res.status, status, res.text);
      const body = res.body as { statusCode: number; code: string; apiVersion: string; message: string };
      assert.equal(body.statusCode, status);
      assert.equal(body.code, code, res.text);
      assert.equal(body.apiVersion, API_VERSION);
    }

    const readTemperature = () => httpJson("GET", api("/device/name/Sensor-1/Temperature"));

    it("reads a resource through the owning device service (GET -> EventResponse)", async () => {
      seen.length = 0;
      const res = await httpJson("GET", api("/device/name/Sensor-1/Temperature"), undefined, { "X-Correlation-ID": "corr-read-1" });
      assert.equal(res.status, 200, res.text);
      const body = res.body as { apiVersion: string; statusCode: number; event: Event };
      assert.equal(body.apiVersion, API_VERSION);
      assert.equal(body.statusCode, 200);
      assert.equal(body.event.deviceName, "Sensor-1");
      assert.equal(body.event.origin, ORIGIN, "origin is an exact int64");
      assert.equal(body.event.readings[0]!.resourceName, "Temperature");
      assert.equal(res.headers["x-correlation-id"], "corr-read-1");
      assert.equal(seen.length, 1);
      assert.deepEqual(
        { service: seen[0]!.service, device: seen[0]!.device, command: seen[0]!.command, method: seen[0]!.method, correlationID: seen[0]!.correlationID },
        { service: SERVICES.answering, device: "Sensor-1", command: "Temperature", method: "get", correlationID: "corr-read-1" },
      );
    });

    it("passes ds-pushevent and ds-returnevent to the device service and leaves the event out when asked", async () => {
      seen.length = 0;
      const res = await httpJson("GET", api("/device/name/Sensor-1/Temperature?ds-pushevent=true&ds-returnevent=false"));
      assert.equal(res.status, 200, res.text);
      assert.equal((res.body as { event?: unknown }).event, undefined);
      assert.deepEqual(seen[0]!.queryParams, { "ds-pushevent": "true", "ds-returnevent": "false" });
    });

    it("refuses ds-pushevent values other than true and false with 400", async () => {
      seen.length = 0;
      assertError(await httpJson("GET", api("/device/name/Sensor-1/Temperature?ds-pushevent=maybe")), 400, ErrorCode.RequestInvalid);
      assert.equal(seen.length, 0);
    });

    it("writes a command's settings (PUT -> BaseResponse)", async () => {
      seen.length = 0;
      const res = await httpJson("PUT", api("/device/name/Sensor-1/Configure"), { SetPoint: "21", Mode: "auto" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { apiVersion: API_VERSION, statusCode: 200 });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.method, "set");
      assert.equal(seen[0]!.command, "Configure");
      assert.deepEqual(seen[0]!.payload, { SetPoint: "21", Mode: "auto" });
    });

    it("refuses a PUT body that is not a JSON object with 400", async () => {
      assertError(await httpJson("PUT", api("/device/name/Sensor-1/Configure"), [1, 2]), 400, ErrorCode.RequestInvalid);
      assertError(await httpJson("PUT", api("/device/name/Sensor-1/Configure")), 400, ErrorCode.RequestInvalid);
    });

    it("answers 404 for an unknown device", async () => {
      const res = await httpJson("GET", api("/device/name/No-Such-Device/Temperature"));
      assert.equal(res.status, 404, res.text);
      assert.equal((res.body as { kind: string }).kind, ErrorKind.EntityDoesNotExist);
      assert.equal((await httpJson("PUT", api("/device/name/No-Such-Device/Configure"), { Mode: "x" })).status, 404);
    });

    it("answers 404 COMMAND_NOT_FOUND for an unknown or hidden command", async () => {
      assertError(await httpJson("GET", api("/device/name/Sensor-1/Humidity")), 404, CoreCommandErrorCode.CommandNotFound);
      assertError(await httpJson("PUT", api("/device/name/Sensor-1/Humidity"), { Humidity: "1" }), 404, CoreCommandErrorCode.CommandNotFound);
      assertError(await httpJson("GET", api("/device/name/Sensor-1/Secret")), 404, CoreCommandErrorCode.CommandNotFound);
    });

    it("answers 405 when the command does not allow the method", async () => {
      assertError(await httpJson("GET", api("/device/name/Sensor-1/Mode")), 405, CoreCommandErrorCode.CommandNotReadable);
      assertError(await httpJson("PUT", api("/device/name/Sensor-1/Temperature"), { Temperature: "1" }), 405, CoreCommandErrorCode.CommandNotWritable);
    });

    it("answers 423 LOCKED for a locked device", async () => {
      assertError(await httpJson("GET", api("/device/name/Locked-1/Temperature")), 423, ErrorCode.Locked);
      assertError(await httpJson("PUT", api("/device/name/Locked-1/Configure"), { SetPoint: "1", Mode: "m" }), 423, ErrorCode.Locked);
    });

    it("follows a lock set through core-metadata after the device was cached", async () => {
      assert.equal((await httpJson("GET", api("/device/name/Sensor-2/Temperature"))).status, 200);
      const patch = async (adminState: string) => {
        const res = await httpJson("PATCH", metadataApi("/device"), [{ apiVersion: API_VERSION, device: { name: "Sensor-2", adminState } }]);
        assert.equal(res.status, 207, res.text);
        assert.equal((res.body as { statusCode: number }[])[0]!.statusCode, 200, res.text);
      };
      await patch("LOCKED");
      await waitFor(async () => (await httpJson("GET", api("/device/name/Sensor-2/Temperature"))).status === 423, { timeoutMs: 5000, intervalMs: 20, message: "lock not seen" });
      await patch("UNLOCKED");
      await waitFor(async () => (await httpJson("GET", api("/device/name/Sensor-2/Temperature"))).status === 200, { timeoutMs: 5000, intervalMs: 20, message: "unlock not seen" });
    });

    it("answers 503 TIMEOUT when the device service does not answer in time, and stays healthy", async () => {
      assertError(await httpJson("GET", api("/device/name/Slow-1/Temperature")), 503, ErrorCode.Timeout);
      assertError(await httpJson("PUT", api("/device/name/Slow-1/Configure"), { SetPoint: "1", Mode: "m" }), 503, ErrorCode.Timeout);
      const ok = await readTemperature();
      assert.equal(ok.status, 200, ok.text);
    });

    it("answers 503 NO_RESPONDERS when no device service serves the device, and stays healthy", async () => {
      assertError(await httpJson("GET", api("/device/name/Absent-1/Temperature")), 503, ErrorCode.NoResponders);
      const ok = await readTemperature();
      assert.equal(ok.status, 200, ok.text);
    });

    it("passes the device service's own error through with its status, kind and code", async () => {
      const res = await httpJson("PUT", api("/device/name/Sensor-1/Configure"), { SetPoint: "bad", Mode: "auto" });
      assertError(res, 400, "TEST_VALUE_INVALID");
      const body = res.body as { kind: string; details: Record<string, unknown> };
      assert.equal(body.kind, ErrorKind.ContractInvalid);
      assert.deepEqual(body.details, { resourceName: "SetPoint" });
      assert.equal((await readTemperature()).status, 200);
    });

    it("lists a device's core commands (GET /device/name/{name})", async () => {
      const res = await httpJson("GET", api("/device/name/Sensor-1"));
      assert.equal(res.status, 200, res.text);
      const body = res.body as { statusCode: number; deviceCoreCommand: { deviceName: string; profileName: string; coreCommands: CoreCommand[] } };
      assert.equal(body.statusCode, 200);
      assert.equal(body.deviceCoreCommand.deviceName, "Sensor-1");
      assert.equal(body.deviceCoreCommand.profileName, PROFILE.name);
      const byName = new Map(body.deviceCoreCommand.coreCommands.map((c) => [c.name, c]));
      assert.deepEqual([...byName.keys()], ["Configure", "Temperature", "SetPoint", "Mode"]);
      assert.deepEqual(byName.get("Configure"), {
        name: "Configure",
        get: false,
        set: true,
        path: "/api/v3/device/name/Sensor-1/Configure",
        url: command!.url,
        parameters: [
          { resourceName: "SetPoint", valueType: "Int32" },
          { resourceName: "Mode", valueType: "String" },
        ],
      });
      assert.deepEqual([byName.get("SetPoint")!.get, byName.get("SetPoint")!.set], [true, true]);
      assertError(await httpJson("GET", api("/device/name/No-Such-Device")), 404, ErrorCode.NotFound);
    });

    it("lists every device's core commands with paging (GET /device/all)", async () => {
      const all = await httpJson("GET", api("/device/all?limit=-1"));
      assert.equal(all.status, 200, all.text);
      const body = all.body as { totalCount: number; deviceCoreCommands: { deviceName: string; coreCommands: CoreCommand[] }[] };
      assert.equal(body.totalCount, DEVICES.length);
      assert.deepEqual(body.deviceCoreCommands.map((d) => d.deviceName).sort(), DEVICES.map((d) => d.name).sort());
      for (const d of body.deviceCoreCommands) assert.equal(d.coreCommands.length, 4);

      const page = await httpJson("GET", api("/device/all?offset=1&limit=2"));
      assert.equal(page.status, 200, page.text);
      const pageBody = page.body as { totalCount: number; deviceCoreCommands: unknown[] };
      assert.equal(pageBody.totalCount, DEVICES.length);
      assert.equal(pageBody.deviceCoreCommands.length, 2);
      assertError(await httpJson("GET", api("/device/all?limit=x")), 400, ErrorCode.RequestInvalid);
    });
  });
}
