import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fromLong } from "../../src/functions/sparkplug/metrics.js";
import { decodeSparkplug, encodeSparkplug } from "../../src/functions/sparkplug/sparkplug-b.js";
import { REBIRTH_METRIC, edgeNodeSession, findEdgeNodeSession } from "../../src/functions/sparkplug/session.js";

const codec = { encode: encodeSparkplug, decode: decodeSparkplug };

describe("Sparkplug edge-node session", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-spb-session-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const willBdSeq = (payload: Uint8Array): bigint => fromLong(decodeSparkplug(payload).metrics!.find((m) => m.name === "bdSeq")!.value, true);

  it("is one session per node and data directory", () => {
    const a = edgeNodeSession("g", "n", dataDir, codec);
    assert.equal(edgeNodeSession("g", "n", dataDir, codec), a);
    assert.equal(findEdgeNodeSession(a.key), a);
    assert.notEqual(edgeNodeSession("g", "other", dataDir, codec), a);
  });

  it("without MQTT, starts a bdSeq per NBIRTH, kept across restarts in the data directory", () => {
    const s = edgeNodeSession("g", "plain", dataDir, codec);
    assert.equal(s.birthBdSeq(), 0);
    assert.equal(s.birthBdSeq(), 1);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dataDir, "sparkplug", "g.plain.json"), "utf8")), { bdSeq: 1 });
  });

  it("over MQTT, an NBIRTH queued before the connection takes the bdSeq that connection registers in its will", () => {
    const s = edgeNodeSession("g", "mqtt", dataDir, codec);
    s.carriedByMqtt();
    const born = s.birthBdSeq();
    assert.equal(s.birthBdSeq(), born, "a second NBIRTH before the connection keeps it");
    const will = s.openMqttSession();
    assert.equal(will.topic, "spBv1.0/g/NDEATH/mqtt");
    assert.equal(willBdSeq(will.payload), BigInt(born));
    // The connection is lost and a new one opens: a new session.
    assert.equal(willBdSeq(s.openMqttSession().payload), BigInt(born + 1));
    assert.equal(s.birthBdSeq(), born + 1, "NBIRTHs of an open session carry its bdSeq");
  });

  it("tells the serving function about new sessions and rebirth requests, and ignores other NCMDs", () => {
    const s = edgeNodeSession("g", "hooks", dataDir, codec);
    const calls: string[] = [];
    const detach = s.attach({ rebirth: () => calls.push("rebirth"), sessionStarted: (b) => calls.push(`started ${b}`) });
    s.carriedByMqtt();
    s.openMqttSession();
    s.mqttSessionStarted();
    const ncmd = (value: boolean): Uint8Array => encodeSparkplug({ timestamp: 1, metrics: [{ name: REBIRTH_METRIC, type: "Boolean", value }] });
    assert.equal(s.command(ncmd(true)), "rebirth");
    assert.equal(s.command(ncmd(false)), "ignored");
    assert.equal(s.command(Buffer.from("not protobuf at all \u00ff\u00fe")), "ignored");
    detach();
    s.command(ncmd(true));
    assert.deepEqual(calls, [`started ${s.bdSeq}`, "rebirth"]);
  });
});
