/** OpcuaDriver against a real node-opcua server: reads, writes, methods, status codes, and the EdgeX profile. */
import { strict as assert } from "node:assert";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { startOpcuaServer, type OpcuaServer } from "../../../test/harness/index.js";
import { OpcuaDriver } from "../src/driver.js";
import { OpcuaErrorCode } from "../src/errors.js";
import { QUALITY_TAG, STATUS_TAG } from "../src/status.js";
import { EDGEX_PROFILE, RecordingSdk, edgexProfile, opcuaDevice, requestOf, testProfile, valueOf } from "./fixtures.js";

const isCode = (code: string) => (err: unknown) => err instanceof ServiceError && err.code === code;

describe("OpcuaDriver with a node-opcua server", function () {
  this.timeout(30_000);
  let server: OpcuaServer;
  let sdk: RecordingSdk;
  let driver: OpcuaDriver;
  const profile = testProfile();
  const edgex = edgexProfile();
  const req = (name: string) => requestOf(profile, name);
  let device: ReturnType<typeof opcuaDevice>;

  before(async () => {
    server = await startOpcuaServer();
    device = opcuaDevice("test-server", server.endpoint);
    const simulation = opcuaDevice("SimulationServer", server.endpoint, {}, EDGEX_PROFILE);
    sdk = new RecordingSdk([device, simulation], [profile, edgex]);
    driver = new OpcuaDriver();
    driver.initialize(sdk);
    await driver.start();
  });

  after(async () => {
    await driver?.stop({ force: false });
    await server?.stop();
    sdk?.cleanup();
  });

  it("reads every scalar type of a command in a single Read service call", async () => {
    const command = profile.deviceCommands!.find((c) => c.name === "AllScalars")!;
    const requests = command.resourceOperations.map((op) => req(op.deviceResource));
    await driver.read(device, requests);
    await server.resetStats();
    const values = await driver.read(device, requests);
    assert.equal((await server.stats()).requests.ReadRequest, 1);
    assert.deepEqual(
      Object.fromEntries(values.map((v) => [v.resourceName, v.value])),
      {
        Boolean: true, SByte: -5, Byte: 200, Int16: -1234, UInt16: 54_321, Int32: -123_456, UInt32: 4_000_000_000,
        Int64: -9_007_199_254_740_993n, UInt64: 18_446_744_073_709_551_615n, Float: 1.5, Double: -2.25e100, String: "hello",
      },
    );
  });

  it("reads arrays of every numeric type, Boolean and String", async () => {
    const names = ["BooleanArray", "SByteArray", "ByteArray", "Int16Array", "UInt16Array", "Int32Array", "UInt32Array", "Int64Array", "UInt64Array", "FloatArray", "DoubleArray", "StringArray"];
    const values = await driver.read(device, names.map(req));
    assert.deepEqual(values.map((v) => v.value), [
      [true, false, true], [-128, 0, 127], [0, 128, 255], [-32_768, 0, 32_767], [0, 65_535], [-2_147_483_648, 0, 2_147_483_647], [0, 4_294_967_295],
      [-1n, 9_223_372_036_854_775_807n], [0n, 18_446_744_073_709_551_615n], [1.5, -0.25], [1e-300, -2.5, 0], ["a", "b", "c"],
    ]);
  });

  it("reads DateTime, ByteString, Guid and LocalizedText as the resource's EdgeX type", async () => {
    const values = await driver.read(device, ["DateTime", "DateTimeNanos", "ByteString", "Guid", "LocalizedText"].map(req));
    assert.deepEqual(values.map((v) => v.value), ["2024-01-02T03:04:05.678Z", 1_704_164_645_678_000_000n, new Uint8Array([0, 1, 2, 254, 255]), "72962B91-FA75-4AE6-8D28-B404DC7DAF63", "Grüße"]);
  });

  it("addresses nodes by GUID and opaque node ids", async () => {
    const values = await driver.read(device, [req("GuidNode"), req("OpaqueNode")]);
    assert.deepEqual(values.map((v) => v.value), [11, 22]);
  });

  it("tags an Uncertain value with its quality and fails a Bad one with its status", async () => {
    const [uncertain] = await driver.read(device, [req("Uncertain")]);
    assert.equal(uncertain!.value, 7.5);
    assert.deepEqual(uncertain!.tags, { [QUALITY_TAG]: "Uncertain", [STATUS_TAG]: "UncertainInitialValue" });
    await assert.rejects(driver.read(device, [req("Int32"), req("BadSensor")]), (err: unknown) => {
      return isCode(OpcuaErrorCode.BadStatus)(err) && (err as ServiceError).kind === ErrorKind.Server && (err as ServiceError).details?.statusCode === "BadSensorFailure";
    });
  });

  it("refuses a malformed nodeId before asking the server, and an unknown node with OPCUA_NODE_NOT_FOUND", async () => {
    const malformed = { ...req("Int32"), attributes: { nodeId: "ns=2;q=Nope" } };
    await assert.rejects(driver.read(device, [malformed]), (err: unknown) => isCode(OpcuaErrorCode.NodeIdInvalid)(err) && (err as ServiceError).kind === ErrorKind.ContractInvalid);
    const unknown = { ...req("Int32"), attributes: { nodeId: "ns=2;s=Does.Not.Exist" } };
    await assert.rejects(driver.read(device, [unknown]), (err: unknown) => isCode(OpcuaErrorCode.NodeNotFound)(err) && (err as ServiceError).kind === ErrorKind.EntityDoesNotExist);
    await assert.rejects(driver.write(device, [unknown], [valueOf(unknown, 1)]), isCode(OpcuaErrorCode.NodeNotFound));
  });

  it("writes in the node's real DataType and reads the values back", async () => {
    const names = ["Float", "Byte", "Int64", "UInt64", "String", "Int32Array", "FloatArray", "DateTime"];
    const written = [2.5, 7, -5n, 18_446_744_073_709_551_000n, "written", [1, 2, 3], [0.5, -1], "2025-06-07T08:09:10.000Z"];
    await driver.write(device, names.map(req), names.map((n, i) => valueOf(req(n), written[i] as never)));
    const values = await driver.read(device, names.map(req));
    assert.deepEqual(values.map((v) => v.value), written);
  });

  it("writes a Float64 resource to an Int16 node as an Int16", async () => {
    const asFloat = { ...req("Int16"), valueType: "Float64" as const };
    await driver.write(device, [asFloat], [valueOf(asFloat, 321)]);
    const [back] = await driver.read(device, [req("Int16")]);
    assert.equal(back!.value, 321);
  });

  it("refuses a value of the wrong type with OPCUA_TYPE_MISMATCH and writes nothing of the command", async () => {
    await driver.write(device, [req("Int32")], [valueOf(req("Int32"), 1111)]);
    const asString = { ...req("Int32"), valueType: "String" as const };
    const fraction = { ...req("UInt16"), valueType: "Float64" as const };
    for (const [request, value] of [[asString, "abc"], [fraction, 3.7]] as const) {
      await assert.rejects(driver.write(device, [req("Int32"), request], [valueOf(req("Int32"), 2222), valueOf(request, value)]), (err: unknown) => {
        return isCode(OpcuaErrorCode.TypeMismatch)(err) && (err as ServiceError).kind === ErrorKind.ContractInvalid;
      });
    }
    const [back] = await driver.read(device, [req("Int32")]);
    assert.equal(back!.value, 1111);
  });

  it("refuses a write to a read-only node with OPCUA_ACCESS_DENIED", async () => {
    await assert.rejects(driver.write(device, [req("ReadOnlyInt32")], [valueOf(req("ReadOnlyInt32"), 1)]), (err: unknown) => {
      return isCode(OpcuaErrorCode.AccessDenied)(err) && (err as ServiceError).details?.statusCode === "BadNotWritable";
    });
  });

  it("calls methods: a read with the inputMap, a write with the value", async () => {
    const [product] = await driver.read(device, [req("Multiply")]);
    assert.equal(product!.value, 42);
    const [before] = await driver.read(device, [req("Reset")]);
    await driver.write(device, [req("Reset")], [valueOf(req("Reset"), 0)]);
    const [after] = await driver.read(device, [req("Reset")]);
    assert.equal(after!.value, (before!.value as number) + 2);
  });

  it("refuses method inputs that do not fit the arguments with OPCUA_TYPE_MISMATCH", async () => {
    const wrongCount = { ...req("Multiply"), attributes: { ...req("Multiply").attributes, inputMap: ["6"] } };
    await assert.rejects(driver.read(device, [wrongCount]), isCode(OpcuaErrorCode.TypeMismatch));
    const wrongType = { ...req("Multiply"), attributes: { ...req("Multiply").attributes, inputMap: ["six", "7"] } };
    await assert.rejects(driver.read(device, [wrongType]), isCode(OpcuaErrorCode.TypeMismatch));
  });

  it("serves EdgeX's OPCUA-Server reference profile unchanged", async () => {
    const simulation = sdk.device("SimulationServer")!;
    const r = (name: string) => requestOf(edgex, name);
    await driver.write(simulation, [r("Constant")], [valueOf(r("Constant"), 12.75)]);
    const values = await driver.read(simulation, [r("Constant"), r("Counter"), r("Random")]);
    assert.equal(values[0]!.value, 12.75);
    assert.ok(Number.isInteger(values[1]!.value) && (values[1]!.value as number) > 0, `Counter ${String(values[1]!.value)}`);
    assert.equal(typeof values[2]!.value, "number");
  });

  it("reports the device UP once connected", () => {
    assert.equal(sdk.stateOf("test-server"), "UP");
    assert.equal(driver.status("test-server")?.state, "up");
  });
});
