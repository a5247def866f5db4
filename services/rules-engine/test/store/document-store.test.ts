import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceError } from "@brink/contracts";
import { DocumentStore, RULES_ENGINE_DIR, RULES_FILE_NAME } from "../../src/store/document-store.js";
import type { StoredRule } from "../../src/rule/types.js";

describe("DocumentStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "brink-rules-docs-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rule = (name: string): StoredRule => ({ name, id: `id-${name}`, enabled: true, when: "t > 1", actions: [{ type: "alert" }], created: 1_717_243_200_123_456_789n, modified: 1_717_243_200_123_456_789n });

  it("keeps rules and subscriptions in rules.json, timestamps exact", async () => {
    const store = new DocumentStore(dir);
    await store.open();
    await store.putRule(rule("a"));
    await store.putRule(rule("b"));
    await store.putRule({ ...rule("a"), when: "t > 2" });
    assert.equal(await store.deleteRule("b"), true);
    assert.equal(await store.deleteRule("b"), false);
    await store.putSubscription({ name: "s", categories: ["x"], channels: [{ type: "nats", subject: "a.b" }], adminState: "UNLOCKED", id: "s1", created: 1n, modified: 2n });
    const again = new DocumentStore(dir);
    await again.open();
    assert.deepEqual(again.rules().map((r) => [r.name, r.when, r.created]), [["a", "t > 2", 1_717_243_200_123_456_789n]]);
    assert.equal(again.subscription("s")?.modified, 2n);
    assert.match(readFileSync(store.file, "utf8"), /"created": 1717243200123456789/);
  });

  it("refuses to start on a damaged file and leaves it as it is", async () => {
    mkdirSync(join(dir, RULES_ENGINE_DIR));
    const file = join(dir, RULES_ENGINE_DIR, RULES_FILE_NAME);
    for (const text of ["{ not json", '{"rules": 5}']) {
      writeFileSync(file, text);
      await assert.rejects(new DocumentStore(dir).open(), (err: unknown) => err instanceof ServiceError && err.code === "STORE_CORRUPT");
      assert.equal(readFileSync(file, "utf8"), text);
    }
  });
});
