import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { gunzipSync, inflateSync } from "node:zlib";
import FakeTimers from "@sinonjs/fake-timers";
import { ValidationError, parseJson, type Event } from "@brink/contracts";
import { addTags } from "../../src/functions/output/add-tags.js";
import { batch } from "../../src/functions/output/batch.js";
import { compress } from "../../src/functions/output/compress.js";
import { ENCRYPT_IV_BYTES, ENCRYPT_TAG_BYTES, decryptPayload, encrypt } from "../../src/functions/output/encrypt.js";
import { toEdgeXEvent } from "../../src/functions/transforms/to-edgex-event.js";
import { ctxOf, eventOf, harness, reading, series, testEnv } from "./helpers.js";

describe("Batch", () => {
  let clock: ReturnType<typeof FakeTimers.install> | undefined;
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
  });

  it("passes a list on every count items", async () => {
    const { runtime, out } = await harness(batch({ count: 3 }, testEnv()));
    const outcomes: string[] = [];
    for (const e of series("t", [1, 2, 3, 4, 5, 6, 7])) outcomes.push((await runtime.run(ctxOf(), e)).outcome);
    assert.deepEqual(outcomes, ["held", "held", "completed", "held", "held", "completed", "held"]);
    assert.deepEqual(out.collected.map((b) => (b as Event[]).length), [3, 3]);
    assert.equal(runtime.status().held, 5);
    await runtime.stop();
    assert.deepEqual(out.collected.map((b) => (b as Event[]).length), [3, 3, 1], "stop passes on what was held");
  });

  it("passes a list on once it reaches bytes", async () => {
    const { runtime, out } = await harness(batch({ bytes: 25 }, testEnv()));
    for (const s of ["0123456789", "0123456789", "0123456789", "x"]) await runtime.run(ctxOf(), s);
    assert.deepEqual(out.collected, [["0123456789", "0123456789", "0123456789"]]);
    await runtime.stop();
  });

  it("passes a list on interval after its first item", async () => {
    clock = FakeTimers.install({ now: 0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { runtime, out } = await harness(batch({ interval: "5s", count: 100 }, testEnv()));
    await runtime.run(ctxOf(), "a");
    await clock.tickAsync(3000);
    await runtime.run(ctxOf(), "b");
    await clock.tickAsync(1999);
    assert.deepEqual(out.collected, []);
    await clock.tickAsync(1);
    assert.deepEqual(out.collected, [["a", "b"]]);
    await runtime.run(ctxOf(), "c");
    await clock.tickAsync(5000);
    assert.deepEqual(out.collected, [["a", "b"], ["c"]]);
    assert.equal(runtime.status().emitted, 2);
    await runtime.stop();
  });

  it("spreads lists of records into the batch", async () => {
    const { runtime, out } = await harness(batch({ count: 4 }, testEnv()));
    await runtime.run(ctxOf(), [{ a: 1 }, { a: 2 }, { a: 3 }]);
    await runtime.run(ctxOf(), [{ a: 4 }, { a: 5 }]);
    assert.deepEqual(out.collected, [[{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }]]);
    await runtime.stop();
  });

  it("needs count, bytes or interval", () => {
    assert.throws(() => batch({}, testEnv()), ValidationError);
  });
});

describe("Compress", () => {
  it("gzips events as JSON and sets the content encoding", async () => {
    const ctx = ctxOf();
    const e = eventOf(reading("t", "1", 1));
    const out = (await compress({}, testEnv()).process(ctx, e)) as Uint8Array;
    assert.equal(ctx.contentEncoding, "gzip");
    assert.equal(ctx.contentType, "application/json");
    assert.deepEqual(parseJson(gunzipSync(out).toString("utf8")), e);
  });

  it("deflates a batch of JSON text", async () => {
    const { runtime, out } = await harness(toEdgeXEvent({}, testEnv()), compress({ algorithm: "deflate", level: 9 }, testEnv()));
    const e = eventOf(reading("t", "1", 1));
    await runtime.run(ctxOf(), e);
    assert.deepEqual(parseJson(inflateSync(out.collected[0] as Uint8Array).toString("utf8")), e);
    assert.equal(out.contexts[0]!.contentEncoding, "deflate");
  });
});

describe("Encrypt", () => {
  const key = randomBytes(32);

  it("encrypts with the key from a secret and decrypts back (iv | tag | ciphertext)", async () => {
    for (const written of [key.toString("hex"), key.toString("base64")]) {
      const fn = encrypt({ secretName: "north-key" }, testEnv({ secrets: { "north-key": written } }));
      const ctx = ctxOf();
      const sealed = (await fn.process(ctx, "hello, north")) as Uint8Array;
      assert.equal(ctx.contentType, "application/octet-stream");
      assert.equal(sealed.length, ENCRYPT_IV_BYTES + ENCRYPT_TAG_BYTES + "hello, north".length);
      assert.equal(decryptPayload(key, sealed).toString("utf8"), "hello, north");
      const again = (await fn.process(ctxOf(), "hello, north")) as Uint8Array;
      assert.notDeepEqual(Buffer.from(again), Buffer.from(sealed), "a fresh IV each time");
    }
  });

  it("writes base64 on request and fails to decrypt with another key or altered data", async () => {
    const fn = encrypt({ secretName: "k", output: "base64" }, testEnv({ secrets: { k: key.toString("hex") } }));
    const text = (await fn.process(ctxOf(), { a: 1 })) as string;
    const sealed = Buffer.from(text, "base64");
    assert.deepEqual(JSON.parse(decryptPayload(key, sealed).toString("utf8")), { a: 1 });
    assert.throws(() => decryptPayload(randomBytes(32), sealed));
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => decryptPayload(key, sealed));
  });

  it("reports a missing or malformed key, and a key in the params, at load", () => {
    const problems = (params: Record<string, unknown>, secrets: Record<string, string>): string[] => {
      try {
        encrypt(params, testEnv({ secrets }));
      } catch (err) {
        assert.ok(err instanceof ValidationError);
        return err.problems.map((p) => `${p.path}: ${/not found|cannot be read/.test(p.message) ? "missing" : /256-bit/.test(p.message) ? "malformed" : "other"}`);
      }
      return [];
    };
    assert.deepEqual(problems({ secretName: "absent" }, {}), ["secretName: missing"]);
    assert.deepEqual(problems({ secretName: "short" }, { short: "abcd" }), ["secretName: malformed"]);
    assert.deepEqual(problems({ secretName: "k", key: key.toString("hex") }, { k: key.toString("hex") }), ["key: other"]);
    assert.deepEqual(problems({}, {}), ["secretName: other"]);
  });
});

describe("AddTags", () => {
  it("adds tags to the event (a copy) and to the context", () => {
    const ctx = ctxOf({ a: "1" });
    const e = eventOf(reading("t", "1", 1));
    const out = addTags({ tags: { site: "north", line: 3 } }, testEnv()).process(ctx, e) as Event;
    assert.deepEqual(out.tags, { site: "north", line: "3" });
    assert.equal(e.tags, undefined);
    assert.deepEqual(ctx.tags, { a: "1", site: "north", line: "3" });
  });

  it("rejects empty or non-string tags", () => {
    assert.throws(() => addTags({ tags: {} }, testEnv()), ValidationError);
    assert.throws(() => addTags({ tags: { a: { b: 1 } } }, testEnv()), (err: { problems?: { path: string }[] }) => err.problems?.[0]?.path === "tags.a");
  });
});
