import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_EVENTS, ANY, ServiceError, deviceServiceEventSubject, eventSubject, type AddEventRequest, type Device, type Event, type EventResponse, type SystemEvent } from "@brink/contracts";
import { FakeDriver, fakeDevice, fakeThermostatProfile } from "@brink/device-sdk/testing";
import { InProcessBus } from "@brink/bus";
import { createDeviceService } from "@brink/device-sdk";
import { createLogger, startService } from "@brink/service-kit";
import { freePort, httpJson, waitFor } from "../../../../test/harness/index.js";
import { startStack, type Stack } from "./stack.js";

interface ErrorBody {
  statusCode: number;
  code: string;
  kind: string;
}

function valueOf(event: Event | undefined, resource: string): string | undefined {
  const r = event?.readings.find((x) => x.resourceName === resource);
  return r !== undefined && "value" in r ? r.value : undefined;
}

describe("device service over REST (FakeDriver, real core-metadata)", function () {
  this.timeout(20_000);
  const driver = new FakeDriver();
  let stack: Stack;

  before(async () => {
    stack = await startStack({
      driver,
      seedDevices: [
        { ...fakeDevice("t1", ""), serviceName: undefined as unknown as string },
        { ...fakeDevice("t2", ""), serviceName: undefined as unknown as string },
        { ...fakeDevice("other", "some-other-service") },
      ],
    });
  });

  after(async () => {
    await stack?.close();
  });

  it("seeds the profile and this service's devices, and starts the driver with them", async () => {
    assert.equal(driver.started, true);
    const devices = await stack.client.getDevicesByService(stack.serviceName);
    assert.deepEqual(devices.map((d) => d.name).sort(), ["t1", "t2"]);
    assert.deepEqual(driver.sdk?.devices().map((d) => d.name).sort(), ["t1", "t2"]);
    const ds = await stack.client.getDeviceService(stack.serviceName);
    assert.equal(ds.adminState, "UNLOCKED");
  });

  it("reads a resource: 200 EventResponse with EdgeX reading text", async () => {
    driver.set("t1", "temperature", 215);
    const res = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "temperature"));
    assert.equal(res.status, 200);
    assert.equal(res.body.statusCode, 200);
    assert.equal(res.body.apiVersion, "v3");
    assert.equal(res.body.event?.deviceName, "t1");
    assert.equal(res.body.event?.sourceName, "temperature");
    assert.equal(typeof res.body.event?.origin, "bigint");
    assert.equal(valueOf(res.body.event, "temperature"), "2.15e+01");
    assert.equal(res.body.event?.readings[0]?.units, "degC");
  });

  it("reads a command with all its resources", async () => {
    driver.set("t1", "setpoint", 40);
    const res = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "climate"));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.event?.readings.map((r) => r.resourceName), ["temperature", "setpoint"]);
    assert.equal(valueOf(res.body.event, "setpoint"), "2e+01");
  });

  it("writes with mappings and transforms", async () => {
    let res = await httpJson("PUT", stack.commandUrl("t1", "operatingMode"), { mode: "HEAT" });
    assert.equal(res.status, 200);
    assert.equal(driver.get("t1", "mode"), 1);
    res = await httpJson("PUT", stack.commandUrl("t1", "setpoint"), { setpoint: "22.5" });
    assert.equal(res.status, 200);
    assert.equal(driver.get("t1", "setpoint"), 45);
    const back = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "operatingMode"));
    assert.equal(valueOf(back.body.event, "mode"), "HEAT");
  });

  it("refuses a value of the wrong type with 400 VALUE_INVALID without calling the driver", async () => {
    const writes = driver.count("write");
    const res = await httpJson<ErrorBody>("PUT", stack.commandUrl("t1", "setpoint"), { setpoint: "warm" });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "VALUE_INVALID");
    assert.equal(driver.count("write"), writes);
  });

  it("refuses an out-of-range value with 400 VALUE_OUT_OF_RANGE", async () => {
    const res = await httpJson<ErrorBody>("PUT", stack.commandUrl("t1", "setpoint"), { setpoint: 99 });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "VALUE_OUT_OF_RANGE");
  });

  it("refuses a write to a read-only resource with 405", async () => {
    const res = await httpJson<ErrorBody>("PUT", stack.commandUrl("t1", "temperature"), { temperature: 1 });
    assert.equal(res.status, 405);
    assert.equal(res.body.code, "READ_ONLY");
  });

  it("reads the settings as JSON whatever the content type, as EdgeX does", async () => {
    const res = await httpJson("PUT", stack.commandUrl("t1", "label"), '{"label":"hall"}', { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(res.status, 200);
    assert.equal(driver.get("t1", "label"), "hall");
  });

  it("refuses a body that is not an object of settings with 400", async () => {
    const res = await httpJson<ErrorBody>("PUT", stack.commandUrl("t1", "setpoint"), [1]);
    assert.equal(res.status, 400);
  });

  it("reads the readable resources a pattern matches (EdgeX ds-regexcmd), unless ds-regexcmd=false", async () => {
    driver.set("t1", "temperature", 215);
    driver.set("t1", "counter", 9);
    const res = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "temp.*|counter|pin"));
    assert.equal(res.status, 200);
    assert.equal(res.body.event?.sourceName, "temp.*|counter|pin");
    // pin is write-only: not read; the order is the profile's
    assert.deepEqual(res.body.event?.readings.map((r) => r.resourceName), ["temperature", "counter"]);
    assert.equal(valueOf(res.body.event, "temperature"), "2.15e+01");
    const literal = await httpJson<ErrorBody>("GET", stack.commandUrl("t1", "temp.*", "ds-regexcmd=false"));
    assert.equal(literal.status, 404);
    assert.equal(literal.body.code, "SOURCE_NOT_FOUND");
    // Anchored: "temp" alone matches nothing; a pattern that does not compile is no source either.
    for (const name of ["temp", "(unclosed"]) {
      const none = await httpJson<ErrorBody>("GET", stack.commandUrl("t1", name));
      assert.equal(none.status, 404, name);
      assert.equal(none.body.code, "SOURCE_NOT_FOUND");
    }
  });

  it("answers 404 for an unknown device or command", async () => {
    let res = await httpJson<ErrorBody>("GET", stack.commandUrl("nope", "temperature"));
    assert.equal(res.status, 404);
    assert.equal(res.body.code, "DEVICE_NOT_FOUND");
    res = await httpJson<ErrorBody>("GET", stack.commandUrl("t1", "nope"));
    assert.equal(res.status, 404);
    assert.equal(res.body.code, "SOURCE_NOT_FOUND");
    res = await httpJson<ErrorBody>("GET", stack.commandUrl("other", "temperature"));
    assert.equal(res.status, 404, "a device of another service is not served");
  });

  it("answers 500 for a throwing driver and 503 for a hanging one, while other requests succeed", async () => {
    driver.fail("t2", new Error("wire cut"));
    let res = await httpJson<ErrorBody>("GET", stack.commandUrl("t2", "counter"));
    assert.equal(res.status, 500);
    assert.equal(res.body.code, "DRIVER_ERROR");
    driver.recover("t2");
    driver.hang("t2");
    const hung = httpJson<ErrorBody>("GET", stack.commandUrl("t2", "counter"));
    const ok = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "counter"));
    assert.equal(ok.status, 200);
    res = await hung;
    assert.equal(res.status, 503);
    assert.equal(res.body.code, "TIMEOUT");
    driver.hang("t2", false);
  });

  it("publishes the event with ds-pushevent=true and omits it with ds-returnevent=false", async () => {
    const got: AddEventRequest[] = [];
    const sub = stack.bus.subscribe(eventSubject(stack.serviceName, "Brink-Fake-Thermostat", "t1", "counter"), (m) => void got.push(m.envelope.payload));
    try {
      const res = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "counter", "ds-pushevent=true&ds-returnevent=false"));
      assert.equal(res.status, 200);
      assert.equal(res.body.statusCode, 200);
      assert.equal(res.body.event, undefined);
      await waitFor(() => got.length === 1, { message: "pushed event" });
      assert.equal(got[0]?.apiVersion, "v3");
      assert.equal(got[0]?.event.sourceName, "counter");
      const plain = await httpJson<EventResponse>("GET", stack.commandUrl("t1", "counter"));
      assert.ok(plain.body.event);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(got.length, 1, "no push without ds-pushevent");
    } finally {
      sub.unsubscribe();
    }
  });

  it("publishes values a push driver delivers, through the same transforms", async () => {
    const got: Event[] = [];
    const sub = stack.bus.subscribe(eventSubject(stack.serviceName, ANY, "t1", "temperature"), (m) => void got.push(m.envelope.payload.event));
    try {
      await driver.sdk?.pushValues("t1", "temperature", [{ resourceName: "temperature", valueType: "Float32", value: 300 }]);
      await waitFor(() => got.length === 1, { message: "pushed event" });
      assert.equal(valueOf(got[0], "temperature"), "3e+01");
      await assert.rejects(driver.sdk!.pushValues("t1", "nope", []), (err: unknown) => err instanceof ServiceError && err.code === "SOURCE_NOT_FOUND");
    } finally {
      sub.unsubscribe();
    }
  });

  it("gives the driver its config section and a data directory", () => {
    assert.deepEqual(driver.sdk?.driverConfig, {});
    assert.ok(existsSync(driver.sdk!.dataDir));
    assert.equal(driver.sdk?.serviceName, stack.serviceName);
  });

  it("follows a profile updated in core-metadata", async () => {
    const profile = fakeThermostatProfile();
    const temperature = profile.deviceResources.find((r) => r.name === "temperature")!;
    temperature.properties.scale = 0.01;
    const { body } = await stack.client.http.put<{ statusCode: number }[]>("/api/v3/deviceprofile", [{ apiVersion: "v3", profile }]);
    assert.equal(body[0]?.statusCode, 200);
    driver.set("t1", "temperature", 215);
    await waitFor(async () => valueOf((await httpJson<EventResponse>("GET", stack.commandUrl("t1", "temperature"))).body.event, "temperature") === "2.15e+00", {
      message: "new scale applied",
    });
  });

  it("answers 501 to a profile scan when the driver cannot scan", async () => {
    const res = await httpJson<ErrorBody>("POST", `${stack.service.url}/api/v3/profilescan`, { deviceName: "t1" });
    assert.equal(res.status, 501);
    assert.equal(res.body.code, "PROFILE_SCAN_NOT_SUPPORTED");
  });

  it("answers 501 to a device inspection when the driver cannot describe devices", async () => {
    const res = await httpJson<ErrorBody>("GET", `${stack.service.url}/api/v3/driver/device/name/t1`);
    assert.equal(res.status, 501);
    assert.equal(res.body.code, "DEVICE_INSPECTION_NOT_SUPPORTED");
  });

  it("answers 423 for a device LOCKED in core-metadata, and serves it again when UNLOCKED", async () => {
    await stack.client.updateDevice({ name: "t2", adminState: "LOCKED" });
    await waitFor(async () => (await httpJson("GET", stack.commandUrl("t2", "counter"))).status === 423, { message: "device locked" });
    const res = await httpJson<ErrorBody>("PUT", stack.commandUrl("t2", "label"), { label: "x" });
    assert.equal(res.body.code, "LOCKED");
    await stack.client.updateDevice({ name: "t2", adminState: "UNLOCKED" });
    await waitFor(async () => (await httpJson("GET", stack.commandUrl("t2", "counter"))).status === 200, { message: "device unlocked" });
  });

  it("answers 423 for every command while the service is LOCKED", async () => {
    await stack.client.updateDeviceService({ name: stack.serviceName, adminState: "LOCKED" });
    try {
      await waitFor(async () => (await httpJson("GET", stack.commandUrl("t1", "counter"))).status === 423, { message: "service locked" });
      const res = await httpJson<ErrorBody>("POST", `${stack.service.url}/api/v3/discovery`, {});
      assert.equal(res.status, 423);
    } finally {
      await stack.client.updateDeviceService({ name: stack.serviceName, adminState: "UNLOCKED" });
    }
    await waitFor(async () => (await httpJson("GET", stack.commandUrl("t1", "counter"))).status === 200, { message: "service unlocked" });
  });

  it("starts polling a device added to core-metadata at runtime, and stops when it is deleted", async () => {
    const events: Event[] = [];
    const sub = stack.bus.subscribe(ALL_EVENTS, (m) => {
      if (m.envelope.payload.event.deviceName === "late") events.push(m.envelope.payload.event);
    });
    try {
      await stack.addDevices(fakeDevice("late", stack.serviceName, { autoEvents: [{ interval: "50ms", sourceName: "climate" }] }));
      await waitFor(() => events.length >= 3, { message: "AutoEvents of the new device" });
      assert.ok(driver.added.includes("late"));
      assert.deepEqual(events[0]?.readings.map((r) => r.resourceName), ["temperature", "setpoint"]);
      await stack.client.deleteDevice("late");
      await waitFor(() => driver.removed.includes("late"), { message: "device removed" });
      const count = events.length;
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(events.length <= count + 1, "polling stops after the delete");
    } finally {
      sub.unsubscribe();
    }
  });

  it("reports AutoEvent scheduling on /metrics", async () => {
    const res = await httpJson<string>("GET", `${stack.service.url}/metrics`);
    assert.equal(res.status, 200);
    const runs = /^brink_autoevent_runs_total (\d+)/m.exec(res.text);
    assert.ok(runs && Number(runs[1]) > 0, "AutoEvent runs counted");
    assert.match(res.text, /^brink_autoevent_lateness_max_ms [0-9.]+/m);
  });

  it("sets a device DOWN after consecutive AutoEvent failures, then UP again on the next success", async () => {
    const notices: SystemEvent[] = [];
    const sub = stack.bus.subscribe(deviceServiceEventSubject(stack.serviceName, "update", stack.serviceName, "flaky"), (m) => void notices.push(m.envelope.payload));
    await stack.addDevices(fakeDevice("flaky", stack.serviceName, { autoEvents: [{ interval: "50ms", sourceName: "counter" }] }));
    await waitFor(() => driver.count("read", "flaky") >= 1, { message: "polling flaky" });
    driver.fail("flaky", new Error("no answer"));
    await waitFor(async () => (await stack.client.getDevice("flaky")).operatingState === "DOWN", { message: "flaky DOWN in core-metadata" });
    await waitFor(() => notices.length >= 1, { message: "DOWN notice on the bus" });
    assert.equal((notices[0]?.details as Device).operatingState, "DOWN");
    assert.equal(notices[0]?.source, stack.serviceName);
    const res = await httpJson<ErrorBody>("GET", stack.commandUrl("flaky", "counter"));
    assert.ok(res.status === 503 || res.status === 500, `a DOWN device fails (${res.status})`);
    driver.recover("flaky");
    await waitFor(async () => (await stack.client.getDevice("flaky")).operatingState === "UP", { message: "flaky UP again" });
    await waitFor(() => notices.some((n) => (n.details as Device).operatingState === "UP"), { message: "UP notice on the bus" });
    sub.unsubscribe();
    await stack.client.deleteDevice("flaky");
  });
});

describe("device service start-up without core-metadata", () => {
  it("fails to start with the client's error when core-metadata stays unreachable, and stops the driver", async () => {
    const driver = new FakeDriver();
    const bus = new InProcessBus();
    await bus.connect();
    const port = await freePort();
    try {
      await assert.rejects(
        startService(createDeviceService({ name: "device-orphan", version: "0", defaultPort: 59999, driver }), {
          bus,
          env: {},
          logger: createLogger({ level: "silent" }),
          overrides: {
            service: { port: 0, logLevel: "silent" },
            clients: { coreMetadataUrl: `http://127.0.0.1:${port}` },
            dataDir: join(tmpdir(), "brink-device-orphan"),
            device: { metadataWaitMs: 300 },
          },
        }),
        (err: unknown) => err instanceof ServiceError && err.kind === "ServiceUnavailable",
      );
      assert.equal(driver.started, false);
    } finally {
      await bus.close();
    }
  });
});
