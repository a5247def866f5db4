import { strict as assert } from "node:assert";
import { parseProfile } from "@brink/contracts";
import type { DeviceProfile } from "@brink/contracts";
import {
  call, device, deviceService, mustBatch, profile, referenceProfiles, sendBatch, startMetadata, upload, watcher,
} from "../support/metadata-service.js";
import type { MetadataUnderTest } from "../support/metadata-service.js";

type ProfileBody = { profile: DeviceProfile & { id: string; created: bigint; modified: bigint } };
type ProfilesBody = { totalCount: number; profiles: { name: string; linkedDeviceCount?: number }[] };

describe("device profile routes", () => {
  let m: MetadataUnderTest;

  beforeEach(async () => {
    m = await startMetadata();
  });

  afterEach(async () => {
    await m.close();
  });

  it("adds a batch answering 207 with 201, 400 (each problem with its path) and 409", async () => {
    const broken = profile("broken", {
      deviceResources: [{ name: "R", properties: { valueType: "Float128" as "Float32", readWrite: "R" } }],
      deviceCommands: [{ name: "C", readWrite: "R", resourceOperations: [{ deviceResource: "Missing" }] }],
    });
    const statuses = await sendBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1"), broken, profile("p1")]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [201, 400, 409]);
    assert.equal(statuses[1]!.code, "PROFILE_INVALID");
    const paths = statuses[1]!.details?.problems?.map((p) => p.path) ?? [];
    assert.ok(paths.includes("deviceResources[0].properties.valueType"), paths.join());
    assert.ok(paths.some((p) => p.startsWith("deviceCommands[0].resourceOperations[0]")), paths.join());
    const got = await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1");
    assert.equal(got.status, 200);
    assert.equal(got.body.profile.id, statuses[0]!.id);
    assert.equal(got.body.profile.deviceResources.length, 2);
  });

  it("uploads every EdgeX reference profile unchanged", async () => {
    const profiles = await referenceProfiles();
    assert.ok(profiles.length >= 7, "the reference profiles are present");
    for (const { file, text } of profiles) {
      const res = await upload(m, "POST", text, file);
      assert.equal(res.status, 201, `${file}: ${res.text}`);
      assert.match(res.body.id!, /^[0-9a-f-]{36}$/);
      const name = parseProfile(text).name;
      const got = await call<ProfileBody>(m, "GET", `/api/v3/deviceprofile/name/${encodeURIComponent(name)}`);
      assert.equal(got.status, 200, file);
      assert.equal(got.body.profile.deviceResources.length, parseProfile(text).deviceResources.length, file);
    }
    const all = await call<ProfilesBody>(m, "GET", "/api/v3/deviceprofile/all?limit=-1");
    assert.equal(all.body.totalCount, profiles.length);
  });

  it("answers 400 YAML_MALFORMED naming the line of malformed YAML", async () => {
    const res = await upload(m, "POST", 'name: "x"\nmanufacturer: "Acme"\ndeviceResources:\n  - name: "R"\n    properties: { valueType: "Int16"\n');
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, "YAML_MALFORMED");
    const lines = res.body.details?.problems?.map((p) => p.line) ?? [];
    assert.ok(lines.some((l) => typeof l === "number" && l >= 5), JSON.stringify(res.body));
  });

  it("answers 400 PROFILE_INVALID with the path and line of each problem in an uploaded profile", async () => {
    const text = 'name: "x"\ndeviceResources:\n  - name: "R"\n    properties:\n      valueType: "Int99"\n      readWrite: "R"\n';
    const res = await upload(m, "POST", text);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "PROFILE_INVALID");
    const problem = res.body.details?.problems?.find((p) => p.path === "deviceResources[0].properties.valueType");
    assert.equal(problem?.line, 5);
  });

  it("answers 409 for an uploaded profile whose name exists, and 400 for an upload without a file part", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    const dup = await upload(m, "POST", 'name: "p1"\ndeviceResources:\n  - name: "R"\n    properties: { valueType: "Int16", readWrite: "R" }\n');
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, "DUPLICATE_NAME");
    const form = new FormData();
    form.append("other", "x");
    const noFile = await fetch(`${m.url}/api/v3/deviceprofile/uploadfile`, { method: "POST", body: form });
    assert.equal(noFile.status, 400);
  });

  it("replaces profiles with PUT (batch and upload), keeping id and created", async () => {
    const [added] = await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    const before = (await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1")).body.profile;
    const statuses = await sendBatch(m, "PUT", "/api/v3/deviceprofile", "profile", [
      profile("p1", { model: "T-2000" }),
      profile("nope"),
      profile("p1", { id: "00000000-0000-4000-8000-000000000000" }),
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [200, 404, 400]);
    const after = (await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1")).body.profile;
    assert.equal(after.model, "T-2000");
    assert.equal(after.id, added!.id);
    assert.equal(after.created, before.created);
    assert.ok(after.modified > before.modified);
    const res = await upload(m, "PUT", 'name: "p1"\nmodel: "T-3000"\ndeviceResources:\n  - name: "R"\n    properties: { valueType: "Int16", readWrite: "R" }\n');
    assert.equal(res.status, 200, res.text);
    assert.equal((await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1")).body.profile.model, "T-3000");
    assert.equal((await upload(m, "PUT", 'name: "zz"\ndeviceResources: []\n')).status, 404);
  });

  it("finds profiles by manufacturer and model and lists basic info with the linked device count", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc")]);
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [
      profile("a", { manufacturer: "Acme", model: "M1" }),
      profile("b", { manufacturer: "Acme", model: "M2" }),
      profile("c", { manufacturer: "Other Co", model: "M1" }),
    ]);
    await mustBatch(m, "POST", "/api/v3/device", "device", [device("d1", "svc", "a"), device("d2", "svc", "a")]);
    const names = async (path: string): Promise<string[]> => (await call<ProfilesBody>(m, "GET", path)).body.profiles.map((p) => p.name).sort();
    assert.deepEqual(await names("/api/v3/deviceprofile/manufacturer/Acme"), ["a", "b"]);
    assert.deepEqual(await names("/api/v3/deviceprofile/model/M1"), ["a", "c"]);
    assert.deepEqual(await names("/api/v3/deviceprofile/manufacturer/Other%20Co/model/M1"), ["c"]);
    assert.deepEqual(await names("/api/v3/deviceprofile/manufacturer/Nobody"), []);
    const info = await call<ProfilesBody>(m, "GET", "/api/v3/deviceprofile/basicinfo/all");
    assert.equal(info.body.profiles.find((p) => p.name === "a")?.linkedDeviceCount, 2);
    assert.equal((info.body.profiles[0] as Record<string, unknown>).deviceResources, undefined);
  });

  it("patches basic info and serves one device resource", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    const statuses = await sendBatch(m, "PATCH", "/api/v3/deviceprofile/basicinfo", "basicinfo", [
      { name: "p1", manufacturer: "NewCo", labels: ["x"] },
      { name: "nope", model: "x" },
    ]);
    assert.deepEqual(statuses.map((s) => s.statusCode), [200, 404]);
    const after = (await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1")).body.profile;
    assert.equal(after.manufacturer, "NewCo");
    assert.equal(after.model, "T-1000");
    assert.deepEqual(after.labels, ["x"]);
    const resource = await call<{ resource: { name: string } }>(m, "GET", "/api/v3/deviceresource/profile/p1/resource/Setpoint");
    assert.equal(resource.status, 200);
    assert.equal(resource.body.resource.name, "Setpoint");
    assert.equal((await call(m, "GET", "/api/v3/deviceresource/profile/p1/resource/Nope")).status, 404);
    assert.equal((await call(m, "GET", "/api/v3/deviceresource/profile/nope/resource/Setpoint")).status, 404);
  });

  it("deletes, refusing with 409 while devices or provision watchers use the profile", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceservice", "service", [deviceService("svc")]);
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    await mustBatch(m, "POST", "/api/v3/provisionwatcher", "provisionwatcher", [watcher("w1", "svc", "p1")]);
    const inUse = await call(m, "DELETE", "/api/v3/deviceprofile/name/p1");
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.code, "ENTITY_IN_USE");
    assert.equal((await call(m, "DELETE", "/api/v3/provisionwatcher/name/w1")).status, 200);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceprofile/name/p1")).status, 200);
    assert.equal((await call(m, "GET", "/api/v3/deviceprofile/name/p1")).status, 404);
    assert.equal((await call(m, "DELETE", "/api/v3/deviceprofile/name/p1")).status, 404);
  });

  it("answers 413 BODY_TOO_LARGE for an upload or a JSON body over maxBodyBytes", async () => {
    await m.close();
    m = await startMetadata({ overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent", maxBodyBytes: 4096 } } });
    const big = `name: "big"\ndescription: "${"x".repeat(8192)}"\ndeviceResources: []\n`;
    const res = await upload(m, "POST", big);
    assert.equal(res.status, 413, res.text);
    assert.equal(res.body.code, "BODY_TOO_LARGE");
    const json = await call(m, "POST", "/api/v3/deviceprofile", [{ apiVersion: "v3", profile: profile("big", { description: "x".repeat(8192) }) }]);
    assert.equal(json.status, 413);
    assert.equal((await call(m, "GET", "/api/v3/deviceprofile/name/big")).status, 404);
  });
});

describe("device profile routes with strict profile options", () => {
  let m: MetadataUnderTest;

  before(async () => {
    m = await startMetadata({ overrides: { strictDeviceProfileChanges: true, strictDeviceProfileDeletes: true } });
  });

  after(async () => {
    await m.close();
  });

  it("answers 423 PROFILE_LOCKED to updates and deletes", async () => {
    await mustBatch(m, "POST", "/api/v3/deviceprofile", "profile", [profile("p1")]);
    const put = await call(m, "PUT", "/api/v3/deviceprofile", [{ apiVersion: "v3", profile: profile("p1", { model: "x" }) }]);
    assert.equal(put.status, 423);
    assert.equal(put.body.code, "PROFILE_LOCKED");
    const del = await call(m, "DELETE", "/api/v3/deviceprofile/name/p1");
    assert.equal(del.status, 423);
    assert.equal((await upload(m, "PUT", 'name: "p1"\ndeviceResources: []\n')).status, 423);
    assert.equal((await call<ProfileBody>(m, "GET", "/api/v3/deviceprofile/name/p1")).body.profile.model, "T-1000");
  });
});
