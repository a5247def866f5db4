import assert from "node:assert/strict";
import { newUuid } from "../src/index.js";

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newUuid", () => {
  it("makes RFC 9562 version 8 UUIDs", () => {
    for (let i = 0; i < 1000; i++) assert.match(newUuid(), UUID_V8);
  });

  it("never repeats within a process, across the sequence's byte boundaries", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300_000; i++) seen.add(newUuid());
    assert.equal(seen.size, 300_000);
  });

  it("consecutive ids differ in the sequence digits only, which count up by one", () => {
    const a = newUuid();
    const b = newUuid();
    assert.equal(a.slice(0, 24), b.slice(0, 24));
    const seq = (id: string): number => Number.parseInt(id.slice(28), 16);
    assert.equal((seq(a) + 1) >>> 0, seq(b));
  });
});
