import { strict as assert } from "node:assert";
import { ServiceError, commandRequestSubject, type CommandReplyPayload, type ProvisionWatcher } from "@brink/contracts";
import { FakeDriver, fakeDevice, FAKE_PROFILE_NAME } from "@brink/device-sdk/testing";
import type { ProtocolDriver } from "@brink/device-sdk";
import { httpJson, waitFor } from "../../../../test/harness/index.js";
import { startStack, type Stack } from "./stack.js";

describe("device service: bus commands and discovery", function () {
  this.timeout(20_000);
  const driver = new FakeDriver();
  let stack: Stack;

  before(async () => {
    stack = await startStack({ driver, serviceName: "device-fake-bus", seedDevices: [{ ...fakeDevice("b1", "device-fake-bus") }] });
  });

  after(async () => {
    await stack?.close();
  });

  it("answers GET command requests on the bus with the event", async () => {
    driver.set("b1", "counter", 7);
    const reply = await stack.bus.request<Record<string, unknown>, CommandReplyPayload>(commandRequestSubject(stack.serviceName, "b1", "counter", "get"), {});
    assert.equal(reply.event?.deviceName, "b1");
    const r = reply.event?.readings[0];
    assert.equal(r !== undefined && "value" in r ? r.value : undefined, "7");
  });

  it("honours ds-returnevent=false in the envelope's queryParams", async () => {
    const reply = await stack.bus.request<Record<string, unknown>, CommandReplyPayload>(commandRequestSubject(stack.serviceName, "b1", "counter", "get"), {}, {
      queryParams: { "ds-returnevent": "false" },
    });
    assert.equal(reply.event, undefined);
  });

  it("writes SET command requests through the same checks", async () => {
    await stack.bus.request(commandRequestSubject(stack.serviceName, "b1", "operatingMode", "set"), { mode: "COOL" });
    assert.equal(driver.get("b1", "mode"), 2);
    await assert.rejects(
      stack.bus.request(commandRequestSubject(stack.serviceName, "b1", "setpoint", "set"), { setpoint: "hot" }),
      (err: unknown) => err instanceof ServiceError && err.code === "VALUE_INVALID" && err.kind === "ContractInvalid",
    );
    await assert.rejects(
      stack.bus.request(commandRequestSubject(stack.serviceName, "nobody", "counter", "get"), {}),
      (err: unknown) => err instanceof ServiceError && err.code === "DEVICE_NOT_FOUND" && err.kind === "NotFound",
    );
  });

  it("discovers devices and adds only those a provision watcher accepts and does not block", async () => {
    const watcher: ProvisionWatcher = {
      name: "fake-watcher",
      serviceName: stack.serviceName,
      identifiers: { address: "10\\.1\\.0\\.[0-9]+" },
      blockingIdentifiers: { address: ["10.1.0.9"] },
      adminState: "UNLOCKED",
      discoveredDevice: { profileName: FAKE_PROFILE_NAME, adminState: "UNLOCKED", autoEvents: [{ interval: "1s", sourceName: "counter" }] },
    };
    await stack.addProvisionWatcher(watcher);
    driver.discovered = [
      { name: "found-1", protocols: { fake: { address: "10.1.0.1" } } },
      { name: "found-2", protocols: { fake: { address: "10.1.0.2" } }, labels: ["found"] },
      { name: "blocked", protocols: { fake: { address: "10.1.0.9" } } },
      { name: "elsewhere", protocols: { fake: { address: "192.168.0.1" } } },
      { name: "partial", protocols: { fake: { address: "110.1.0.1" } } },
      { name: "b1", protocols: { fake: { address: "10.1.0.5" } } },
    ];
    const res = await httpJson<{ statusCode: number; requestId: string }>("POST", `${stack.service.url}/api/v3/discovery`, {});
    assert.equal(res.status, 202);
    assert.equal(res.body.statusCode, 202);
    assert.ok(res.body.requestId);
    await waitFor(() => driver.added.includes("found-1") && driver.added.includes("found-2"), { message: "discovered devices added" });
    const names = (await stack.client.getDevicesByService(stack.serviceName)).map((d) => d.name).sort();
    assert.deepEqual(names, ["b1", "found-1", "found-2"]);
    const found = await stack.client.getDevice("found-2");
    assert.equal(found.profileName, FAKE_PROFILE_NAME);
    assert.deepEqual(found.autoEvents?.map((a) => a.sourceName), ["counter"]);
    assert.deepEqual(found.labels, ["found"]);
    const read = await httpJson("GET", stack.commandUrl("found-1", "counter"));
    assert.equal(read.status, 200);
  });

  it("answers 501 to discovery when the driver cannot discover", async () => {
    const plain: ProtocolDriver = {
      initialize: () => undefined,
      start: async () => undefined,
      stop: async () => undefined,
      read: async () => [],
      write: async () => undefined,
      validateDevice: () => undefined,
      onDeviceAdded: () => undefined,
      onDeviceUpdated: () => undefined,
      onDeviceRemoved: () => undefined,
    };
    const other = await startStack({ driver: plain, serviceName: "device-plain" });
    try {
      const res = await httpJson<{ code: string }>("POST", `${other.service.url}/api/v3/discovery`, {});
      assert.equal(res.status, 501);
      assert.equal(res.body.code, "DISCOVERY_NOT_SUPPORTED");
    } finally {
      await other.close();
    }
  });
});
