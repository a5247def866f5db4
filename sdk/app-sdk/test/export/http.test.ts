import { strict as assert } from "node:assert";
import http from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { freePort, waitFor } from "../../../../test/harness/index.js";
import { createExport } from "../../src/export/exports.js";
import { ForwarderPool } from "../../src/export/forwarder-pool.js";
import { memoryLogger } from "../outbox/helpers.js";
import { ctxOf, event, testEnv, type TestEnv } from "./helpers.js";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A local HTTP receiver whose answer to each request `answer` decides. */
class Receiver {
  readonly requests: Received[] = [];
  answer: (r: Received, n: number) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 204 });
  private server: http.Server | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/ingest`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r: Received = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(r);
        const a = this.answer(r, this.requests.length);
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? "");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The `value` of the first reading of each request's event (the sequence number `event()` gave it). */
  seqs(): number[] {
    return this.requests.filter((r) => r.body.length > 0).map((r) => {
      const body = r.headers["content-encoding"] === "gzip" ? gunzipSync(r.body) : r.body;
      return Number((JSON.parse(body.toString("utf8")) as { readings: Array<{ value: string }> }).readings[0]!.value);
    });
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe("HTTP export against a local receiver", function () {
  this.timeout(30_000);
  let t: TestEnv;
  let pool: ForwarderPool;
  let receiver: Receiver;

  beforeEach(async () => {
    t = testEnv();
    pool = new ForwarderPool({ outbox: t.outbox, logger: memoryLogger(), defaults: { replayRatePerSec: 0 } });
    receiver = new Receiver(await freePort());
    await receiver.start();
  });
  afterEach(async () => {
    await pool.stop();
    await receiver.stop();
    t.close();
  });

  async function exportEvents(params: Record<string, unknown>, n: number): Promise<void> {
    const b = createExport("HttpExport", { url: receiver.url, target: "cloud", backoffInitial: "20ms", backoffMax: "200ms", ...params }, t.env);
    await pool.apply([b]);
    const ctx = ctxOf();
    for (let i = 0; i < n; i++) await b.fn.process(ctx, event("meter-1", i));
  }

  it("acknowledges on 2xx: every message arrives once, in order, with its headers and the bearer token from a secret", async () => {
    t.writeSecret("cloud-token", "tok-123");
    t.writeSecret("api-key", "key-456");
    await exportEvents({ method: "PUT", bearerTokenSecret: "cloud-token", headers: { "X-Site": "plant-7" }, headerSecrets: { "X-Api-Key": "api-key" } }, 50);
    await waitFor(() => t.outbox.stats("cloud").depth === 0 && pool.get("cloud")!.status().acked === 50);
    assert.deepEqual(receiver.seqs(), range(50));
    const r = receiver.requests[0]!;
    assert.equal(r.method, "PUT");
    assert.equal(r.url, "/ingest");
    assert.equal(r.headers.authorization, "Bearer tok-123");
    assert.equal(r.headers["x-api-key"], "key-456");
    assert.equal(r.headers["x-site"], "plant-7");
    assert.equal(r.headers["content-type"], "application/json");
    assert.match(String(r.headers["x-correlation-id"]), /^[0-9a-f-]{36}$/);
  });

  it("dead-letters a message answered 400, with the status and body as the reason, and delivers the rest in order", async () => {
    receiver.answer = (r) => (r.body.toString().includes('"value":"5"') ? { status: 400, body: "bad reading" } : { status: 200 });
    await exportEvents({}, 10);
    await waitFor(() => t.outbox.stats("cloud").depth === 0);
    assert.deepEqual(receiver.seqs(), range(10), "the refused one was tried once, the others delivered once");
    const dead = t.outbox.listDeadLetters("cloud").deadLetters;
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.reason, "HTTP 400: bad reading");
    assert.match(Buffer.from(dead[0]!.payload).toString(), /"value":"5"/);
    assert.equal(pool.get("cloud")!.status().retries, 0);
    assert.equal(pool.get("cloud")!.status().deadLettered, 1);
  });

  it("retries 503 and network errors with back-off until the receiver takes the messages", async () => {
    receiver.answer = (_r, n) => (n <= 3 ? { status: 503 } : { status: 201 });
    await exportEvents({}, 5);
    await waitFor(() => t.outbox.stats("cloud").depth === 0);
    const seqs = receiver.seqs();
    assert.deepEqual(seqs.slice(3), range(5), "after three 503s on the first message, all five in order");
    assert.deepEqual(seqs.slice(0, 3), [0, 0, 0]);
    assert.equal(pool.get("cloud")!.status().retries, 3);

    await receiver.stop();
    const ctx = ctxOf();
    const b = createExport("HttpExport", { url: receiver.url, target: "cloud", backoffInitial: "20ms", backoffMax: "200ms" }, t.env);
    for (let i = 5; i < 8; i++) await b.fn.process(ctx, event("meter-1", i));
    await waitFor(() => pool.get("cloud")!.status().retries >= 5, { message: "connection refused is retried" });
    assert.equal(t.outbox.stats("cloud").depth, 3);
    receiver.requests.length = 0;
    receiver.answer = () => ({ status: 200 });
    await receiver.start();
    await waitFor(() => t.outbox.stats("cloud").depth === 0);
    assert.deepEqual(receiver.seqs(), [5, 6, 7]);
  });

  it("waits at least Retry-After after a 429", async () => {
    receiver.answer = (_r, n) => (n === 1 ? { status: 429, headers: { "Retry-After": "1" } } : { status: 200 });
    await exportEvents({ backoffMax: "5s" }, 1);
    const f = pool.get("cloud")!;
    await waitFor(() => f.status().state === "backoff");
    const s = f.status();
    assert.ok(s.nextAttemptAt! - s.lastError!.at >= 1000, "the next attempt is at least 1 s later");
    await waitFor(() => t.outbox.stats("cloud").depth === 0, { timeoutMs: 5000 });
  });

  it("gzips bodies when asked, and passes pre-compressed data through with its Content-Encoding", async () => {
    const b = createExport("HttpExport", { url: receiver.url, target: "gz", gzip: true }, t.env);
    await pool.apply([b]);
    const e = event("meter-1", 1);
    await b.fn.process(ctxOf(), e);
    const pre = gzipSync(Buffer.from('{"already":"compressed"}'));
    const ctx = ctxOf();
    ctx.contentEncoding = "gzip";
    ctx.contentType = "application/json";
    await b.fn.process(ctx, pre);
    await waitFor(() => receiver.requests.length === 2);
    const [first, second] = receiver.requests;
    assert.equal(first!.headers["content-encoding"], "gzip");
    assert.equal(JSON.parse(gunzipSync(first!.body).toString()).deviceName, "meter-1");
    assert.equal(second!.headers["content-encoding"], "gzip");
    assert.deepEqual(second!.body, pre, "not compressed twice");
  });
});
