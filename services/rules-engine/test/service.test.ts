/**
 * The rules engine over real HTTP, with a real core-metadata and a FakeDriver device service on one bus: rules CRUD
 * (JSON and YAML), refusals, firings that write to devices, failures, /metrics, notifications and subscriptions,
 * rule files, and persistence across a restart.
 */
import { strict as assert } from "node:assert";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { API_VERSION, eventSubject } from "@brink/contracts";
import { FAKE_PROFILE_NAME } from "@brink/device-sdk/testing";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import type { FiringRecord } from "../src/index.js";
import { eventOf } from "./support/engine-harness.js";
import { FAKE_SERVICE, startRulesStack, type RulesStack } from "./support/stack.js";
import { startReceiver, type Receiver } from "./support/receiver.js";

const YAML = { "content-type": "application/yaml" };

const coolRule = `
name: thermo-hot
description: Label a thermostat that runs hot
labels: [thermostat, heat]
source:
  device: thermo-*
when: temperature > 30
clear: temperature < 25
actions:
  - type: command
    command: label
    body:
      label: "hot-\${round(temperature)}"
  - type: notify
    category: heat
    severity: CRITICAL
    labels: [hall-2]
    content: "\${$device} at \${temperature} C"
`;

interface Problem {
  path: string;
  message: string;
  line?: number;
  position?: number;
}

describe("rules-engine service", function () {
  this.timeout(30_000);
  let s: RulesStack;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    s = await startRulesStack();
  });

  after(async () => {
    await s?.close();
    await receiver?.close();
  });

  /** Makes the device service read `temperature` (raw tenths) of a device and publish the event, as an AutoEvent would. */
  async function pushTemperature(device: string, celsius: number): Promise<void> {
    s.driver.set(device, "temperature", Math.round(celsius * 10));
    const res = await httpJson("GET", `${s.device.url}/api/v3/device/name/${device}/temperature?ds-pushevent=true`);
    assert.equal(res.status, 200, res.text);
  }

  async function firings(rule: string): Promise<FiringRecord[]> {
    const res = await httpJson<{ firings: FiringRecord[] }>("GET", s.api(`/rule/name/${rule}/firing?limit=-1`));
    assert.equal(res.status, 200, res.text);
    return res.body.firings;
  }

  it("creates a rule from YAML with PUT, answers it with its state, and lists it by label", async () => {
    const put = await httpJson<{ id: string }>("PUT", s.api("/rule/name/thermo-hot"), coolRule, YAML);
    assert.equal(put.status, 201, put.text);
    assert.ok(put.body.id);
    const got = await httpJson<{ rule: { name: string; enabled: boolean; labels: string[]; state: { kind: string; devices: unknown[] } } }>("GET", s.api("/rule/name/thermo-hot"));
    assert.equal(got.status, 200);
    assert.equal(got.body.rule.enabled, true);
    assert.deepEqual(got.body.rule.state, { kind: "reading", devices: [] });
    const list = await httpJson<{ totalCount: number; rules: { name: string }[] }>("GET", s.api("/rule/all?labels=heat"));
    assert.deepEqual(list.body.rules.map((r) => r.name), ["thermo-hot"]);
    const none = await httpJson<{ totalCount: number }>("GET", s.api("/rule/all?labels=cold"));
    assert.equal(none.body.totalCount, 0);
  });

  it("fires on a device reading: writes to the device through the command path and records the firing", async () => {
    await pushTemperature("thermo-1", 31.4);
    await waitFor(() => s.driver.get("thermo-1", "label") === "hot-31", { message: "label written" });
    const [f] = await waitFor(async () => {
      const list = await firings("thermo-hot");
      return list.length === 1 && list[0]!.actions.length === 2 ? list : undefined;
    });
    assert.equal(f!.device, "thermo-1");
    assert.equal(f!.ok, true);
    assert.ok(Math.abs(Number(f!.inputs.temperature) - 31.4) < 1e-4);
    assert.deepEqual(f!.actions.map((a) => [a.type, a.ok]), [["command", true], ["notify", true]]);
    const raw = await httpJson("GET", s.api("/rule/name/thermo-hot/firing"));
    assert.match(raw.text, /"firedAt":\d{19}[,}]/, "firedAt is written as int64 nanoseconds");
    const state = await httpJson<{ rule: { state: { devices: { device: string; state: string }[] } } }>("GET", s.api("/rule/name/thermo-hot"));
    assert.deepEqual(state.body.rule.state.devices.map((d) => [d.device, d.state]), [["thermo-1", "ACTIVE"]]);
  });

  it("a failing write (device down) is recorded as a failure and does not stop other rules", async () => {
    const other = await httpJson("PUT", s.api("/rule/name/any-hot"), { name: "any-hot", when: "temperature > 30", actions: [{ type: "alert", severity: "MINOR" }] });
    assert.equal(other.status, 201, other.text);
    s.driver.fail("thermo-2", new Error("no answer"));
    await s.bus.publish(eventSubject(FAKE_SERVICE, FAKE_PROFILE_NAME, "thermo-2", "temperature"), {
      apiVersion: API_VERSION,
      event: eventOf("thermo-2", { temperature: 35 }, FAKE_PROFILE_NAME),
    });
    const failed = await waitFor(async () => (await firings("thermo-hot")).find((f) => f.device === "thermo-2" && f.actions.length === 2));
    assert.equal(failed.ok, false);
    assert.equal(failed.actions[0]!.ok, false);
    assert.equal(failed.actions[0]!.error?.code, "DRIVER_ERROR");
    assert.equal(failed.actions[1]!.ok, true, "the notify action still ran");
    await waitFor(async () => (await firings("any-hot")).some((f) => f.device === "thermo-2" && f.ok));
    s.driver.recover("thermo-2");
    const metrics = await (await fetch(`${s.rules.url}/api/v3/metrics`)).text();
    assert.match(metrics, /brink_rules_firings_total\{rule="thermo-hot"\} 2/);
    assert.match(metrics, /brink_rules_firing_failures_total\{rule="thermo-hot"\} 1/);
    assert.match(metrics, /brink_rules_action_failures_total\{rule="thermo-hot",type="command"\} 1/);
    assert.match(metrics, /brink_rules_evaluations_total [1-9]/);
  });

  it("refuses a malformed rule with 400 RULE_INVALID naming the field, position and line", async () => {
    const bad = "name: broken\nwhen: temperature >> 30\nactions:\n  - type: alert\n";
    const res = await httpJson<{ code: string; kind: string; details: { problems: Problem[] } }>("PUT", s.api("/rule/name/broken"), bad, YAML);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "RULE_INVALID");
    assert.equal(res.body.kind, "ContractInvalid");
    assert.deepEqual(res.body.details.problems.map((p) => [p.path, p.position, p.line]), [["when", 13, 2]]);
    const json = await httpJson<{ code: string; details: { problems: Problem[] } }>("PUT", s.api("/rule/name/broken"), { name: "broken", when: "t > 1", actions: [{ type: "explode" }] });
    assert.equal(json.status, 400);
    assert.deepEqual(json.body.details.problems.map((p) => p.path), ["actions[0].type"]);
    const missing = await httpJson("GET", s.api("/rule/name/broken"));
    assert.equal(missing.status, 404);
    const yamlBroken = await httpJson<{ code: string }>("PUT", s.api("/rule/name/broken"), "name: [unclosed\n", YAML);
    assert.equal(yamlBroken.status, 400);
    assert.equal(yamlBroken.body.code, "YAML_MALFORMED");
  });

  it("adds rules in an EdgeX batch: 207 with one status per rule", async () => {
    const res = await httpJson<{ statusCode: number; code?: string; id?: string }[]>("POST", s.api("/rule"), [
      { apiVersion: API_VERSION, rule: { name: "b-ok", when: "temperature < 0", actions: [{ type: "alert" }] } },
      { apiVersion: API_VERSION, rule: { name: "b-bad", when: "temperature <", actions: [{ type: "alert" }] } },
      { apiVersion: API_VERSION, rule: { name: "thermo-hot", when: "temperature < 0", actions: [{ type: "alert" }] } },
    ]);
    assert.equal(res.status, 207);
    assert.deepEqual(res.body.map((r) => [r.statusCode, r.code]), [[201, undefined], [400, "RULE_INVALID"], [409, "DUPLICATE_NAME"]]);
    assert.ok(res.body[0]!.id);
    const yaml = await httpJson<{ statusCode: number }[]>("POST", s.api("/rule"), "rules:\n  - name: y1\n    when: t > 1\n    actions: [{ type: alert }]\n", YAML);
    assert.deepEqual(yaml.body.map((r) => r.statusCode), [201]);
  });

  it("disables, enables, replaces and deletes rules", async () => {
    const off = await httpJson<{ rule: { enabled: boolean } }>("POST", s.api("/rule/name/b-ok/disable"));
    assert.equal(off.body.rule.enabled, false);
    const on = await httpJson<{ rule: { enabled: boolean } }>("POST", s.api("/rule/name/b-ok/enable"));
    assert.equal(on.body.rule.enabled, true);
    const replaced = await httpJson("PUT", s.api("/rule/name/b-ok"), { name: "b-ok", when: "temperature < -10", actions: [{ type: "alert" }] });
    assert.equal(replaced.status, 200);
    const wrongName = await httpJson<{ code: string }>("PUT", s.api("/rule/name/b-ok"), { name: "other", when: "t < 1", actions: [{ type: "alert" }] });
    assert.equal(wrongName.status, 400);
    assert.equal((await httpJson("DELETE", s.api("/rule/name/b-ok"))).status, 200);
    assert.equal((await httpJson("DELETE", s.api("/rule/name/b-ok"))).status, 404);
    assert.equal((await httpJson("POST", s.api("/rule/name/b-ok/enable"))).status, 404);
  });

  it("lists, filters and acknowledges notifications; the notify action recorded them", async () => {
    const fromRule = await httpJson<{ totalCount: number; notifications: { id: string; content: string; status: string; sender: string }[] }>(
      "GET",
      s.api("/notification/all?category=heat"),
    );
    assert.ok(fromRule.body.totalCount >= 2);
    assert.ok(fromRule.body.notifications.some((n) => /^thermo-1 at 31\.4/.test(n.content) && n.sender === "rules-engine/thermo-hot"));
    const posted = await httpJson<{ statusCode: number; id: string }[]>("POST", s.api("/notification"), [
      { apiVersion: API_VERSION, notification: { category: "maintenance", severity: "MINOR", labels: ["pump"], content: "grease the pump" } },
      { apiVersion: API_VERSION, notification: { category: "maintenance", severity: "LOUD", content: "x" } },
    ]);
    assert.deepEqual(posted.body.map((p) => p.statusCode), [201, 400]);
    const id = posted.body[0]!.id;
    const byLabel = await httpJson<{ notifications: { id: string }[] }>("GET", s.api("/notification/label/pump"));
    assert.deepEqual(byLabel.body.notifications.map((n) => n.id), [id]);
    assert.equal((await httpJson("PUT", s.api(`/notification/acknowledge/ids/${id}`))).status, 200);
    const acked = await httpJson<{ notification: { status: string; acknowledged: boolean } }>("GET", s.api(`/notification/id/${id}`));
    assert.equal(acked.body.notification.status, "ACKNOWLEDGED");
    const byStatus = await httpJson<{ notifications: { id: string }[] }>("GET", s.api("/notification/status/acknowledged"));
    assert.deepEqual(byStatus.body.notifications.map((n) => n.id), [id]);
    assert.equal((await httpJson("PUT", s.api("/notification/acknowledge/ids/nope"))).status, 404);
    assert.equal((await httpJson("DELETE", s.api(`/notification/id/${id}`))).status, 200);
    assert.equal((await httpJson("GET", s.api(`/notification/id/${id}`))).status, 404);
  });

  it("delivers notifications to subscriptions added over REST", async () => {
    const bad = await httpJson<{ statusCode: number; code: string }[]>("POST", s.api("/subscription"), [
      { apiVersion: API_VERSION, subscription: { name: "no-channel", categories: ["heat"], channels: [] } },
    ]);
    assert.deepEqual(bad.body.map((b) => [b.statusCode, b.code]), [[400, "SUBSCRIPTION_INVALID"]]);
    const added = await httpJson<{ statusCode: number }[]>("POST", s.api("/subscription"), [
      { apiVersion: API_VERSION, subscription: { name: "ops", categories: ["heat"], channels: [{ type: "webhook", url: `${receiver.url}/ops` }] } },
    ]);
    assert.deepEqual(added.body.map((b) => b.statusCode), [201]);
    const list = await httpJson<{ subscriptions: { name: string }[] }>("GET", s.api("/subscription/all"));
    assert.deepEqual(list.body.subscriptions.map((x) => x.name), ["ops"]);
    await pushTemperature("thermo-1", 20);
    await pushTemperature("thermo-1", 33);
    await receiver.waitFor(1);
    assert.match(JSON.parse(receiver.requests[0]!.body).content as string, /^thermo-1 at 33/);
    const sent = await waitFor(async () => {
      const r = await httpJson<{ notifications: { status: string; deliveries: { status: string }[] }[] }>("GET", s.api("/notification/status/SENT?category=heat"));
      return r.body.notifications.find((n) => n.deliveries.length === 1);
    });
    assert.equal(sent.deliveries[0]!.status, "SENT");
    assert.equal((await httpJson("DELETE", s.api("/subscription/name/ops"))).status, 200);
    assert.equal((await httpJson("GET", s.api("/subscription/name/ops"))).status, 404);
  });

  it("keeps rules across a restart and adds rules from the rules directory", async () => {
    const dir = join(s.dataDir, "rule-files");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "a.yaml"),
      [
        "rules:",
        "  - name: from-file",
        "    when: temperature > 100",
        "    actions: [{ type: alert }]",
        "  - name: bad-in-file",
        "    when: temperature >",
        "    actions: [{ type: alert }]",
        "  - name: thermo-hot",
        "    when: temperature > 999",
        "    actions: [{ type: alert }]",
        "  - name: after-the-bad-one",
        "    when: temperature > 100",
        "    actions: [{ type: alert }]",
        "",
      ].join("\n"),
    );
    await writeFile(join(dir, "b.yaml"), "name: broken-file\nwhen: temperature >\nactions: [{ type: alert }]\n");
    await s.restartRules({ rulesDir: dir });
    const all = await httpJson<{ rules: { name: string; when?: string }[] }>("GET", s.api("/rule/all?limit=-1"));
    const names = all.body.rules.map((r) => r.name);
    for (const n of ["thermo-hot", "any-hot", "y1", "from-file", "after-the-bad-one"]) assert.ok(names.includes(n), `${n} in ${names.join(", ")}`);
    assert.ok(!names.includes("broken-file"));
    assert.ok(!names.includes("bad-in-file"));
    assert.equal(all.body.rules.find((r) => r.name === "thermo-hot")!.when, "temperature > 30", "a stored rule is not overwritten by a file");
    assert.ok((await firings("thermo-hot")).length >= 2, "firing records survive too");
  });
});
