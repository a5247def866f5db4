import { strict as assert } from "node:assert";
import { addressOf, monitoringOf, nodeIdProblem } from "../src/attributes.js";
import { OpcuaErrorCode } from "../src/errors.js";

const request = (attributes: Record<string, unknown>) => ({ resourceName: "r", attributes });
const defaults = { samplingIntervalMs: 1000, queueSize: 1, deadbandType: "None", deadbandValue: 0 } as const;

describe("nodeIdProblem", () => {
  const good = ["ns=3;i=1001", "i=2258", "ns=2;s=Tank.Level", "ns=2;s=a;b=c", "ns=2;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63", "ns=2;b=YnJpbmstb3BhcXVl"];
  for (const id of good) it(`accepts ${id}`, () => assert.equal(nodeIdProblem(id), undefined));
  const bad = ["", "1001", "ns=x;i=1", "ns=3;i=abc", "ns=3;i=4294967296", "ns=2;s=", "ns=2;g=not-a-guid", "ns=2;b=***", "ns=70000;i=1", "nsu=urn:x;i=1"];
  for (const id of bad) it(`refuses ${JSON.stringify(id)}`, () => assert.equal(typeof nodeIdProblem(id), "string"));
});

describe("addressOf", () => {
  it("reads a variable's nodeId", () => {
    assert.deepEqual(addressOf(request({ nodeId: " ns=3;i=1001 " })), { kind: "variable", nodeId: "ns=3;i=1001" });
  });

  it("reads EdgeX v2's namespace and symbol", () => {
    assert.deepEqual(addressOf(request({ namespace: "2", symbol: "Tank.Level" })), { kind: "variable", nodeId: "ns=2;s=Tank.Level" });
  });

  it("reads a method's objectId, methodId and inputMap", () => {
    assert.deepEqual(addressOf(request({ objectId: "ns=2;s=Methods", methodId: "ns=2;s=Methods.Multiply", inputMap: ["6", 7] })), {
      kind: "method",
      objectId: "ns=2;s=Methods",
      methodId: "ns=2;s=Methods.Multiply",
      inputs: ["6", 7],
    });
  });

  it("refuses a bad nodeId with OPCUA_NODEID_INVALID", () => {
    assert.throws(() => addressOf(request({ nodeId: "ns=2;x=1" })), (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.NodeIdInvalid);
  });

  it("refuses attributes naming no node, or half a method, with OPCUA_ATTRIBUTE_INVALID", () => {
    for (const attrs of [{}, { methodId: "ns=2;s=M" }, { objectId: "ns=2;s=O", methodId: "ns=2;s=M", inputMap: "6" }]) {
      assert.throws(() => addressOf(request(attrs)), (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.AttributeInvalid, JSON.stringify(attrs));
    }
  });
});

describe("monitoringOf", () => {
  it("lets a resource's attributes override the device's defaults", () => {
    assert.deepEqual(monitoringOf(request({ nodeId: "i=1", samplingInterval: "250", deadbandType: "Absolute", deadbandValue: 0.5 }), defaults), {
      samplingIntervalMs: 250,
      queueSize: 1,
      deadbandType: "Absolute",
      deadbandValue: 0.5,
    });
    assert.deepEqual(monitoringOf(request({ nodeId: "i=1" }), defaults), defaults);
  });

  it("refuses a bad queue size with OPCUA_ATTRIBUTE_INVALID", () => {
    assert.throws(() => monitoringOf(request({ queueSize: "many" }), defaults), (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.AttributeInvalid);
  });
});
