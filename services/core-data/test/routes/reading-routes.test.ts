import assert from "node:assert/strict";
import { InProcessBus } from "@brink/bus";
import { API_VERSION, type AddEventRequest, type Reading } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson } from "../../../../test/harness/index.js";
import { tempDir } from "../store/fixtures.js";
import { addEventRequest, getWithBody, startCoreData, type LogLine } from "../helpers.js";

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

interface ReadingsBody {
  apiVersion: string;
  statusCode: number;
  totalCount: number;
  readings: Reading[];
}

describe("reading routes", () => {
  let bus: InProcessBus;
  let tmp: ReturnType<typeof tempDir>;
  let service: RunningService;
  let url: string;
  const logs: LogLine[] = [];

  const get = <T = ReadingsBody>(path: string) => httpJson<T>("GET", `${url}/api/v3/reading/${path}`);

  before(async () => {
    bus = new InProcessBus();
    await bus.connect();
    tmp = tempDir();
    service = await startCoreData(bus, tmp.dir, logs);
    url = service.url;
    // dev-a: 3 events at T0, T0+1s, T0+2s; dev-b: 1 event at T0+3s; each with res0 = 10, res1 = 11.
    const requests: AddEventRequest[] = [0, 1, 2].map((i) => addEventRequest("dev-a", T0 + BigInt(i) * SEC));
    requests.push(addEventRequest("dev-b", T0 + 3n * SEC));
    const big = addEventRequest("dev-c", T0 + 4n * SEC, 1);
    big.event.readings[0] = { ...big.event.readings[0]!, valueType: "Int64", value: "9007199254740993" } as Reading;
    requests.push(big);
    for (const req of requests) {
      const res = await httpJson("POST", `${url}/api/v3/event/prof/${req.event.deviceName}/src`, req);
      assert.equal(res.status, 201);
    }
  });

  after(async () => {
    await service.stop();
    await bus.close();
    tmp.remove();
  });

  it("GET /reading/all answers a MultiReadingsResponse, newest first", async () => {
    const res = await get("all?limit=3");
    assert.equal(res.status, 200);
    assert.equal(res.body.apiVersion, API_VERSION);
    assert.equal(res.body.statusCode, 200);
    assert.equal(res.body.totalCount, 9);
    assert.deepEqual(res.body.readings.map((r) => r.deviceName), ["dev-c", "dev-b", "dev-b"]);
    const first = res.body.readings[1]!;
    assert.deepEqual(Object.keys(first).sort(), ["deviceName", "id", "origin", "profileName", "resourceName", "value", "valueType"]);
  });

  it("GET /reading/count and /reading/count/device/name/{name} count readings", async () => {
    assert.equal((await get<{ count: number }>("count")).body.count, 9);
    assert.equal((await get<{ count: number }>("count/device/name/dev-a")).body.count, 6);
    assert.equal((await get<{ count: number }>("count/device/name/nobody")).body.count, 0);
  });

  it("filters by device, by resource, and by both", async () => {
    const byDevice = await get("device/name/dev-a");
    assert.equal(byDevice.body.totalCount, 6);
    const byResource = await get("resourceName/res1");
    assert.equal(byResource.body.totalCount, 4);
    const both = await get("device/name/dev-a/resourceName/res0?offset=1");
    assert.equal(both.body.totalCount, 3);
    assert.deepEqual(both.body.readings.map((r) => r.origin), [T0 + SEC, T0]);
  });

  it("filters by time range, alone and with resource and device", async () => {
    assert.equal((await get(`start/${T0 + SEC}/end/${T0 + 2n * SEC}`)).body.totalCount, 4);
    assert.equal((await get(`resourceName/res0/start/${T0}/end/${T0 + 3n * SEC}`)).body.totalCount, 4);
    assert.equal((await get(`device/name/dev-a/resourceName/res1/start/${T0 + 2n * SEC}/end/${T0 + 9n * SEC}`)).body.totalCount, 1);
    assert.equal((await get(`device/name/dev-a/start/${T0}/end/${T0 + SEC}`)).body.totalCount, 4);
    const bad = await get<{ code: string }>(`start/${T0}/end/${T0 - 1n}`);
    assert.equal(bad.status, 400);
  });

  it("takes resourceNames in the body of the device + time range query; rejects a malformed list", async () => {
    const path = `${url}/api/v3/reading/device/name/dev-a/start/${T0}/end/${T0 + 9n * SEC}`;
    const res = await getWithBody<ReadingsBody>(path, { resourceNames: ["res1"] });
    assert.equal(res.status, 200);
    assert.equal(res.body.totalCount, 3);
    assert.ok(res.body.readings.every((r) => r.resourceName === "res1"));
    const bad = await getWithBody<{ code: string }>(path, { resourceNames: "res1" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "REQUEST_INVALID");
  });

  it("answers 416 RANGE_NOT_SATISFIABLE when offset is past the total", async () => {
    const res = await get<{ code: string; statusCode: number }>("device/name/dev-b?offset=3");
    assert.equal(res.status, 416);
    assert.equal(res.body.statusCode, 416);
    assert.equal(res.body.code, "RANGE_NOT_SATISFIABLE");
  });

  it("numeric=true writes numbers, keeping an Int64 above 2^53 exact", async () => {
    const res = await get("device/name/dev-c?numeric=true");
    assert.match(res.text, /"value":9007199254740993[,}]/);
    const plain = await get("device/name/dev-c");
    assert.equal(plain.body.readings[0] && "value" in plain.body.readings[0] ? plain.body.readings[0].value : undefined, "9007199254740993");
  });

  it("aggregateFunc aggregates numeric readings per device and resource", async () => {
    const sum = await get<{ aggregateFunc: string; readings: { deviceName: string; resourceName: string; valueType: string; value: unknown }[] }>(
      "device/name/dev-a?aggregateFunc=sum",
    );
    assert.equal(sum.status, 200);
    assert.equal(sum.body.aggregateFunc, "SUM");
    assert.deepEqual(
      sum.body.readings.map((r) => [r.resourceName, r.valueType, r.value]),
      [["res0", "Int64", 30], ["res1", "Int64", 33]],
    );
    const avg = await get<{ readings: { valueType: string; value: unknown }[] }>(`resourceName/res1/start/${T0}/end/${T0 + 9n * SEC}?aggregateFunc=AVG`);
    assert.deepEqual(avg.body.readings.map((r) => [r.valueType, r.value]), [["Float64", 11], ["Float64", 11]]);
    const bad = await get<{ code: string }>("all?aggregateFunc=MEDIAN");
    assert.equal(bad.status, 400);
  });
});
