import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppSdkErrorCode } from "../src/errors.js";
import { SecretStore, secretEnvName } from "../src/secrets.js";
import { tempDir } from "./outbox/helpers.js";

describe("SecretStore", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir("brink-secrets-");
  });
  afterEach(() => tmp.remove());

  it("reads <dataDir>/secrets/<name> without its trailing newline", () => {
    mkdirSync(path.join(tmp.dir, "secrets"));
    writeFileSync(path.join(tmp.dir, "secrets", "mqtt-password"), "p@ss word\n");
    const s = new SecretStore({ dataDir: tmp.dir, env: {} });
    assert.equal(s.get("mqtt-password"), "p@ss word");
    assert.equal(s.secret("mqtt-password"), "p@ss word");
    assert.equal(s.has("mqtt-password"), true);
    assert.equal(s.dir, path.join(tmp.dir, "secrets"));
  });

  it("uses BRINK_SECRETS_DIR for the directory and BRINK_SECRET_<NAME> over files", () => {
    writeFileSync(path.join(tmp.dir, "api.key"), "from-file");
    writeFileSync(path.join(tmp.dir, "token"), "file-token");
    const s = new SecretStore({ dataDir: "/nowhere", env: { BRINK_SECRETS_DIR: tmp.dir, BRINK_SECRET_TOKEN: "env-token" } });
    assert.equal(s.get("api.key"), "from-file");
    assert.equal(s.get("token"), "env-token");
    assert.equal(secretEnvName("cloud-api.key"), "BRINK_SECRET_CLOUD_API_KEY");
  });

  it("fails with SECRET_NOT_FOUND for a missing secret and SECRET_NAME_INVALID for a path", () => {
    const s = new SecretStore({ dataDir: tmp.dir, env: {} });
    assert.throws(() => s.get("absent"), (err: { code: string; kind: string }) => err.code === AppSdkErrorCode.SecretNotFound && err.kind === "NotFound");
    assert.equal(s.has("absent"), false);
    for (const bad of ["../etc/passwd", "a/b", "", ".hidden"]) {
      assert.throws(() => s.get(bad), (err: { code: string }) => err.code === AppSdkErrorCode.SecretNameInvalid, bad);
    }
  });
});
