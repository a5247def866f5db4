/**
 * The examples of docs/app-service.md run: every YAML pipeline document loads with every function app-service
 * knows, the JSON definition of the PUT example compiles, and the trigger example's body is a valid event.
 */
import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { eventOfPayload, loadPipelinesText } from "@brink/app-sdk";
import { parseJson } from "@brink/contracts";
import { pino } from "pino";
import { ExportBindings, compileBody } from "../src/index.js";

const DOC = readFileSync(new URL("../../../docs/app-service.md", import.meta.url), "utf8");
const KEY = randomBytes(32).toString("base64");

function loader(): Parameters<typeof loadPipelinesText>[1] {
  return {
    registry: new ExportBindings().registry,
    env: {
      logger: pino({ level: "silent" }),
      dataDir: "/nonexistent",
      secret: (name) => {
        if (name !== "north-key") throw new Error(`no secret ${name}`);
        return KEY;
      },
      outbox: { enqueue: () => Promise.resolve(), peek: () => [], ack: () => undefined, deadLetter: () => undefined, stats: () => ({ depth: 0, bytes: 0, dropped: 0, deadLettered: 0 }) },
    },
  };
}

describe("docs/app-service.md examples", () => {
  const yamlBlocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.startsWith("pipelines:"));
  const curlBodies = [...DOC.matchAll(/curl -X (PUT|POST) (\S+) -H 'Content-Type: application\/json' -d '([\s\S]*?)'\n/g)].map((m) => ({ method: m[1]!, url: m[2]!, body: m[3]! }));

  it("finds the examples", () => {
    assert.ok(yamlBlocks.length >= 5, `${yamlBlocks.length} YAML pipeline examples`);
    assert.deepEqual(curlBodies.map((c) => c.url), ["http://127.0.0.1:59700/api/v3/pipeline", "http://127.0.0.1:59700/api/v3/trigger"]);
  });

  it("loads every YAML pipeline example", () => {
    for (const block of yamlBlocks) {
      const compiled = loadPipelinesText(block, loader());
      assert.ok(compiled.length > 0);
    }
  });

  it("compiles the PUT example and reads the trigger example as an event", () => {
    const [put, trigger] = curlBodies;
    assert.equal(compileBody(parseJson(put!.body), loader())[0]!.definition.name, "boilers");
    assert.equal(eventOfPayload(parseJson(trigger!.body)).deviceName, "boiler-1");
  });
});
