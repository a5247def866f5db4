/**
 * The console over real HTTP with a real core-metadata and core-data on the in-process bus: static files open
 * without the token, the API and gateway behind it, the device list, profile checks, health.
 */
import { strict as assert } from "node:assert";
import { request, type IncomingHttpHeaders } from "node:http";
import { API_VERSION, parseProfile, type DeviceProfile } from "@brink/contracts";
import { startService } from "@brink/service-kit";
import { consoleService, ConsoleErrorCode } from "../src/index.js";
import { httpJson } from "../../../test/harness/index.js";
import { AUTH, PROFILE_YAML, SERVICE, TOKEN, eventOf, startConsoleFixture, type ConsoleFixture } from "./support/console-fixture.js";

/** The same profile with a bad value type on line 6. */
const BAD_PROFILE_YAML = PROFILE_YAML.replace("valueType: Float64", "valueType: Float65");

/** GET with the raw path as given (fetch would normalise `..`). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("console service", () => {
  let fx: ConsoleFixture;
  let url: string;
  let metadata: ConsoleFixture["metadata"];
  let data: ConsoleFixture["data"];
  let bus: ConsoleFixture["bus"];
  const tempDir = (prefix: string): string => fx.tempDir(prefix);

  before(async () => {
    fx = await startConsoleFixture();
    ({ url, metadata, data, bus } = fx);
  });

  after(async () => {
    await fx?.stop();
  });
  describe("static files and info, open without the token", () => {
    it("serves index.html at / with a policy that keeps the page on its own origin", async () => {
      const res = await fetch(`${url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      assert.match(await res.text(), /<title>console<\/title>/);
    });

    it("serves the gzip twin of an asset to a client that accepts gzip, cached for good", async () => {
      const res = await rawGet(url, "/assets/app-1234.js", { "accept-encoding": "gzip" });
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-encoding"], "gzip");
      assert.match(String(res.headers["cache-control"]), /immutable/);
      const plain = await rawGet(url, "/assets/app-1234.js");
      assert.equal(plain.headers["content-encoding"], undefined);
      assert.equal(plain.body.toString(), "console.log('app');");
    });

    it("serves nothing outside the bundle folder", async () => {
      const res = await rawGet(url, "/assets/%2e%2e/%2e%2e/secret.txt");
      assert.equal(res.status, 401, "a path that leaves the bundle is not a static file, so it needs the token like any route");
      const withToken = await rawGet(url, "/assets/%2e%2e/%2e%2e/secret.txt", AUTH);
      assert.equal(withToken.status, 404);
      assert.doesNotMatch(withToken.body.toString(), /TOP-SECRET-CONTENT/);
    });

    it("tells the page a token is needed", async () => {
      const res = await httpJson<{ tokenRequired: boolean; version: string }>("GET", `${url}/api/console/info`);
      assert.equal(res.status, 200);
      assert.equal(res.body.tokenRequired, true);
      assert.equal(res.body.version, "0.1.0");
    });

    it("answers 503 BUNDLE_MISSING at / when the bundle was not built", async () => {
      const bare = await startService(consoleService, { bus, env: {}, overrides: { service: { port: 0, logLevel: "silent" }, webDir: tempDir("brink-console-empty-") } });
      try {
        const res = await httpJson<{ code: string }>("GET", `${bare.url}/`);
        assert.equal(res.status, 503);
        assert.equal(res.body.code, ConsoleErrorCode.BundleMissing);
      } finally {
        await bare.stop({ force: true });
      }
    });
  });

  describe("the token", () => {
    it("is required by the console API and the gateway", async () => {
      for (const path of ["/api/console/devices", "/api/console/health", "/core-metadata/api/v3/device/all"]) {
        const res = await httpJson<{ code: string }>("GET", `${url}${path}`);
        assert.equal(res.status, 401, path);
        assert.equal(res.body.code, "UNAUTHORIZED");
        assert.equal((await httpJson("GET", `${url}${path}`, undefined, AUTH)).status, 200, path);
      }
    });
  });

  describe("gateway", () => {
    it("proxies JSON bodies, query strings and answers to core-metadata", async () => {
      const profile = parseProfile(PROFILE_YAML);
      const added = await httpJson<{ statusCode: number }[]>("POST", `${url}/core-metadata/api/v3/deviceprofile`, [{ apiVersion: API_VERSION, profile }], AUTH);
      assert.equal(added.status, 207);
      assert.equal(added.body[0]?.statusCode, 201);
      const devices = [`${SERVICE}-meter-1`, `${SERVICE}-meter-2`].map((name) => ({
        apiVersion: API_VERSION,
        device: { name, serviceName: SERVICE, profileName: "Test-Meter", adminState: "UNLOCKED", operatingState: "UP", labels: ["meter"], protocols: { other: { Address: name } } },
      }));
      const addedDevices = await httpJson<{ statusCode: number }[]>("POST", `${url}/core-metadata/api/v3/device`, devices, AUTH);
      assert.deepEqual(addedDevices.body.map((d) => d.statusCode), [201, 201]);
      const page = await httpJson<{ devices: { name: string }[]; totalCount: number }>("GET", `${url}/core-metadata/api/v3/device/all?limit=1`, undefined, AUTH);
      assert.equal(page.status, 200);
      assert.equal(page.body.devices.length, 1);
      assert.equal(page.body.totalCount, 2);
    });

    it("streams multipart uploads through untouched", async () => {
      const form = new FormData();
      form.append("file", new Blob([PROFILE_YAML.replace("Test-Meter", "Test-Meter-2")], { type: "application/yaml" }), "meter.yaml");
      const res = await fetch(`${url}/core-metadata/api/v3/deviceprofile/uploadfile`, { method: "POST", body: form, headers: AUTH });
      assert.equal(res.status, 201, await res.clone().text());
      const stored = await httpJson<{ profile: DeviceProfile }>("GET", `${metadata.url}/api/v3/deviceprofile/name/Test-Meter-2`);
      assert.equal(stored.body.profile.deviceResources.length, 2);
    });

    it("finds a device service at the address it registered, forwarding path, query, body and token", async () => {
      const res = await httpJson<{ requestId: string }>("POST", `${url}/${SERVICE}/api/v3/discovery?x=1`, { requestId: "r-1" }, AUTH);
      assert.equal(res.status, 202);
      assert.equal(res.body.requestId, "r-1");
      const seen = fx.stubSeen.at(-1);
      assert.equal(seen?.url, "/api/v3/discovery?x=1");
      assert.equal(seen?.authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(JSON.parse(seen?.body ?? ""), { requestId: "r-1" });
    });

    it("answers 404 PEER_UNKNOWN for a service nobody knows", async () => {
      const res = await httpJson<{ code: string; kind: string }>("GET", `${url}/no-such-service/api/v3/ping`, undefined, AUTH);
      assert.equal(res.status, 404);
      assert.equal(res.body.code, ConsoleErrorCode.PeerUnknown);
    });

    it("answers 503 SERVICE_UNREACHABLE for a service that is not running", async () => {
      const res = await httpJson<{ code: string; kind: string }>("GET", `${url}/app-service/api/v3/ping`, undefined, AUTH);
      assert.equal(res.status, 503);
      assert.equal(res.body.code, "SERVICE_UNREACHABLE");
      assert.equal(res.body.kind, "ServiceUnavailable");
    });
  });

  describe("device list", () => {
    it("lists every device with the origin of its newest event in core-data", async () => {
      const origin = 1_700_000_000_123_456_789n;
      const stored = await httpJson("POST", `${data.url}/api/v3/event/Test-Meter/${SERVICE}-meter-1/Power`, eventOf(`${SERVICE}-meter-1`, origin, "1.5e+00"));
      assert.equal(stored.status, 201);
      const res = await httpJson<{ devices: { name: string; lastEvent?: { origin: bigint; sourceName: string } }[] }>("GET", `${url}/api/console/devices`, undefined, AUTH);
      assert.equal(res.status, 200);
      const byName = new Map(res.body.devices.map((d) => [d.name, d]));
      assert.deepEqual(byName.get(`${SERVICE}-meter-1`)?.lastEvent, { origin, sourceName: "Power" });
      assert.equal(byName.get(`${SERVICE}-meter-2`)?.lastEvent, undefined);
    });
  });

  describe("profiles", () => {
    it("checks profile text and lists every problem with its line, storing nothing", async () => {
      const res = await httpJson<{ valid: boolean; code: string; problems: { path: string; line?: number }[] }>(
        "POST", `${url}/api/console/profile/validate`, BAD_PROFILE_YAML, { ...AUTH, "content-type": "application/yaml" },
      );
      assert.equal(res.status, 200);
      assert.equal(res.body.valid, false);
      assert.equal(res.body.code, "PROFILE_INVALID");
      assert.deepEqual(res.body.problems.map((p) => [p.path, p.line]), [["deviceResources[0].properties.valueType", 6]]);
      const good = await httpJson<{ valid: boolean; summary: { name: string; resources: number; commands: number } }>(
        "POST", `${url}/api/console/profile/validate`, PROFILE_YAML.replace("Test-Meter", "Never-Stored"), { ...AUTH, "content-type": "text/yaml" },
      );
      assert.deepEqual(good.body.summary, { name: "Never-Stored", resources: 2, commands: 1 });
      assert.equal((await httpJson("GET", `${metadata.url}/api/v3/deviceprofile/name/Never-Stored`)).status, 404);
    });

    it("wants the profile as text, not JSON", async () => {
      const res = await httpJson<{ code: string }>("POST", `${url}/api/console/profile/validate`, { name: "x" }, AUTH);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, "REQUEST_INVALID");
    });

    it("writes a stored profile as YAML that parses back to the same profile", async () => {
      const res = await fetch(`${url}/api/console/profile/Test-Meter/yaml`, { headers: AUTH });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /yaml/);
      const text = await res.text();
      assert.doesNotMatch(text, /^(id|created|modified):/m);
      assert.deepEqual(parseProfile(text), parseProfile(PROFILE_YAML));
    });
  });

  describe("health", () => {
    it("reports each service's ping, version and metrics, the ones down with why, and the bus", async () => {
      const res = await httpJson<{
        services: { name: string; kind: string; up: boolean; version?: string; metrics?: { residentMemoryBytes?: number }; error?: { code: string } }[];
        bus: { kind: string; status: string };
      }>("GET", `${url}/api/console/health`, undefined, AUTH);
      assert.equal(res.status, 200);
      const byName = new Map(res.body.services.map((s) => [s.name, s]));
      assert.equal(byName.get("core-metadata")?.up, true);
      assert.equal(byName.get("core-metadata")?.version, "0.1.0");
      assert.ok((byName.get("core-data")?.metrics?.residentMemoryBytes ?? 0) > 0);
      assert.equal(byName.get("app-service")?.up, false);
      assert.equal(byName.get("app-service")?.error?.code, "SERVICE_UNREACHABLE");
      assert.equal(byName.get("console")?.up, true);
      assert.equal(byName.get(SERVICE)?.kind, "device");
      assert.deepEqual(res.body.bus, { ...res.body.bus, kind: "inprocess", status: "connected" });
    });
  });
});
