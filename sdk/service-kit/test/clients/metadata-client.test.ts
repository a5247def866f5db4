import assert from "node:assert/strict";
import { InProcessBus } from "@brink/bus";
import { AdminState, ErrorCode, ErrorKind, OperatingState, type Device, type Event, type ServiceError } from "@brink/contracts";
import { BatchStatus, DataClient, MetadataClient, createLogger, loadConfig, startService, throwOnBatchFailure, type RunningService } from "../../src/index.js";
import { fakeMetadata, newFakeState, type FakeState } from "../support/fake-metadata.js";
import { LogSink } from "../support/service.js";

function device(name: string): Device {
  return { name, adminState: AdminState.Unlocked, operatingState: OperatingState.Up, serviceName: "device-virtual", profileName: "Random", protocols: { other: {} } };
}

describe("MetadataClient and DataClient", () => {
  let service: RunningService;
  let state: FakeState;
  let metadata: MetadataClient;
  before(async () => {
    state = newFakeState();
    service = await startService(fakeMetadata(state), {
      bus: new InProcessBus(),
      env: {},
      overrides: { service: { port: 0 } },
      logger: createLogger({ level: "silent", destination: new LogSink() }),
    });
    metadata = MetadataClient.fromConfig(loadConfig({ name: "device-virtual", defaultPort: 59900 }, { env: { BRINK_CLIENTS_CORE_METADATA_URL: service.url } }));
  });
  after(() => service.stop({ force: true }));

  it("adds devices in a batch, reporting a duplicate as `exists` and a bad item as `failed`", async () => {
    const first = await metadata.addDevices([device("d1"), device("d2")]);
    assert.deepEqual(first.map((r) => [r.status, r.statusCode, r.id]), [
      [BatchStatus.Ok, 201, "id-d1"],
      [BatchStatus.Ok, 201, "id-d2"],
    ]);
    const second = await metadata.addDevices([device("d1"), device(""), device("d3")]);
    assert.deepEqual(second.map((r) => r.status), [BatchStatus.Exists, BatchStatus.Failed, BatchStatus.Ok]);
    assert.equal(second[0]?.error?.code, ErrorCode.DuplicateName);
    assert.equal(second[1]?.error?.kind, ErrorKind.ContractInvalid);
    assert.throws(() => throwOnBatchFailure(second), (err: ServiceError) => err.kind === ErrorKind.ContractInvalid);
    assert.doesNotThrow(() => throwOnBatchFailure([second[0]!, second[2]!]));
    assert.throws(() => throwOnBatchFailure([second[0]!], { allowExisting: false }), (err: ServiceError) => err.code === ErrorCode.DuplicateName);
  });

  it("gets one device, and NotFound for an unknown one", async () => {
    assert.equal((await metadata.getDevice("d1")).name, "d1");
    await assert.rejects(metadata.getDevice("nope"), (err: ServiceError) => err.kind === ErrorKind.EntityDoesNotExist && err.code === ErrorCode.NotFound);
  });

  it("fetches every page of a list", async () => {
    await metadata.addDevices([device("d4"), device("d5")]);
    const all = await metadata.getDevices();
    assert.deepEqual(all.map((d) => d.name).sort(), ["d1", "d2", "d3", "d4", "d5"]);
    assert.ok(state.pageRequests.length >= 3, "the fake caps pages at 2, so several pages were fetched");
  });

  it("updates a device with PATCH and throws the item error for an unknown one", async () => {
    await metadata.updateDevice({ name: "d2", adminState: AdminState.Locked });
    assert.equal(state.devices.get("d2")?.adminState, AdminState.Locked);
    await assert.rejects(metadata.updateDevice({ name: "ghost", adminState: AdminState.Locked }), (err: ServiceError) => err.kind === ErrorKind.EntityDoesNotExist);
  });

  it("deletes a device, and NotFound after", async () => {
    await metadata.deleteDevice("d5");
    assert.equal(state.devices.has("d5"), false);
    await assert.rejects(metadata.deleteDevice("d5"), (err: ServiceError) => err.code === ErrorCode.NotFound);
  });

  it("posts an event to core-data's path with its int64 origin intact", async () => {
    const data = new DataClient({ baseUrl: service.url });
    const event: Event = {
      id: "e1",
      deviceName: "dev 1",
      profileName: "prof",
      sourceName: "src",
      origin: 1692721935934211905n,
      readings: [{ origin: 1692721935934211905n, deviceName: "dev 1", profileName: "prof", resourceName: "r", valueType: "Int64", value: "9007199254740993" }],
    };
    assert.equal(await data.addEvent(event), "e1");
    assert.deepEqual(state.events, ["prof/dev 1/src"]);
  });
});
