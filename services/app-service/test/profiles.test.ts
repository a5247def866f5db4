import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@brink/bus";
import { API_VERSION, nowNanos, systemEventSubject, type DeviceProfile } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { addEventRequest, startAppService } from "./helpers.js";

function profile(maximum: number): DeviceProfile {
  return {
    name: "thermo",
    deviceResources: [{ name: "temp", properties: { valueType: "Float64", readWrite: "R", minimum: -10, maximum } }],
  };
}

describe("RangeCheck with bounds from core-metadata's profiles", () => {
  let server: http.Server;
  let requests = 0;
  let bus: InProcessBus;
  let dataDir: string;
  let svc: RunningService | undefined;

  before(async () => {
    // A stand-in for core-metadata's GET /api/v3/deviceprofile/all, over real HTTP.
    server = http.createServer((req, res) => {
      requests++;
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/api/v3/deviceprofile/all")) res.end(JSON.stringify({ apiVersion: API_VERSION, statusCode: 200, totalCount: 1, profiles: [profile(50)] }));
      else {
        res.statusCode = 404;
        res.end(JSON.stringify({ apiVersion: API_VERSION, statusCode: 404, message: "no" }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    dataDir = mkdtempSync(path.join(os.tmpdir(), "brink-app-prof-"));
    bus = new InProcessBus();
    await bus.connect();
  });
  after(async () => {
    await svc?.stop();
    await bus.close();
    await new Promise((r) => server.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reads the profiles before the pipeline starts and follows profile updates", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    svc = await startAppService(bus, dataDir, { profiles: { fromMetadata: true }, clients: { coreMetadataUrl: url } });
    assert.equal(requests, 0, "profiles are read only for a pipeline with a RangeCheck");
    await httpJson("PUT", `${svc.url}/api/v3/pipeline`, { name: "range", trigger: { type: "http" }, functions: [{ name: "RangeCheck" }] });
    assert.equal(requests, 1);

    const outcome = async (value: number): Promise<string> => {
      const res = await httpJson<{ results: { outcome: string }[] }>("POST", `${svc!.url}/api/v3/trigger`, addEventRequest("d1", value));
      return res.body.results[0]!.outcome;
    };
    assert.deepEqual([await outcome(49), await outcome(51), await outcome(-11)], ["completed", "filtered", "filtered"]);

    // core-metadata announces an update of the profile: the new maximum applies.
    await bus.publish(systemEventSubject("deviceprofile", "update", "core-metadata", "thermo"), {
      apiVersion: API_VERSION, type: "deviceprofile", action: "update", source: "core-metadata", owner: "core-metadata", details: profile(60), timestamp: nowNanos(),
    });
    await waitFor(async () => (await outcome(55)) === "completed");
    assert.equal(await outcome(61), "filtered");
  });
});
