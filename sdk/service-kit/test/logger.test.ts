import assert from "node:assert/strict";
import { createLogger, serviceLogger } from "../src/index.js";
import { LogSink } from "./support/service.js";

describe("createLogger", () => {
  it("writes JSON lines with level, ISO time, name, and bigints as integers", () => {
    const sink = new LogSink();
    const logger = createLogger({ level: "info", name: "brink", destination: sink });
    logger.debug("hidden");
    logger.info({ origin: 1692721935934211905n }, "shown");
    assert.equal(sink.lines.length, 1);
    const line = sink.lines[0]!;
    assert.equal(line.msg, "shown");
    assert.equal(line.level, 30);
    assert.equal(line.name, "brink");
    assert.ok(sink.text.includes('"origin":1692721935934211905'), sink.text);
    assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("gives each service a child bound to its name at its own level", () => {
    const sink = new LogSink();
    const root = createLogger({ level: "info", destination: sink });
    const child = serviceLogger(root, "core-data", "debug");
    child.debug("detail");
    root.debug("not shown");
    assert.deepEqual(sink.lines.map((l) => [l.msg, l.service]), [["detail", "core-data"]]);
  });
});
