/**
 * Security against a real server: Sign and SignAndEncrypt endpoints, explicit trust of the server certificate, the
 * client certificate kept under the data dir, and user name / password authentication.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceError } from "@brink/contracts";
import { startOpcuaServer, waitFor, type OpcuaServer } from "../../../test/harness/index.js";
import { OpcuaDriver } from "../src/driver.js";
import { OpcuaErrorCode } from "../src/errors.js";
import { clientCertificateFile } from "../src/pki.js";
import { RecordingSdk, opcuaDevice, requestOf, testProfile } from "./fixtures.js";

const isCode = (code: string) => (err: unknown) => err instanceof ServiceError && err.code === code;
const TIMING = { reconnectMinDelayMs: 50, reconnectMaxDelayMs: 200 };

describe("OpcuaDriver security", function () {
  this.timeout(40_000);
  const profile = testProfile();
  let server: OpcuaServer;
  const started: { driver: OpcuaDriver; sdk: RecordingSdk }[] = [];

  before(async () => {
    server = await startOpcuaServer({ tickMs: 0 });
  });

  after(async () => {
    for (const { driver, sdk } of started) {
      await driver.stop({ force: true });
      sdk.cleanup();
    }
    await server?.stop();
  });

  async function start(devices: ReturnType<typeof opcuaDevice>[], config: Record<string, unknown> = {}): Promise<{ driver: OpcuaDriver; sdk: RecordingSdk }> {
    const sdk = new RecordingSdk(devices, [profile], { ...TIMING, ...config });
    const driver = new OpcuaDriver();
    driver.initialize(sdk);
    await driver.start();
    started.push({ driver, sdk });
    return { driver, sdk };
  }

  it("refuses an untrusted server certificate, keeps the device DOWN, and connects once the certificate is trusted", async () => {
    const device = opcuaDevice("secure", server.endpoint, { SecurityPolicy: "Basic256Sha256", SecurityMode: "SignAndEncrypt" });
    const { driver, sdk } = await start([device]);
    await assert.rejects(driver.read(device, [requestOf(profile, "Int32")]), isCode(OpcuaErrorCode.CertificateUntrusted));
    assert.equal(sdk.stateOf("secure"), "DOWN");
    assert.equal(driver.status("secure")?.error?.code, OpcuaErrorCode.CertificateUntrusted);
    await driver.trustServerCertificate(server.certificateFile);
    await waitFor(() => sdk.stateOf("secure") === "UP", { timeoutMs: 10_000, message: "device UP after trusting the certificate" });
    const [value] = await driver.read(device, [requestOf(profile, "Int32")]);
    assert.equal(value!.value, -123_456);
  });

  it("creates the client certificate on first start under the data dir and keeps it", async () => {
    const first = await start([]);
    const file = clientCertificateFile(join(first.sdk.dataDir, "pki"));
    assert.ok(existsSync(file), file);
    const pem = readFileSync(file, "utf8");
    assert.match(pem, /BEGIN CERTIFICATE/);
    await first.driver.stop({ force: false });
    const again = new OpcuaDriver();
    again.initialize(first.sdk);
    await again.start();
    started.push({ driver: again, sdk: new RecordingSdk([], []) });
    assert.equal(readFileSync(file, "utf8"), pem);
  });

  for (const [policy, mode] of [["Basic256Sha256", "Sign"], ["Basic256Sha256", "SignAndEncrypt"], ["Aes128_Sha256_RsaOaep", "SignAndEncrypt"]] as const) {
    it(`reads and writes over ${policy} ${mode} with a user name and password`, async () => {
      const device = opcuaDevice(`${policy}-${mode}`, server.endpoint, { SecurityPolicy: policy, SecurityMode: mode, Username: "operator", Password: "secret" });
      const { driver, sdk } = await start([]);
      await driver.trustServerCertificate(server.certificateFile);
      sdk.addDevice(device);
      await driver.onDeviceAdded(device);
      await waitFor(() => driver.status(device.name)?.state === "up", { timeoutMs: 10_000, message: `${policy} ${mode} connected` });
      const r = requestOf(profile, "String");
      await driver.write(device, [r], [{ resourceName: "String", valueType: "String", value: `${policy} ${mode}` }]);
      const [back] = await driver.read(device, [r]);
      assert.equal(back!.value, `${policy} ${mode}`);
    });
  }

  it("refuses a wrong password with OPCUA_AUTH_FAILED and reports the device DOWN", async () => {
    const device = opcuaDevice("intruder", server.endpoint, { Username: "operator", Password: "wrong" });
    const { driver, sdk } = await start([device]);
    await assert.rejects(driver.read(device, [requestOf(profile, "Int32")]), isCode(OpcuaErrorCode.AuthFailed));
    assert.equal(sdk.stateOf("intruder"), "DOWN");
  });

  it("refuses a security policy the server does not offer with OPCUA_ENDPOINT_NOT_FOUND", async () => {
    const device = opcuaDevice("old-policy", server.endpoint, { SecurityPolicy: "Basic128Rsa15", SecurityMode: "Sign" });
    const { driver } = await start([device], { acceptUnknownServerCertificates: true });
    await assert.rejects(driver.read(device, [requestOf(profile, "Int32")]), isCode(OpcuaErrorCode.EndpointNotFound));
  });
});
