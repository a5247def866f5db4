import { strict as assert } from "node:assert";
import { freePort } from "../../../../test/harness/index.js";
import { AppSdkErrorCode } from "../../src/errors.js";
import { createExport } from "../../src/export/exports.js";
import { ForwarderPool } from "../../src/export/forwarder-pool.js";
import { memoryLogger } from "../outbox/helpers.js";
import { ctxOf, event, testEnv, type TestEnv } from "./helpers.js";

describe("ForwarderPool", () => {
  let t: TestEnv;
  let pool: ForwarderPool;
  let url: string;

  beforeEach(async () => {
    t = testEnv();
    // Nothing listens there: forwarders keep retrying, messages stay queued.
    url = `mqtt://127.0.0.1:${await freePort()}`;
    pool = new ForwarderPool({ outbox: t.outbox, logger: memoryLogger(), defaults: { backoff: { initialMs: 60_000 } } });
  });
  afterEach(async () => {
    await pool.stop();
    t.close();
  });

  it("keeps the forwarder and the stored messages when a pipeline's export changes only its topic", async () => {
    const before = createExport("MqttExport", { url, topic: "old/{device}", target: "cloud", maxBytes: 1_000_000 }, t.env);
    await pool.apply([before]);
    const f = pool.get("cloud");
    for (let i = 0; i < 5; i++) await before.fn.process(ctxOf(), event("d", i));
    const after = createExport("MqttExport", { url, topic: "new/{device}", target: "cloud", maxBytes: 1_000_000 }, t.env);
    await pool.apply([after]);
    assert.equal(pool.get("cloud"), f, "same forwarder");
    assert.equal(t.outbox.stats("cloud").depth, 5);
    assert.equal(t.outbox.limitsOf("cloud").maxBytes, 1_000_000, "the export's limits apply to its queue");
  });

  it("restarts the forwarder when the target's settings change, and stops it when no export names the target, keeping messages", async () => {
    const q1 = createExport("MqttExport", { url, target: "cloud", qos: 1 }, t.env);
    await pool.apply([q1]);
    const f1 = pool.get("cloud");
    await q1.fn.process(ctxOf(), event("d", 1));
    const q0 = createExport("MqttExport", { url, target: "cloud", qos: 0 }, t.env);
    await pool.apply([q0]);
    assert.notEqual(pool.get("cloud"), f1);
    assert.equal(f1!.status().state, "stopped");
    await pool.apply([]);
    assert.equal(pool.get("cloud"), undefined);
    assert.deepEqual(pool.status(), []);
    assert.equal(t.outbox.stats("cloud").depth, 1, "the stored message waits for the target to come back");
    assert.deepEqual(t.outbox.targetNames(), ["cloud"]);
  });

  it("refuses two exports that name one target with different settings, changing nothing", async () => {
    const a = createExport("MqttExport", { url, target: "cloud", qos: 1 }, t.env);
    await pool.apply([a]);
    const f = pool.get("cloud");
    const b = createExport("MqttExport", { url, target: "cloud", qos: 2 }, t.env);
    const other = createExport("MqttExport", { url, target: "other" }, t.env);
    await assert.rejects(pool.apply([a, other, b]), (err: { code: string; kind: string }) => err.code === AppSdkErrorCode.ExportTargetConflict && err.kind === "ContractInvalid");
    assert.equal(pool.get("cloud"), f);
    assert.equal(pool.get("other"), undefined);
    // two pipelines exporting to one target with the same settings share its forwarder
    const again = createExport("MqttExport", { url, target: "cloud", qos: 1, topic: "x/{device}" }, t.env);
    await pool.apply([a, again]);
    assert.equal(pool.status().length, 1);
  });
});
