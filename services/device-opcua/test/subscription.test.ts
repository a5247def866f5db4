/**
 * Subscriptions against a real server: notifications become readings, deadbands filter, and after a server restart
 * the session and the subscription are re-created once, the device goes DOWN and back UP, and readings resume
 * without duplicates.
 */
import { strict as assert } from "node:assert";
import { startOpcuaServer, waitFor, type OpcuaServer } from "../../../test/harness/index.js";
import { OpcuaDriver } from "../src/driver.js";
import { CuttableProxy, RecordingSdk, opcuaDevice, testProfile } from "./fixtures.js";

const TIMING = { reconnectMinDelayMs: 100, reconnectMaxDelayMs: 500, keepAliveIntervalMs: 500, requestTimeoutMs: 1000, connectTimeoutMs: 2000 };

describe("OpcuaDriver subscriptions", function () {
  this.timeout(60_000);
  const profile = testProfile();
  let server: OpcuaServer;
  let sdk: RecordingSdk;
  let driver: OpcuaDriver;
  let proxy: CuttableProxy;

  before(async () => {
    server = await startOpcuaServer({ tickMs: 100 });
    proxy = new CuttableProxy(server.port);
    await proxy.start();
    const ticking = opcuaDevice("ticking", server.endpoint, { Resources: "Counter,Random", PublishingInterval: 100, SamplingInterval: 100, QueueSize: 10 });
    const deadband = opcuaDevice("deadband", server.endpoint, { Resources: "Double", PublishingInterval: 100, SamplingInterval: 50, DeadbandType: "Absolute", DeadbandValue: 10 });
    const remote = opcuaDevice("remote", `opc.tcp://127.0.0.1:${proxy.port}/UA/Brink`, { Resources: "Counter", PublishingInterval: 100, SamplingInterval: 100 });
    sdk = new RecordingSdk([ticking, deadband, remote], [profile], TIMING);
    driver = new OpcuaDriver();
    driver.initialize(sdk);
    await driver.start();
  });

  after(async () => {
    await driver?.stop({ force: true });
    await proxy?.close();
    await server?.stop();
    sdk?.cleanup();
  });

  const counters = () => sdk.valuesOf("ticking", "Counter");

  it("delivers data-change notifications as readings of the subscribed resources, stamped with the source time", async () => {
    await waitFor(() => counters().length >= 10, { timeoutMs: 10_000, message: "10 Counter readings" });
    const values = counters().map((v) => v.value as number);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! > values[i - 1]!, `Counter goes up: ${values.join(",")}`);
    assert.ok(sdk.valuesOf("ticking", "Random").length > 0);
    const origin = counters().at(-1)!.origin!;
    assert.equal(typeof origin, "bigint");
    assert.ok(origin > 1_600_000_000_000_000_000n, String(origin));
    assert.deepEqual(sdk.pushed.filter((p) => p.device === "ticking").map((p) => p.source).filter((s) => s !== "Counter" && s !== "Random"), []);
  });

  it("drops changes inside an absolute deadband", async () => {
    const r = () => sdk.valuesOf("deadband", "Double").map((v) => v.value);
    await waitFor(() => r().length >= 1, { timeoutMs: 10_000, message: "the initial Double reading" });
    const start = r().length;
    await server.setValue("ns=2;s=Scalars.Double", "Double", 1000);
    await waitFor(() => r().length === start + 1, { timeoutMs: 10_000, message: "a reading of 1000" });
    await server.setValue("ns=2;s=Scalars.Double", "Double", 1005);
    await server.setValue("ns=2;s=Scalars.Double", "Double", 1050);
    await waitFor(() => r().includes(1050), { timeoutMs: 10_000, message: "a reading of 1050" });
    assert.ok(!r().includes(1005), `1005 is inside the deadband of 1000: ${r().join(",")}`);
  });

  it("re-creates session and subscription after a server restart: DOWN, then UP, readings resume, no duplicates", async () => {
    await waitFor(() => counters().length >= 3, { timeoutMs: 10_000, message: "readings before the restart" });
    await server.kill();
    await waitFor(() => sdk.stateOf("ticking") === "DOWN", { timeoutMs: 10_000, message: "device DOWN after the server died" });
    const before = counters().length;
    await server.restart();
    await waitFor(() => sdk.stateOf("ticking") === "UP", { timeoutMs: 10_000, message: "device UP after the restart" });
    await waitFor(() => counters().length >= before + 10, { timeoutMs: 10_000, message: "readings after the restart" });
    await waitFor(() => sdk.stateOf("remote") === "UP" && sdk.stateOf("deadband") === "UP", { timeoutMs: 10_000, message: "every device UP" });
    const stats = await server.stats();
    assert.equal(stats.sessions, 3, "one session per device");
    assert.equal(stats.subscriptions, 3, "one subscription per device");
    assert.equal(stats.monitoredItems, 4, "Counter, Random, Double and the remote Counter, each once");
    const keys = sdk.pushed.flatMap((p) => p.values.map((v) => `${p.device}/${v.resourceName}@${String(v.origin)}`));
    assert.equal(new Set(keys).size, keys.length, "every reading once");
    assert.equal(driver.status("ticking")?.subscription.created, 2);
    assert.deepEqual(sdk.states.filter((s) => s.device === "ticking").map((s) => s.state), ["UP", "DOWN", "UP"]);
  });

  it("detects a silent network drop with its keep-alive, reports DOWN, and recovers when the network is back", async () => {
    const remote = () => sdk.valuesOf("remote", "Counter");
    await waitFor(() => sdk.stateOf("remote") === "UP" && remote().length > 0, { timeoutMs: 10_000, message: "remote readings" });
    proxy.drop();
    await waitFor(() => sdk.stateOf("remote") === "DOWN", { timeoutMs: 10_000, message: "remote DOWN after the drop" });
    const before = remote().length;
    proxy.restore();
    await waitFor(() => sdk.stateOf("remote") === "UP", { timeoutMs: 10_000, message: "remote UP after the network is back" });
    await waitFor(() => remote().length >= before + 5, { timeoutMs: 10_000, message: "remote readings resume" });
    const keys = remote().map((v) => String(v.origin));
    assert.equal(new Set(keys).size, keys.length, "every reading once");
    assert.ok((driver.status("remote")?.subscription.created ?? 0) >= 2);
  });
});
