import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { parseJson, type Event } from "@brink/contracts";
import { AppSdkErrorCode } from "../../src/errors.js";
import { EXPORT_FUNCTIONS, createExport, isExportFunction } from "../../src/export/exports.js";
import { text } from "../outbox/helpers.js";
import { ctxOf, event, testEnv, type TestEnv } from "./helpers.js";

type Problems = { code: string; kind: string; problems: Array<{ path: string; message: string }> };

function problemsOf(fn: () => unknown): Problems {
  try {
    fn();
  } catch (err) {
    return err as Problems;
  }
  assert.fail("expected a ValidationError");
}

describe("export functions", () => {
  let t: TestEnv;
  beforeEach(() => {
    t = testEnv();
  });
  afterEach(() => t.close());

  it("lists every problem of MqttExport params in one FUNCTION_PARAMS_INVALID", () => {
    const err = problemsOf(() =>
      createExport("MqttExport", {
        url: "http://broker:1883",
        topic: "site/{bogus}/+",
        qos: 3,
        retain: "yes",
        passwordSecret: "pw",
        tls: { caFile: "/nonexistent/ca.pem", certFile: "/nonexistent/c.pem" },
        will: { payload: "bye" },
        dropPolicy: "keep",
        maxAge: "forever",
        colour: "blue",
      }, t.env),
    );
    assert.equal(err.code, AppSdkErrorCode.FunctionParamsInvalid);
    assert.equal(err.kind, "ContractInvalid");
    const paths = err.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ["colour", "dropPolicy", "maxAge", "passwordSecret", "qos", "retain", "tls.caFile", "tls.certFile", "tls.keyFile", "topic", "topic", "url", "will.topic"].sort());
  });

  it("lists every problem of HttpExport and NatsExport params", () => {
    const http = problemsOf(() => createExport("HttpExport", { url: "ftp://x", method: "GET", headers: { "Content-Type": "x", "bad name": "y" }, timeout: 5 }, t.env));
    assert.deepEqual(http.problems.map((p) => p.path).sort(), ["headers.Content-Type", "headers.bad name", "method", "timeout", "url"]);
    const nats = problemsOf(() => createExport("NatsExport", { subject: "a.*.{device}", jetstream: 1, tokenSecret: "t", user: "u" }, t.env));
    assert.deepEqual(nats.problems.map((p) => p.path).sort(), ["jetstream", "servers", "subject", "tokenSecret"]);
  });

  it("fails with SECRET_NOT_FOUND when a named secret is missing, and reads it when present", () => {
    assert.throws(
      () => createExport("HttpExport", { url: "http://127.0.0.1:1/x", bearerTokenSecret: "cloud-token" }, t.env),
      (err: { code: string; kind: string }) => err.code === AppSdkErrorCode.SecretNotFound && err.kind === "NotFound",
    );
    t.writeSecret("cloud-token", "s3cret");
    const b = createExport("HttpExport", { url: "http://127.0.0.1:1/x", bearerTokenSecret: "cloud-token" }, t.env);
    assert.equal(b.targetName, "http:http://127.0.0.1:1/x");
    assert.ok(!b.settingsKey.includes("s3cret"), "the settings key names the secret, never its value");
  });

  it("rejects a name that is no export function", () => {
    assert.throws(() => createExport("FilterByDeviceName", {}, t.env), (err: { code: string }) => err.code === AppSdkErrorCode.FunctionParamsInvalid);
    assert.equal(isExportFunction("MqttExport"), true);
    assert.equal(isExportFunction("toString"), false);
    assert.deepEqual(Object.keys(EXPORT_FUNCTIONS).sort(), ["HttpExport", "MqttExport", "NatsExport"]);
    assert.equal(EXPORT_FUNCTIONS.NatsExport!({ servers: "nats://127.0.0.1:4222" }, t.env).name, "NatsExport");
  });

  it("enqueues an event as JSON with the rendered topic and returns the data unchanged", async () => {
    const b = createExport("MqttExport", { url: "mqtt://127.0.0.1:1883", topic: "site1/{profile}/{device}/{source}/{resource}", target: "cloud" }, t.env);
    const e = event("meter/1", 7, 2);
    const ctx = ctxOf();
    const out = await b.fn.process(ctx, e);
    assert.equal(out, e, "the same object goes on to the next step");
    const [m] = t.outbox.peek("cloud", 10);
    assert.equal(m!.meta.topic, "site1/Meter/meter_1/Power/r0");
    assert.equal(m!.meta.contentType, "application/json");
    assert.equal(m!.meta.correlationId, ctx.correlationId);
    const back = parseJson(text(m!)) as Event;
    assert.equal(back.origin, e.origin, "int64 origin is exact");
    assert.equal(back.readings.length, 2);
  });

  it("sends text as UTF-8 and bytes as they are, takes device names from the trigger, and keeps ctx encoding", async () => {
    const mqtt = createExport("MqttExport", { url: "mqtt://127.0.0.1:1883", topic: "x/{device}/{resource}", target: "m" }, t.env);
    const ctx = ctxOf("p", "edgex.events.device.svc.Meter.boiler%2E1.Power");
    ctx.contentType = "text/csv";
    await mqtt.fn.process(ctx, "a,b,ü");
    const gz = gzipSync(Buffer.from("{}"));
    const ctx2 = ctxOf("p", "http");
    ctx2.contentEncoding = "gzip";
    await mqtt.fn.process(ctx2, gz);
    const ctx3 = ctxOf();
    ctx3.topic = "spBv1.0/g/DDATA/n/d";
    await mqtt.fn.process(ctx3, new Uint8Array([1, 2]));
    const [m1, m2, m3] = t.outbox.peek("m", 10);
    assert.equal(text(m1!), "a,b,ü");
    assert.equal(m1!.meta.contentType, "text/csv");
    assert.equal(m1!.meta.topic, "x/boiler.1/unknown");
    assert.deepEqual(Buffer.from(m2!.payload), gz);
    assert.equal(m2!.meta.contentEncoding, "gzip");
    assert.equal(m2!.meta.topic, "x/unknown/unknown");
    assert.equal(m3!.meta.topic, "spBv1.0/g/DDATA/n/d", "a transform's ctx.topic wins");
  });

  it("renders NATS subjects with escaped tokens", async () => {
    const b = createExport("NatsExport", { servers: ["nats://127.0.0.1:4222"], subject: "cloud.{device}.{source}", target: "n" }, t.env);
    await b.fn.process(ctxOf(), event("line 1.a", 1));
    const [m] = t.outbox.peek("n", 1);
    assert.equal(m!.meta.subject, "cloud.line%201%2Ea.Power");
  });

  it("chains: several exports each queue the data for their own target", async () => {
    const a = createExport("MqttExport", { url: "mqtt://127.0.0.1:1883", target: "a" }, t.env);
    const h = createExport("HttpExport", { url: "http://127.0.0.1:1/in", target: "h" }, t.env);
    const ctx = ctxOf();
    const e = event("d", 1);
    await h.fn.process(ctx, (await a.fn.process(ctx, e))!);
    assert.equal(t.outbox.stats("a").depth, 1);
    assert.equal(t.outbox.stats("h").depth, 1);
  });

  it("under reject-new, a full outbox drops the message (counted) and still passes the data on", async () => {
    const b = createExport("HttpExport", { url: "http://127.0.0.1:1/in", target: "h", maxBytes: 600, dropPolicy: "reject-new" }, t.env);
    t.outbox.setLimits("h", b.limits);
    const ctx = ctxOf();
    const e = event("d", 1);
    for (let i = 0; i < 5; i++) assert.equal(await b.fn.process(ctx, e), e);
    const s = t.outbox.stats("h");
    assert.ok(s.depth >= 1 && s.depth < 5);
    assert.equal(s.droppedByReason.rejected, 5 - s.depth);
  });
});
