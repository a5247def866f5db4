/**
 * device-opcua as users run it embedded: core-metadata, device-opcua and core-command in one process on the
 * in-process bus, an OPC UA server, devices from a device list, driven over real HTTP.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ANY, eventSubject, type AddEventRequest, type Event, type Reading } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreCommandService } from "@brink/core-command";
import { httpJson, startOpcuaServer, waitFor, type OpcuaServer } from "../../../test/harness/index.js";
import { deviceOpcuaService } from "../src/index.js";

describe("device-opcua with core-metadata and core-command (embedded)", function () {
  this.timeout(40_000);
  const bus = new InProcessBus();
  const running: RunningService[] = [];
  const events: AddEventRequest[] = [];
  let server: OpcuaServer;
  let dataDir: string | undefined;
  let metadataUrl: string;
  let opcuaUrl: string;
  let command: (path: string) => string;

  before(async () => {
    server = await startOpcuaServer({ tickMs: 100 });
    await bus.connect();
    bus.subscribe(eventSubject("device-opcua", ANY, ANY, ANY), (msg) => void events.push(msg.envelope.payload));
    dataDir = mkdtempSync(join(tmpdir(), "brink-device-opcua-"));
    const devicesDir = join(dataDir, "devices");
    mkdirSync(devicesDir);
    writeFileSync(
      join(devicesDir, "devices.yaml"),
      [
        "deviceList:",
        "  - name: SimulationServer",
        "    profileName: OPCUA-Server",
        "    protocols:",
        "      opcua:",
        `        Endpoint: "${server.endpoint}"`,
        "        Resources: Counter",
        "        PublishingInterval: '100'",
        "        SamplingInterval: '100'",
        "  - name: lab",
        "    profileName: Brink-OPCUA-TestServer",
        "    protocols:",
        "      opcua:",
        `        Endpoint: "${server.endpoint}"`,
        "",
      ].join("\n"),
    );
    const start = async (def: Parameters<typeof startService>[0], overrides: Record<string, unknown> = {}) => {
      const s = await startService(def, { bus, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, dataDir, ...overrides } });
      running.push(s);
      return s;
    };
    const metadata = await start(coreMetadataService);
    metadataUrl = metadata.url;
    const clients = { coreMetadataUrl: metadata.url };
    const opcua = await start(deviceOpcuaService, { clients, device: { devicesDir }, driver: { reconnectMinDelayMs: 100, reconnectMaxDelayMs: 500 } });
    opcuaUrl = opcua.url;
    const core = await start(coreCommandService, { clients });
    command = (path) => `${core.url}/api/v3${path}`;
  });

  after(async () => {
    for (const s of running.reverse()) await s.stop();
    await bus.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function read(device: string, source: string): Promise<Reading[]> {
    const res = await httpJson("GET", command(`/device/name/${device}/${source}`));
    assert.equal(res.status, 200, res.text);
    return (res.body as { event: Event }).event.readings;
  }

  it("serves EdgeX's OPCUA-Server profile through core-command: read and write", async () => {
    const put = await httpJson("PUT", command("/device/name/SimulationServer/ConstantNum"), { Constant: "4.5" });
    assert.equal(put.status, 200, put.text);
    const [constant] = await read("SimulationServer", "ConstantNum");
    assert.equal(constant!.valueType, "Float64");
    assert.equal(Number.parseFloat((constant as { value: string }).value), 4.5);
    const [counter] = await read("SimulationServer", "CounterNum");
    assert.equal(counter!.valueType, "Int32");
  });

  it("publishes subscription notifications as events on the bus", async () => {
    await waitFor(() => events.filter((e) => e.event.deviceName === "SimulationServer" && e.event.sourceName === "Counter").length >= 5, {
      timeoutMs: 10_000,
      message: "5 Counter events",
    });
    const counter = events.find((e) => e.event.sourceName === "Counter")!.event;
    assert.equal(counter.profileName, "OPCUA-Server");
    assert.equal(counter.readings[0]!.resourceName, "Counter");
  });

  it("answers a Bad status with 500 OPCUA_BAD_STATUS and a type that does not fit the node with 400 OPCUA_TYPE_MISMATCH", async () => {
    const bad = await httpJson("GET", command("/device/name/lab/BadSensor"));
    assert.equal(bad.status, 500, bad.text);
    assert.match(bad.text, /OPCUA_BAD_STATUS/);
    const wrong = await httpJson("PUT", command("/device/name/lab/DateTime"), { DateTime: "not a date" });
    assert.equal(wrong.status, 400, wrong.text);
    assert.match(wrong.text, /OPCUA_TYPE_MISMATCH/);
  });

  it("tags an Uncertain reading with its quality", async () => {
    const [reading] = await read("lab", "Uncertain");
    assert.deepEqual(reading!.tags, { opcuaQuality: "Uncertain", opcuaStatus: "UncertainInitialValue" });
  });

  it("scans a profile into core-metadata (POST /api/v3/profilescan)", async () => {
    const res = await httpJson("POST", `${opcuaUrl}/api/v3/profilescan`, { deviceName: "lab", profileName: "lab-scanned", options: { startNodeId: "ns=2;s=Arrays" } });
    assert.equal(res.status, 202, res.text);
    await waitFor(async () => (await httpJson("GET", `${metadataUrl}/api/v3/deviceprofile/name/lab-scanned`)).status === 200, { timeoutMs: 15_000, message: "scanned profile stored" });
    const profile = (await httpJson("GET", `${metadataUrl}/api/v3/deviceprofile/name/lab-scanned`)).body as { profile: { deviceResources: { name: string }[] } };
    assert.ok(profile.profile.deviceResources.some((r) => r.name === "Double"), JSON.stringify(profile.profile.deviceResources.map((r) => r.name)));
  });
});
