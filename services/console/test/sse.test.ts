/** Server-sent events with backpressure: the per-device drop policy, and a real socket whose reader stalls. */
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { FrameQueue, SseStream } from "../src/sse.js";
import { waitFor } from "../../../test/harness/index.js";

describe("FrameQueue", () => {
  it("hands frames out one key after another", () => {
    const q = new FrameQueue(10);
    for (const [k, f] of [["a", "a1"], ["a", "a2"], ["b", "b1"], ["a", "a3"], ["c", "c1"]] as const) q.push(k, f);
    const out: string[] = [];
    for (let f = q.shift(); f !== undefined; f = q.shift()) out.push(f);
    assert.deepEqual(out, ["a1", "b1", "c1", "a2", "a3"]);
    assert.equal(q.size, 0);
  });

  it("drops the oldest frame of the key that holds most when full, so a quiet key keeps its frames", () => {
    const q = new FrameQueue(4);
    assert.equal(q.push("quiet", "q1"), 0);
    let dropped = 0;
    for (let i = 1; i <= 10; i++) dropped += q.push("chatty", `c${i}`);
    assert.equal(dropped, 7);
    assert.equal(q.size, 4);
    const out: string[] = [];
    for (let f = q.shift(); f !== undefined; f = q.shift()) out.push(f);
    assert.deepEqual(out, ["q1", "c8", "c9", "c10"]);
  });
});

describe("SseStream", () => {
  let server: Server;
  let stream: SseStream | undefined;
  let socket: Socket | undefined;
  let opened: Promise<SseStream>;

  beforeEach(async () => {
    let resolveStream!: (s: SseStream) => void;
    opened = new Promise((resolve) => (resolveStream = resolve));
    server = createServer((_req, res) => {
      stream = new SseStream(res, { queueFrames: 50, heartbeatMs: 60_000 });
      resolveStream(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  afterEach(async () => {
    stream?.close();
    socket?.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function open(): Promise<SseStream> {
    const port = (server.address() as AddressInfo).port;
    socket = connect(port, "127.0.0.1");
    socket.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    return opened;
  }

  it("holds a bounded queue while the client reads nothing, then delivers it and reports the drops", async () => {
    const s = await open();
    socket!.pause();
    const frame = { payload: "x".repeat(2000) };
    // Far more than the socket buffers can take: the stream must start queueing, then dropping.
    for (let i = 0; i < 5000; i++) s.send("reading", { i, ...frame }, i % 2 === 0 ? "A" : "B");
    const stats = s.stats();
    assert.ok(stats.queued <= 50, `queued ${stats.queued}`);
    assert.ok(stats.dropped > 0, "a stalled reader makes the stream drop");
    assert.equal(stats.sent + stats.queued + stats.dropped, 5000);

    let text = "";
    socket!.on("data", (c: Buffer) => (text += c.toString()));
    socket!.resume();
    await waitFor(() => s.stats().queued === 0 && /event: dropped/.test(text), { timeoutMs: 10_000 });
    const dropped = /event: dropped\ndata: (\{[^\n]*\})/.exec(text);
    assert.ok(dropped, "a dropped notice follows the drain");
    assert.equal((JSON.parse(dropped[1] as string) as { total: number }).total, s.stats().dropped);
    await waitFor(() => text.includes('"i":4999'), { timeoutMs: 10_000, message: "the newest frame arrives" });
  });

  it("ends the response on close and tells its listeners once", async () => {
    const s = await open();
    let closed = 0;
    s.onClosed(() => closed++);
    s.close();
    s.close();
    assert.equal(closed, 1);
    assert.equal(s.isClosed, true);
    let late = 0;
    s.onClosed(() => late++);
    assert.equal(late, 1, "a listener added after the close is called at once");
  });

  it("notices a client that went away", async () => {
    const s = await open();
    let closed = false;
    s.onClosed(() => (closed = true));
    socket!.destroy();
    await waitFor(() => closed);
    s.send("reading", { after: true });
    assert.equal(s.stats().sent, 0);
  });
});
