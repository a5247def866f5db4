/** How the page shows values and times. */
import { strict as assert } from "node:assert";
import { ago, displayValue, nsToMs, numericValue } from "../../web/src/format.js";
import { itemsOf, notificationRow, pipelineRow, ruleRows } from "../../web/src/table-data.js";

describe("format", () => {
  it("shows EdgeX floats as numbers and other values as they are", () => {
    assert.equal(displayValue("Float64", "4.250000e+01"), "42.5");
    assert.equal(displayValue("Float32", "NaN"), "NaN");
    assert.equal(displayValue("Int64", "9223372036854775807"), "9223372036854775807");
    assert.equal(displayValue("String", "4.2e+01"), "4.2e+01");
  });

  it("charts numbers and bools, not strings or arrays", () => {
    assert.equal(numericValue("Uint8", "7"), 7);
    assert.equal(numericValue("Float32", "-1.5e+00"), -1.5);
    assert.equal(numericValue("Bool", "true"), 1);
    assert.equal(numericValue("String", "7"), undefined);
    assert.equal(numericValue("Int8Array", "[1]"), undefined);
  });

  it("reads ns times and says how long ago", () => {
    assert.equal(nsToMs(1_700_000_000_000_000_000), 1_700_000_000_000);
    assert.equal(nsToMs("1700000000000000000"), 1_700_000_000_000);
    assert.equal(ago(undefined, 0), "never");
    assert.equal(ago(1000, 6000), "5 s ago");
    assert.equal(ago(0, 7_200_000), "2 h ago");
  });
});

describe("table-data", () => {
  it("finds the list in any answer shape", () => {
    assert.equal(itemsOf({ apiVersion: "v3", totalCount: 1, rules: [{ name: "hot" }] })?.length, 1);
    assert.deepEqual(itemsOf([{ a: 1 }, 2, null]), [{ a: 1 }]);
    assert.equal(itemsOf({ message: "no list" }), undefined);
  });

  it("reads an app-service pipeline: counters, and outbox depth, drops and dead letters over its exports", () => {
    const item = {
      definition: { name: "to-cloud" },
      status: { state: "running", received: 10, exported: 8, errors: 1 },
      exports: [
        { target: "mqtt-a", outbox: { depth: 3, dropped: 2, deadLettered: 0 } },
        { target: "http-b", outbox: { depth: 4, dropped: 0, deadLettered: 1 } },
      ],
    };
    assert.deepEqual(pipelineRow(item), {
      name: "to-cloud", state: "running", received: "10", exported: "8", errors: "1", outboxDepth: "7", dropped: "2", deadLetters: "1", targets: "mqtt-a, http-b",
    });
    assert.deepEqual(pipelineRow({ name: "old-shape" }).outboxDepth, "", "a field the service lacks is an empty cell");
  });

  it("puts each rule with its newest firing", () => {
    const rows = ruleRows(
      [{ name: "hot", enabled: true, state: { kind: "reading" } }, { name: "nightly", enabled: false, schedule: { cron: "0 0 * * *" } }],
      [{ rule: "hot", firedAt: 5, ok: true, device: "a" }, { rule: "hot", firedAt: 9, ok: false, device: "b" }],
    );
    assert.deepEqual(rows, [
      { name: "hot", enabled: "yes", kind: "reading", lastFiredAt: 9, lastResult: "failed", lastDevice: "b" },
      { name: "nightly", enabled: "no", kind: "schedule", lastResult: "", lastDevice: "" },
    ]);
  });

  it("reads a notification and whether it is acknowledged", () => {
    assert.deepEqual(notificationRow({ id: "n1", created: 7, severity: "CRITICAL", category: "temp", content: "hot", status: "SENT", acknowledged: false }), {
      id: "n1", created: 7, severity: "CRITICAL", category: "temp", content: "hot", status: "SENT", acknowledged: false,
    });
    assert.equal(notificationRow({ id: "n2", status: "ACKNOWLEDGED" }).acknowledged, true);
  });
});
