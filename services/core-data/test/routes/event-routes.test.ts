import assert from "node:assert/strict";
import { InProcessBus } from "@brink/bus";
import { API_VERSION, type AddEventRequest, type Event } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson } from "../../../../test/harness/index.js";
import { tempDir } from "../store/fixtures.js";
import { addEventRequest, startCoreData, type LogLine } from "../helpers.js";

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

interface ErrorBody {
  statusCode: number;
  code: string;
  kind: string;
  details?: { problems?: { path: string; message: string }[] };
}
interface EventsBody {
  statusCode: number;
  totalCount: number;
  events: Event[];
}

describe("event routes", () => {
  let bus: InProcessBus;
  let tmp: ReturnType<typeof tempDir>;
  let service: RunningService;
  const logs: LogLine[] = [];
  let url: string;

  const post = (req: AddEventRequest, path = `${req.event.profileName}/${req.event.deviceName}/${req.event.sourceName}`) =>
    httpJson<Record<string, unknown>>("POST", `${url}/api/v3/event/${path}`, req);

  before(async () => {
    bus = new InProcessBus();
    await bus.connect();
    tmp = tempDir();
    service = await startCoreData(bus, tmp.dir, logs);
    url = service.url;
  });

  after(async () => {
    await service.stop();
    await bus.close();
    tmp.remove();
  });

  describe("POST /api/v3/event/{profileName}/{deviceName}/{sourceName}", () => {
    it("stores the event, answers 201 with its id, and GET /event/id returns it with origin exact", async () => {
      const req = addEventRequest("post-dev", 9007199254740993n);
      const res = await post(req);
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { apiVersion: API_VERSION, requestId: req.requestId, statusCode: 201, id: req.event.id });
      const got = await httpJson<{ statusCode: number; event: Event }>("GET", `${url}/api/v3/event/id/${req.event.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.event, req.event);
      assert.match(got.text, /"origin":9007199254740993[,}]/);
    });

    it("also takes EdgeX's path with the device service name first", async () => {
      const req = addEventRequest("post-dev-4", T0);
      const res = await post(req, `device-virtual/prof/post-dev-4/src`);
      assert.equal(res.status, 201);
      const count = await httpJson<{ count: number }>("GET", `${url}/api/v3/event/count/device/name/post-dev-4`);
      assert.equal(count.body.count, 1);
    });

    it("republishes the event on edgex.events.core.<profile>.<device>.<source>", async () => {
      const seen: AddEventRequest[] = [];
      const sub = bus.subscribe<AddEventRequest>("edgex.events.core.prof.pub%2Edev.src", (msg) => void seen.push(msg.envelope.payload));
      try {
        const req = addEventRequest("pub.dev", T0);
        assert.equal((await post(req, "prof/pub.dev/src")).status, 201);
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(seen[0]?.event.id, req.event.id);
      } finally {
        sub.unsubscribe();
      }
    });

    it("answers 400 EVENT_INVALID naming each field that differs from the path", async () => {
      const req = addEventRequest("real-dev", T0);
      const res = await httpJson<ErrorBody>("POST", `${url}/api/v3/event/other-prof/other-dev/src`, req);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, "EVENT_INVALID");
      assert.deepEqual(res.body.details?.problems?.map((p) => p.path), ["event.profileName", "event.deviceName"]);
    });

    it("answers 400 EVENT_INVALID listing the problems of an invalid event", async () => {
      const req = addEventRequest("bad-dev", T0);
      const body = { ...req, event: { ...req.event, readings: [{ ...req.event.readings[0], value: "not a number" }], origin: -5 } };
      const res = await httpJson<ErrorBody>("POST", `${url}/api/v3/event/prof/bad-dev/src`, body);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, "EVENT_INVALID");
      assert.deepEqual(res.body.details?.problems?.map((p) => p.path).sort(), ["event.origin", "event.readings[0].value"]);
      const count = await httpJson<{ count: number }>("GET", `${url}/api/v3/event/count/device/name/bad-dev`);
      assert.equal(count.body.count, 0);
    });

    it("answers 400 JSON_MALFORMED to a body that is not JSON, and 400 REQUEST_INVALID to no body", async () => {
      const res = await httpJson<ErrorBody>("POST", `${url}/api/v3/event/prof/dev/src`, '{"apiVersion": "v3", "event": {', { "content-type": "application/json" });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, "JSON_MALFORMED");
      const empty = await httpJson<ErrorBody>("POST", `${url}/api/v3/event/prof/dev/src`);
      assert.equal(empty.status, 400);
      assert.equal(empty.body.code, "REQUEST_INVALID");
    });

    it("answers 409 EVENT_DUPLICATE to an event id already stored", async () => {
      const req = addEventRequest("dup-dev", T0);
      assert.equal((await post(req)).status, 201);
      const again = await httpJson<ErrorBody>("POST", `${url}/api/v3/event/prof/dup-dev/src`, { ...req, event: { ...req.event, origin: T0 + 1n } });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, "EVENT_DUPLICATE");
    });
  });

  describe("GET and DELETE", () => {
    const ids: string[] = [];
    before(async () => {
      for (let i = 0; i < 5; i++) {
        const req = addEventRequest(i < 3 ? "q-a" : "q-b", T0 + BigInt(i) * SEC, 2, { profile: "q-prof" });
        ids.push(req.event.id);
        assert.equal((await post(req)).status, 201);
      }
    });

    it("GET /event/device/name/{name} pages the device's events newest first, with totalCount", async () => {
      const res = await httpJson<EventsBody>("GET", `${url}/api/v3/event/device/name/q-a?offset=1&limit=1`);
      assert.equal(res.status, 200);
      assert.equal(res.body.totalCount, 3);
      assert.deepEqual(res.body.events.map((e) => e.id), [ids[1]]);
      assert.equal(res.body.events[0]?.readings.length, 2);
    });

    it("GET /event/all pages every event with EdgeX's default limit of 20", async () => {
      const res = await httpJson<EventsBody>("GET", `${url}/api/v3/event/all`);
      assert.equal(res.status, 200);
      assert.equal(res.body.totalCount, res.body.events.length);
      assert.ok(res.body.events.length >= 5);
      const origins = res.body.events.map((e) => e.origin);
      assert.deepEqual(origins, [...origins].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    });

    it("answers 416 when offset is past the total, an empty list when it equals it, and 400 to a bad limit", async () => {
      const past = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/device/name/q-a?offset=4`);
      assert.equal(past.status, 416);
      assert.equal(past.body.code, "RANGE_NOT_SATISFIABLE");
      const end = await httpJson<EventsBody>("GET", `${url}/api/v3/event/device/name/q-a?offset=3`);
      assert.deepEqual([end.status, end.body.totalCount, end.body.events.length], [200, 3, 0]);
      const bad = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/all?limit=abc`);
      assert.equal(bad.status, 400);
      const tooMany = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/all?limit=5000`);
      assert.equal(tooMany.status, 400);
    });

    it("offset=-1 skips the count (totalCount 0) and limit=-1 returns up to maxResultCount", async () => {
      const res = await httpJson<EventsBody>("GET", `${url}/api/v3/event/device/name/q-a?offset=-1&limit=-1`);
      assert.equal(res.status, 200);
      assert.equal(res.body.totalCount, 0);
      assert.equal(res.body.events.length, 3);
    });

    it("GET /event/start/{start}/end/{end} filters by inclusive origin range; end before start is 400", async () => {
      const res = await httpJson<EventsBody>("GET", `${url}/api/v3/event/start/${T0 + SEC}/end/${T0 + 3n * SEC}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.events.map((e) => e.id), [ids[3], ids[2], ids[1]]);
      const bad = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/start/${T0 + SEC}/end/${T0}`);
      assert.equal(bad.status, 400);
      const notNumber = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/start/yesterday/end/${T0}`);
      assert.equal(notNumber.status, 400);
      assert.equal(notNumber.body.code, "REQUEST_INVALID");
    });

    it("GET /event/id/{id} with numeric=true writes reading values as numbers", async () => {
      const res = await httpJson<{ event: Event }>("GET", `${url}/api/v3/event/id/${ids[0]}?numeric=true`);
      assert.match(res.text, /"value":10[,}]/);
      assert.equal((res.body.event.readings[1] as unknown as { value: unknown }).value, 11);
    });

    it("GET /event/count counts every event; an unknown id is 404 NOT_FOUND", async () => {
      const all = await httpJson<EventsBody>("GET", `${url}/api/v3/event/all?limit=-1`);
      const count = await httpJson<{ statusCode: number; count: number }>("GET", `${url}/api/v3/event/count`);
      assert.deepEqual(count.body, { apiVersion: API_VERSION, statusCode: 200, count: all.body.totalCount });
      const missing = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/id/no-such-event`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, "NOT_FOUND");
    });

    it("DELETE /event/id/{id} answers 200, then 404", async () => {
      const first = await httpJson<{ statusCode: number }>("DELETE", `${url}/api/v3/event/id/${ids[4]}`);
      assert.deepEqual([first.status, first.body.statusCode], [200, 200]);
      const again = await httpJson<ErrorBody>("DELETE", `${url}/api/v3/event/id/${ids[4]}`);
      assert.equal(again.status, 404);
      const readings = await httpJson<{ count: number }>("GET", `${url}/api/v3/reading/count/device/name/q-b`);
      assert.equal(readings.body.count, 2);
    });

    it("DELETE /event/device/name/{name} answers 202 and removes the device's events and readings", async () => {
      const res = await httpJson<{ statusCode: number }>("DELETE", `${url}/api/v3/event/device/name/q-b`);
      assert.deepEqual([res.status, res.body.statusCode], [202, 202]);
      const count = await httpJson<{ count: number }>("GET", `${url}/api/v3/event/count/device/name/q-b`);
      assert.equal(count.body.count, 0);
      const readings = await httpJson<{ count: number }>("GET", `${url}/api/v3/reading/count/device/name/q-b`);
      assert.equal(readings.body.count, 0);
    });

    it("DELETE /event/age/{age} answers 202 and removes events older than now - age; a bad age is 400", async () => {
      const res = await httpJson<{ statusCode: number }>("DELETE", `${url}/api/v3/event/age/${60n * SEC}`);
      assert.equal(res.status, 202);
      // Every q-a event dates from 2023, far older than a minute.
      const count = await httpJson<{ count: number }>("GET", `${url}/api/v3/event/count/device/name/q-a`);
      assert.equal(count.body.count, 0);
      const bad = await httpJson<ErrorBody>("DELETE", `${url}/api/v3/event/age/-5`);
      assert.equal(bad.status, 400);
    });
  });

  it("answers 404 NOT_FOUND to an unknown route", async () => {
    const res = await httpJson<ErrorBody>("GET", `${url}/api/v3/event/nothing/here`);
    assert.equal(res.status, 404);
    assert.equal(res.body.code, "NOT_FOUND");
  });
});
