import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@brink/bus";
import { eventSubject } from "@brink/contracts";
import type { RunningService } from "@brink/service-kit";
import { httpJson, waitFor } from "../../../test/harness/index.js";
import { addEventRequest, startAppService } from "./helpers.js";

type View = { pipeline: { status: { received: number } } };

describe("bus trigger queue group", () => {
  const dirs: string[] = [];
  const services: RunningService[] = [];
  let bus: InProcessBus;

  before(async () => {
    bus = new InProcessBus();
    await bus.connect();
  });
  after(async () => {
    for (const s of services) await s.stop();
    await bus.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("shares a pipeline's events between app-service instances (queue group app-service-<pipeline>)", async () => {
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), "brink-app-qg-"));
      dirs.push(dir);
      const svc = await startAppService(bus, dir);
      services.push(svc);
      await httpJson("PUT", `${svc.url}/api/v3/pipeline`, { name: "shared", trigger: { type: "bus" }, functions: [{ name: "ToEdgeXEvent" }] });
    }
    // A third instance with another pipeline name gets every event.
    const own = services[0]!;
    await httpJson("PUT", `${own.url}/api/v3/pipeline`, { name: "solo", trigger: { type: "bus" }, functions: [{ name: "ToEdgeXEvent" }] });

    for (let i = 0; i < 200; i++) await bus.publish(eventSubject("svc", "thermo", "d1", "temp"), addEventRequest("d1", i));
    const received = async (svc: RunningService, name: string): Promise<number> => (await httpJson<View>("GET", `${svc.url}/api/v3/pipeline/name/${name}`)).body.pipeline.status.received;
    await waitFor(async () => (await received(services[0]!, "shared")) + (await received(services[1]!, "shared")) === 200);
    assert.equal(await received(own, "solo"), 200);
    assert.ok((await received(services[0]!, "shared")) > 0 && (await received(services[1]!, "shared")) > 0, "both members got some");
  });
});
