/** The SSE reader the page and the CLI share: framing across chunk edges, comments, multi-line data, stopping. */
import { strict as assert } from "node:assert";
import { readSse, type SseMessage } from "../src/sse-reader.js";

function bodyOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

async function readAll(chunks: readonly string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  await readSse(bodyOf(chunks), (m) => {
    out.push(m);
  });
  return out;
}

describe("readSse", () => {
  it("reads events whatever the chunk edges, CRLF included", async () => {
    const text = 'event: reading\r\ndata: {"a":1}\r\n\r\n: ping\n\nevent: dropped\ndata: {"count":2}\n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual(await readAll(chunks), [
        { event: "reading", data: '{"a":1}' },
        { event: "dropped", data: '{"count":2}' },
      ], `chunks of ${size}`);
    }
  });

  it("joins data lines, names unnamed events message, and skips blocks with no data", async () => {
    assert.deepEqual(await readAll(["data: one\ndata:two\n\nevent: empty\n\ndata\n\n"]), [
      { event: "message", data: "one\ntwo" },
      { event: "message", data: "" },
    ]);
  });

  it("stops reading when the handler returns false", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode(`data: ${pulled}\n\n`));
      },
    });
    const seen: string[] = [];
    await readSse(body, (m) => {
      seen.push(m.data);
      return seen.length < 3;
    });
    assert.deepEqual(seen, ["1", "2", "3"]);
  });
});
