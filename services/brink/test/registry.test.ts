import { strict as assert } from "node:assert";
import { EMBEDDED_ORDER, embeddedServices, serviceNames } from "../src/registry.js";
import { startEmbedded } from "../src/runner.js";

describe("registry", () => {
  it("runs EMBEDDED_ORDER by default, every one of them a known service", () => {
    assert.deepEqual(embeddedServices(undefined), [...EMBEDDED_ORDER]);
    for (const name of EMBEDDED_ORDER) assert.ok(serviceNames().includes(name), name);
  });

  it("adds --with services before the console, once each", () => {
    const order = embeddedServices(" device-opcua, device-modbus ,core-data,");
    assert.equal(order.filter((s) => s === "core-data").length, 1);
    assert.ok(order.includes("device-opcua") && order.includes("device-modbus"));
    if (order.includes("console")) assert.ok(order.indexOf("device-modbus") < order.indexOf("console"));
  });

  it("refuses an unknown service with UNKNOWN_SERVICE, starting nothing", async () => {
    await assert.rejects(startEmbedded({ services: ["no-such-service"], env: { BRINK_LOG_LEVEL: "silent" } }), (err: { code?: string }) => err.code === "UNKNOWN_SERVICE");
  });
});
