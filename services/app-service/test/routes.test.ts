import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@brink/bus";
import type { RunningService } from "@brink/service-kit";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { addEventRequest, startAppService } from "./helpers.js";

interface Problem {
  path: string;
  message: string;
  line?: number;
}
interface ErrorBody {
  code: string;
  kind: string;
  details?: { problems?: Problem[] };
}

const BAD_YAML = `pipelines:
  - name: north
    trigger: { type: bus, subjects: ["edgex/events/device/#"] }
    functions:
      - name: FilterByDeviceName
        params: { patterns: ["boiler-(\\\\d+"] }
      - name: ToEdgexEvent
      - name: Template
        params: { expression: "{ 'a': " }
`;

const httpPipeline = (name: string, extra: Record<string, unknown>[] = []): Record<string, unknown> => ({
  name,
  trigger: { type: "http" },
  functions: [{ name: "AddTags", params: { tags: { via: name } } }, ...extra, { name: "ToEdgeXEvent" }],
});

describe("app-service REST", () => {
  let dataDir: string;
  let bus: InProcessBus;
  let svc: RunningService | undefined;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-"));
    bus = new InProcessBus();
    await bus.connect();
  });
  afterEach(async () => {
    await svc?.stop();
    svc = undefined;
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 400 listing every problem of a bad YAML definition, with paths and lines", async () => {
    svc = await startAppService(bus, dataDir);
    const res = await httpJson<ErrorBody>("PUT", `${svc.url}/api/v3/pipeline`, BAD_YAML, { "content-type": "application/yaml" });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "PIPELINE_INVALID");
    const problems = res.body.details!.problems!;
    assert.deepEqual(
      problems.map((p) => [p.path, p.line]),
      [
        ["pipelines[0].functions[0].params.patterns[0]", 6],
        ["pipelines[0].functions[1].name", 7],
        ["pipelines[0].functions[2].params.expression", 9],
      ],
    );
    assert.match(problems[0]!.message, /invalid regex/);
    assert.match(problems[1]!.message, /unknown function "ToEdgexEvent"/);
    assert.match(problems[2]!.message, /JSONata syntax error at position/);
    const all = await httpJson<{ totalCount: number }>("GET", `${svc.url}/api/v3/pipeline/all`);
    assert.equal(all.body.totalCount, 0, "nothing was created");
  });

  it("answers 400 listing every problem of a bad JSON definition", async () => {
    svc = await startAppService(bus, dataDir);
    const res = await httpJson<ErrorBody>("PUT", `${svc.url}/api/v3/pipeline`, {
      name: "bad name",
      trigger: { type: "bus", subjects: ["edgex/#/x"] },
      functions: [{ name: "Nope" }, { name: "Window", params: { size: "soon", functions: ["median"] } }],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details!.problems!.map((p) => p.path), [
      "name",
      "trigger.subjects[0]",
      "functions[0].name",
      "functions[1].params.size",
      "functions[1].params.functions[0]",
    ]);
  });

  it("creates, replaces, reads, deletes pipelines, and keeps REST changes across a restart", async () => {
    const file = path.join(dataDir, "pipelines.yaml");
    writeFileSync(file, `pipelines:\n  - name: from-file\n    trigger: { type: http }\n    functions: [{ name: ToEdgeXEvent }]\n  - name: doomed\n    trigger: { type: http }\n    functions: [{ name: ToEdgeXEvent }]\n`);
    svc = await startAppService(bus, dataDir, { pipelines: { file } });
    const put1 = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, httpPipeline("api-one"));
    assert.equal(put1.status, 201);
    const put2 = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, { apiVersion: "v3", pipeline: httpPipeline("api-one", [{ name: "NaNFilter" }]) });
    assert.equal(put2.status, 200, "replaced");
    const replaceFile = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, "name: from-file\ntrigger: { type: http }\nfunctions: [{ name: ToFlatRecords }]\n", { "content-type": "text/yaml" });
    assert.equal(replaceFile.status, 200);
    assert.equal((await httpJson("DELETE", `${svc.url}/api/v3/pipeline/name/doomed`)).status, 200);
    assert.equal((await httpJson("DELETE", `${svc.url}/api/v3/pipeline/name/doomed`)).status, 404);

    const one = await httpJson<{ pipeline: { definition: { functions: { name: string }[] }; source: string; status: { state: string } } }>("GET", `${svc.url}/api/v3/pipeline/name/api-one`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.pipeline.definition.functions.map((f) => f.name), ["AddTags", "NaNFilter", "ToEdgeXEvent"]);
    assert.equal(one.body.pipeline.source, "api");
    assert.equal(one.body.pipeline.status.state, "running");

    await svc.stop();
    svc = await startAppService(bus, dataDir, { pipelines: { file } });
    const all = await httpJson<{ totalCount: number; pipelines: { definition: { name: string; functions: { name: string }[] }; source: string }[] }>("GET", `${svc.url}/api/v3/pipeline/all`);
    const byName = new Map(all.body.pipelines.map((p) => [p.definition.name, p]));
    assert.deepEqual([...byName.keys()].sort(), ["api-one", "from-file"], "the deleted file pipeline stays deleted");
    assert.deepEqual(byName.get("from-file")!.definition.functions.map((f) => f.name), ["ToFlatRecords"], "the REST replacement wins over the file");
    assert.equal(byName.get("from-file")!.source, "api");
    assert.deepEqual(byName.get("api-one")!.definition.functions.map((f) => f.name), ["AddTags", "NaNFilter", "ToEdgeXEvent"]);
    assert.equal((await httpJson("GET", `${svc.url}/api/v3/pipeline/name/doomed`)).status, 404);
  });

  it("refuses a pipeline past maxPipelines with 413 PIPELINE_LIMIT", async () => {
    svc = await startAppService(bus, dataDir, { pipelines: { maxPipelines: 1 } });
    assert.equal((await httpJson("PUT", `${svc.url}/api/v3/pipeline`, httpPipeline("a"))).status, 201);
    const res = await httpJson<ErrorBody>("PUT", `${svc.url}/api/v3/pipeline`, httpPipeline("b"));
    assert.equal(res.status, 413);
    assert.equal(res.body.code, "PIPELINE_LIMIT");
    assert.equal((await httpJson("PUT", `${svc.url}/api/v3/pipeline`, httpPipeline("a"))).status, 200, "replacing is not creating");
  });

  it("refuses two exports naming one target with different settings, changing nothing", async () => {
    svc = await startAppService(bus, dataDir);
    const withTarget = (name: string, url: string): Record<string, unknown> => ({
      name,
      trigger: { type: "http" },
      functions: [{ name: "MqttExport", params: { url, target: "north" } }],
    });
    assert.equal((await httpJson("PUT", `${svc.url}/api/v3/pipeline`, withTarget("a", "mqtt://127.0.0.1:1"))).status, 201);
    const res = await httpJson<ErrorBody>("PUT", `${svc.url}/api/v3/pipeline`, withTarget("b", "mqtt://127.0.0.1:2"));
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "EXPORT_TARGET_CONFLICT");
    const all = await httpJson<{ pipelines: { definition: { name: string } }[] }>("GET", `${svc.url}/api/v3/pipeline/all`);
    assert.deepEqual(all.body.pipelines.map((p) => p.definition.name), ["a"]);
    assert.equal((await httpJson("PUT", `${svc.url}/api/v3/pipeline`, withTarget("a", "mqtt://127.0.0.1:2"))).status, 200, "the one pipeline using it may change it");
  });

  it("runs POST /api/v3/trigger through the http pipelines and answers their output", async () => {
    svc = await startAppService(bus, dataDir);
    const none = await httpJson<ErrorBody>("POST", `${svc.url}/api/v3/trigger`, addEventRequest("dev1", 1));
    assert.equal(none.status, 404);
    assert.equal(none.body.code, "NO_HTTP_PIPELINE");
    await httpJson("PUT", `${svc.url}/api/v3/pipeline`, { pipelines: [httpPipeline("t1"), httpPipeline("t2", [{ name: "FilterByDeviceName", params: { names: ["other"] } }])] });
    const req = addEventRequest("dev1", 21.5);
    const res = await httpJson<{ eventId: string; results: { pipeline: string; outcome: string; function?: string; data?: string; contentType?: string }[] }>("POST", `${svc.url}/api/v3/trigger`, req);
    assert.equal(res.status, 200);
    assert.equal(res.body.eventId, req.event.id);
    const byName = new Map(res.body.results.map((r) => [r.pipeline, r]));
    assert.equal(byName.get("t1")!.outcome, "completed");
    assert.equal(byName.get("t1")!.contentType, "application/json");
    const out = JSON.parse(byName.get("t1")!.data!) as { id: string; tags: Record<string, string> };
    assert.equal(out.id, req.event.id);
    assert.deepEqual(out.tags, { via: "t1" });
    assert.deepEqual([byName.get("t2")!.outcome, byName.get("t2")!.function], ["filtered", "FilterByDeviceName"]);
    const bare = await httpJson<{ results: unknown[] }>("POST", `${svc.url}/api/v3/trigger`, req.event);
    assert.equal(bare.status, 200, "a bare event is taken too");
    const bad = await httpJson<ErrorBody>("POST", `${svc.url}/api/v3/trigger`, { event: { deviceName: "x" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "EVENT_INVALID");
  });

  it("dead-letters what an HTTP target refuses, lists it, retries and deletes it", async () => {
    let accept = false;
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        if (accept) received.push(body);
        res.statusCode = accept ? 200 : 400;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      svc = await startAppService(bus, dataDir);
      const put = await httpJson("PUT", `${svc.url}/api/v3/pipeline`, {
        name: "to-http",
        trigger: { type: "http" },
        functions: [{ name: "ToEdgeXEvent" }, { name: "HttpExport", params: { url: `http://127.0.0.1:${port}/in`, target: "sink" } }],
      });
      assert.equal(put.status, 201);
      await httpJson("POST", `${svc.url}/api/v3/trigger`, addEventRequest("dev1", 1));
      await httpJson("POST", `${svc.url}/api/v3/trigger`, addEventRequest("dev1", 2));
      type Page = { totalCount: number; deadLetters: { id: number; target: string; reason: string; payload: string }[] };
      const page = await waitFor(async () => {
        const r = await httpJson<Page>("GET", `${svc!.url}/api/v3/deadletter/all?target=sink`);
        return r.body.totalCount === 2 ? r.body : undefined;
      });
      assert.match(page.deadLetters[0]!.reason, /400/);
      const first = JSON.parse(Buffer.from(page.deadLetters[0]!.payload, "base64").toString("utf8")) as { readings: { value: string }[] };
      assert.equal(first.readings[0]!.value, "1");
      const view = await httpJson<{ pipeline: { exports: { target: string; outbox: { deadLettered: number; depth: number } }[] } }>("GET", `${svc.url}/api/v3/pipeline/name/to-http`);
      assert.deepEqual(view.body.pipeline.exports.map((e) => [e.target, e.outbox.deadLettered, e.outbox.depth]), [["sink", 2, 0]]);

      accept = true;
      const retry = await httpJson<{ seq: number }>("POST", `${svc.url}/api/v3/deadletter/id/${page.deadLetters[0]!.id}/retry`);
      assert.equal(retry.status, 200);
      await waitFor(() => received.length === 1);
      assert.equal((JSON.parse(received[0]!) as { readings: { value: string }[] }).readings[0]!.value, "1");
      assert.equal((await httpJson("DELETE", `${svc.url}/api/v3/deadletter/id/${page.deadLetters[1]!.id}`)).status, 200);
      assert.equal((await httpJson("DELETE", `${svc.url}/api/v3/deadletter/id/${page.deadLetters[1]!.id}`)).status, 404);
      const after = await httpJson<Page>("GET", `${svc.url}/api/v3/deadletter/all`);
      assert.equal(after.body.totalCount, 0);
    } finally {
      await svc?.stop();
      svc = undefined;
      await new Promise((r) => server.close(r));
    }
  });
});
