import { strict as assert } from "node:assert";
import { ServiceError, commandRequestSubject, discoveryEventSubject, type CommandReplyPayload, type ProvisionWatcher, type SystemEvent } from "@brink/contracts";
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
    const progress: SystemEvent[] = [];
    const sub = stack.bus.subscribe(discoveryEventSubject(stack.serviceName), (m) => void progress.push(m.envelope.payload));
    const res = await httpJson<{ statusCode: number; requestId: string }>("POST", `${stack.service.url}/api/v3/discovery`, {});
    assert.equal(res.status, 202);
    assert.equal(res.body.statusCode, 202);
    assert.ok(res.body.requestId);
    await waitFor(() => driver.added.includes("found-1") && driver.added.includes("found-2"), { message: "discovered devices added" });
    // EdgeX discovery system events: 0 at the start, the driver's own progress, 100 with the count found.
    await waitFor(() => progress.length === 3, { message: "three discovery progress events" });
    sub.unsubscribe();
    assert.deepEqual(
      progress.map((e) => [e.type, e.action, e.source, e.owner, e.details]),
      [0, 50, 100].map((p) => [
        "device",
        "discovery",
        stack.serviceName,
        stack.serviceName,
        { requestId: res.body.requestId, progress: p, message: p === 50 ? "scanning" : "", discoveredDeviceCount: p === 100 ? 6 : 0 },
      ]),
    );
    const names = (await stack.client.getDevicesByService(stack.serviceName)).map((d) => d.name).sort();
    assert.deepEqual(names, ["b1", "found-1", "found-2"]);
    const found = await stack.client.getDevice("found-2");
    assert.equal(found.profileName, FAKE_PROFILE_NAME);
    assert.deepEqual(found.autoEvents?.map((a) => a.sourceName), ["counter"]);
    assert.deepEqual(found.labels, ["found"]);
    const read = await httpJson("GET", stack.commandUrl("found-1", "counter"));
    assert.equal(read.status, 200);
  });

  it("cancels a running discovery: the driver is told, nothing is added, progress ends at -1", async () => {
    driver.discovered = [{ name: "late-1", protocols: { fake: { address: "10.1.0.7" } } }];
    driver.holdDiscovery = true;
    driver.discoveryAborted = false;
    const progress: SystemEvent[] = [];
    const sub = stack.bus.subscribe(discoveryEventSubject(stack.serviceName), (m) => void progress.push(m.envelope.payload));
    try {
      const idle = await httpJson<{ statusCode: number; message: string }>("DELETE", `${stack.service.url}/api/v3/discovery`);
      assert.equal(idle.status, 200);
      assert.equal(idle.body.message, "no discovery is running");

      const started = await httpJson<{ requestId: string }>("POST", `${stack.service.url}/api/v3/discovery`, { requestId: "6d4e3a0c-1b2f-4c5d-8e9f-0a1b2c3d4e5f" });
      assert.equal(started.status, 202);
      assert.equal(started.body.requestId, "6d4e3a0c-1b2f-4c5d-8e9f-0a1b2c3d4e5f");
      await waitFor(() => progress.some((e) => (e.details as { progress: number }).progress === 50), { message: "the scan runs" });

      const again = await httpJson<{ code: string }>("POST", `${stack.service.url}/api/v3/discovery`, {});
      assert.equal(again.status, 503);
      assert.equal(again.body.code, "DISCOVERY_RUNNING");
      const wrong = await httpJson<{ code: string }>("DELETE", `${stack.service.url}/api/v3/discovery/requestId/00000000-0000-4000-8000-000000000000`);
      assert.equal(wrong.status, 404);
      assert.equal(wrong.body.code, "DISCOVERY_NOT_FOUND");

      const stop = await httpJson<{ statusCode: number }>("DELETE", `${stack.service.url}/api/v3/discovery/requestId/${started.body.requestId}`);
      assert.equal(stop.status, 200);
      await waitFor(() => progress.some((e) => (e.details as { progress: number }).progress === -1), { message: "progress -1" });
      const last = progress[progress.length - 1]!.details as { progress: number; message: string; requestId: string };
      assert.deepEqual([last.progress, last.message, last.requestId], [-1, "discovery cancelled", started.body.requestId]);
      assert.equal(driver.discoveryAborted, true, "the driver saw the abort signal");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(driver.added.includes("late-1"), false, "a cancelled run adds nothing");

      // The service is free for the next run, which completes.
      driver.holdDiscovery = false;
      const next = await httpJson("POST", `${stack.service.url}/api/v3/discovery`, {});
      assert.equal(next.status, 202);
      await waitFor(() => driver.added.includes("late-1"), { message: "the next run adds the device" });
      assert.equal(progress.filter((e) => (e.details as { progress: number }).progress === 100).length, 1);
    } finally {
      sub.unsubscribe();
      driver.holdDiscovery = false;
    }
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
      const stop = await httpJson<{ code: string }>("DELETE", `${other.service.url}/api/v3/discovery`);
      assert.equal(stop.status, 501);
      assert.equal(stop.body.code, "DISCOVERY_NOT_SUPPORTED");
    } finally {
      await other.close();
    }
  });
});
