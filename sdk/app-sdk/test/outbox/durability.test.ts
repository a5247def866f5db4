import { strict as assert } from "node:assert";
import { fileURLToPath } from "node:url";
import { startProcess, waitFor, type ProcessHandle } from "../../../../test/harness/index.js";
import { SqliteOutbox } from "../../src/outbox/sqlite-outbox.js";
import { tempDir, text } from "./helpers.js";

const CHILD = fileURLToPath(new URL("./fixtures/enqueue-child.ts", import.meta.url));

describe("SqliteOutbox durability", () => {
  let tmp: ReturnType<typeof tempDir>;
  let child: ProcessHandle | undefined;

  before(() => {
    tmp = tempDir();
  });
  after(async () => {
    await child?.kill9();
    tmp.remove();
  });

  it("keeps every enqueue whose promise resolved when the process is killed with SIGKILL", async function () {
    this.timeout(60_000);
    child = await startProcess({
      cmd: process.execPath,
      args: ["--conditions=brink-src", "--import", "tsx", CHILD, tmp.dir],
      name: "enqueue-child",
      readyWhen: { stdoutMatch: /resolved \d+/ },
      timeoutMs: 30_000,
    });
    const resolvedCount = (): number => {
      const all = [...child!.output().matchAll(/resolved (\d+)/g)];
      return all.length === 0 ? 0 : Number(all[all.length - 1]![1]);
    };
    await waitFor(() => resolvedCount() >= 20_000, { timeoutMs: 30_000, message: "the child resolved 20,000 enqueues" });
    const exit = await child.kill9();
    assert.equal(exit.signal, "SIGKILL");
    const reported = resolvedCount();

    const outbox = new SqliteOutbox({ dataDir: tmp.dir });
    outbox.start();
    try {
      const stored = outbox.peek("cloud", 10_000_000).map(text);
      assert.ok(stored.length >= reported, `${stored.length} stored, ${reported} resolved`);
      // A contiguous prefix, in order: nothing resolved is missing, nothing is out of order.
      for (let i = 0; i < stored.length; i++) if (stored[i] !== String(i)) assert.fail(`message ${i} is ${stored[i]}`);
      assert.equal(outbox.stats("cloud").depth, stored.length);
    } finally {
      outbox.stop();
    }
  });
});
