/** Profile scan (browsing the address space into an EdgeX profile) and server discovery, against a real server. */
import { strict as assert } from "node:assert";
import { parseProfile, validateProfile } from "@brink/contracts";
import { startOpcuaServer, type OpcuaServer } from "../../../test/harness/index.js";
import { profileToYaml } from "../src/browse.js";
import { OpcuaDriver } from "../src/driver.js";
import { RecordingSdk, opcuaDevice, testProfile } from "./fixtures.js";

describe("OpcuaDriver profile scan and discovery", function () {
  this.timeout(30_000);
  let server: OpcuaServer;
  let sdk: RecordingSdk;
  let driver: OpcuaDriver;
  let device: ReturnType<typeof opcuaDevice>;

  before(async () => {
    server = await startOpcuaServer({ tickMs: 0 });
    device = opcuaDevice("browsed", server.endpoint);
    sdk = new RecordingSdk([device], [testProfile()], { discoveryUrls: [server.endpoint, "opc.tcp://127.0.0.1:1/nobody"] });
    driver = new OpcuaDriver();
    driver.initialize(sdk);
    await driver.start();
  });

  after(async () => {
    await driver?.stop({ force: false });
    await server?.stop();
    sdk?.cleanup();
  });

  it("makes a valid EdgeX profile of the variables under a node: types, access levels and node ids", async () => {
    const profile = await driver.scanProfile(device, { profileName: "Scanned", options: { startNodeId: "ns=2;s=Brink" } });
    validateProfile(profile);
    const byName = new Map(profile.deviceResources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get("Scalars_Int32")?.properties, { valueType: "Int32", readWrite: "RW" });
    assert.deepEqual(byName.get("Scalars_Int32")?.attributes, { nodeId: "ns=2;s=Scalars.Int32" });
    assert.deepEqual(byName.get("Arrays_UInt64")?.properties, { valueType: "Uint64Array", readWrite: "RW" });
    assert.deepEqual(byName.get("Special_ReadOnlyInt32")?.properties, { valueType: "Int32", readWrite: "R" });
    assert.deepEqual(byName.get("Scalars_ByteString")?.properties, { valueType: "Binary", readWrite: "R" });
    assert.equal(byName.get("Scalars_DateTime")?.properties.valueType, "String");
    assert.equal(byName.get("Special_GuidNode")?.attributes?.nodeId, "ns=2;g=5C2A4D10-8B1E-4F6A-9C3D-2E7F1A0B9C88");
    assert.ok(!profile.deviceResources.some((r) => String(r.attributes?.nodeId).startsWith("i=")), "no standard nodes");
    assert.ok(!profile.deviceResources.some((r) => r.name.includes("InputArguments")), "no method properties");
  });

  it("writes the profile as EdgeX YAML that parses back to the same profile, and reads through it", async () => {
    const profile = await driver.scanProfile(device, { profileName: "Scanned-Yaml", options: { startNodeId: "ns=2;s=Scalars" } });
    const yaml = profileToYaml(profile);
    assert.match(yaml, /^name: Scanned-Yaml$/m);
    const back = parseProfile(yaml);
    assert.deepEqual(back.deviceResources, validateProfile(profile).deviceResources);
    const scannedDevice = { ...device, name: "scanned", profileName: back.name };
    const resource = back.deviceResources.find((r) => r.name === "Double")!;
    const [value] = await driver.read(scannedDevice, [{ resourceName: resource.name, attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource }]);
    assert.equal(value!.value, -2.25e100);
  });

  it("browses from the Objects folder by default and reaches the EdgeX simulation nodes", async () => {
    const profile = await driver.scanProfile(device, { profileName: "Everything" });
    const nodeIds = profile.deviceResources.map((r) => r.attributes?.nodeId);
    assert.ok(nodeIds.includes("ns=3;i=1001"), "Constant");
    assert.ok(nodeIds.includes("ns=2;s=Methods.Multiply") === false, "methods are not resources");
  });

  it("discovers the server through the discovery URLs, skipping those that do not answer", async () => {
    const progress: number[] = [];
    const found = await driver.discover({ onProgress: (p) => progress.push(p) });
    assert.equal(found.length, 1);
    const [server0] = found;
    assert.equal(server0!.name, "Brink-OPC-UA-test-server");
    assert.deepEqual(server0!.protocols, { opcua: { Endpoint: server.endpoint, SecurityPolicy: "None", SecurityMode: "None" } });
    assert.equal(server0!.properties?.ApplicationUri, "urn:brink:test-server");
    assert.equal(progress.at(-1), 100);
  });
});
