import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ErrorCode, ValidationError, type ServiceError } from "@brink/contracts";
import { ServiceKitErrorCode, configKeys, envNamesOf, loadConfig, toUpperSnake } from "../src/index.js";
import { TEST_SCHEMA } from "./support/service.js";

const DEF = { name: "core-data", defaultPort: 59880, configSchema: TEST_SCHEMA };
type Custom = { retention: { maxAgeMs: number; enabled: boolean } };

function catchError(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    return err as ServiceError;
  }
  assert.fail("expected an error");
}

describe("loadConfig", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "brink-config-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it("fills every key from the schema defaults", () => {
    const config = loadConfig<Custom>(DEF, { env: {} });
    assert.deepEqual(config.service, { host: "127.0.0.1", port: 59880, maxBodyBytes: 4_194_304, requestTimeoutMs: 5000, logLevel: "info" });
    assert.deepEqual(config.clients, {
      coreMetadataUrl: "http://127.0.0.1:59881",
      coreDataUrl: "http://127.0.0.1:59880",
      coreCommandUrl: "http://127.0.0.1:59882",
    });
    assert.deepEqual(config.custom, { retention: { maxAgeMs: 86_400_000, enabled: true } });
    assert.equal(config.dataDir, resolve("./data"));
    assert.equal(config.apiToken, undefined);
  });

  it("applies defaults < file < generic env < service env < overrides", () => {
    const configFile = file("precedence.yaml", "service:\n  port: 1001\n  host: 0.0.0.0\n  maxBodyBytes: 111\n  requestTimeoutMs: 222\nretention:\n  maxAgeMs: 5\n");
    const config = loadConfig<Custom>(DEF, {
      configFile,
      env: {
        BRINK_SERVICE_PORT: "1002",
        BRINK_SERVICE_MAX_BODY_BYTES: "333",
        BRINK_CORE_DATA_SERVICE_PORT: "1003",
        BRINK_CORE_DATA_SERVICE_REQUEST_TIMEOUT_MS: "444",
        BRINK_RETENTION_MAX_AGE_MS: "6",
        BRINK_OTHER_SERVICE_SERVICE_PORT: "9999",
      },
      overrides: { service: { port: 1004 } },
    });
    assert.equal(config.service.port, 1004, "overrides beat everything");
    assert.equal(config.service.requestTimeoutMs, 444, "service-specific env beats the file");
    assert.equal(config.service.maxBodyBytes, 333, "generic env beats the file");
    assert.equal(config.service.host, "0.0.0.0", "file beats defaults");
    assert.equal(config.service.logLevel, "info", "defaults fill the rest");
    assert.equal(config.custom.retention.maxAgeMs, 6);
    assert.equal(config.custom.retention.enabled, true);
  });

  it("lets the service-specific variable win over the generic one", () => {
    const config = loadConfig(DEF, { env: { BRINK_SERVICE_PORT: "1", BRINK_CORE_DATA_SERVICE_PORT: "2" } });
    assert.equal(config.service.port, 2);
    const other = loadConfig({ ...DEF, name: "core-metadata" }, { env: { BRINK_SERVICE_PORT: "1", BRINK_CORE_DATA_SERVICE_PORT: "2" } });
    assert.equal(other.service.port, 1);
  });

  it("coerces environment strings to the schema types", () => {
    const config = loadConfig<Custom>(DEF, {
      env: { BRINK_RETENTION_ENABLED: "false", BRINK_RETENTION_MAX_AGE_MS: " 42 ", BRINK_CLIENTS_CORE_METADATA_URL: "http://meta:1" },
    });
    assert.equal(config.custom.retention.enabled, false);
    assert.equal(config.custom.retention.maxAgeMs, 42);
    assert.equal(config.clients.coreMetadataUrl, "http://meta:1");
  });

  it("reads BRINK_DATA_DIR, BRINK_API_TOKEN and BRINK_LOG_LEVEL", () => {
    const config = loadConfig(DEF, { env: { BRINK_DATA_DIR: "rel/dir", BRINK_API_TOKEN: "s3cret", BRINK_LOG_LEVEL: "warn" }, cwd: dir });
    assert.equal(config.dataDir, join(dir, "rel/dir"));
    assert.equal(config.apiToken, "s3cret");
    assert.equal(config.service.logLevel, "warn");
    const specific = loadConfig(DEF, { env: { BRINK_LOG_LEVEL: "warn", BRINK_SERVICE_LOG_LEVEL: "debug" } });
    assert.equal(specific.service.logLevel, "debug", "BRINK_SERVICE_LOG_LEVEL beats BRINK_LOG_LEVEL");
  });

  it("accepts a custom: section in overrides", () => {
    const config = loadConfig<Custom>(DEF, { env: {}, overrides: { custom: { retention: { maxAgeMs: 7 } } } });
    assert.equal(config.custom.retention.maxAgeMs, 7);
  });

  it("reports every problem with its path and where the value came from", () => {
    const configFile = file("bad.yaml", "service:\n  host: 127.0.0.1\n  logLevel: loud\n  extra: 1\nretention:\n  maxAgeMs: -1\n");
    const err = catchError(() =>
      loadConfig(DEF, { configFile, env: { BRINK_SERVICE_PORT: "eighty", BRINK_CLIENTS_CORE_DATA_URL: "ftp://x" }, overrides: { retention: { enabled: "maybe" } } }),
    );
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, ErrorCode.ConfigInvalid);
    const byPath = new Map(err.problems.map((p) => [p.path, p]));
    assert.deepEqual([...byPath.keys()].sort(), [
      "clients.coreDataUrl", "retention.enabled", "retention.maxAgeMs", "service.extra", "service.logLevel", "service.port",
    ]);
    assert.match(byPath.get("service.port")?.message ?? "", /BRINK_SERVICE_PORT/);
    assert.match(byPath.get("clients.coreDataUrl")?.message ?? "", /BRINK_CLIENTS_CORE_DATA_URL/);
    assert.match(byPath.get("service.logLevel")?.message ?? "", /bad\.yaml/);
    assert.equal(byPath.get("service.logLevel")?.line, 3);
    assert.equal(byPath.get("service.extra")?.line, 4);
    assert.equal(byPath.get("retention.maxAgeMs")?.line, 6);
    assert.match(byPath.get("retention.enabled")?.message ?? "", /overrides/);
  });

  it("reports an unknown top-level section", () => {
    const err = catchError(() => loadConfig(DEF, { env: {}, overrides: { retentoin: {} } }));
    assert.equal(err.code, ErrorCode.ConfigInvalid);
    assert.deepEqual((err as ValidationError).problems.map((p) => p.path), ["retentoin"]);
  });

  it("rejects a missing or malformed file with CONFIG_INVALID", () => {
    const missing = catchError(() => loadConfig(DEF, { configFile: join(dir, "nope.yaml"), env: {} }));
    assert.equal(missing.code, ErrorCode.ConfigInvalid);
    const malformed = catchError(() => loadConfig(DEF, { configFile: file("broken.yaml", "service:\n  port: [1\n"), env: {} }));
    assert.equal(malformed.code, ErrorCode.ConfigInvalid);
    assert.ok(((malformed as ValidationError).problems[0]?.line ?? 0) >= 2);
    const notMap = catchError(() => loadConfig(DEF, { configFile: file("list.yaml", "- a\n"), env: {} }));
    assert.equal(notMap.code, ErrorCode.ConfigInvalid);
  });

  it("accepts an empty file", () => {
    const config = loadConfig(DEF, { configFile: file("empty.yaml", ""), env: {} });
    assert.equal(config.service.port, 59880);
  });

  it("returns a deeply frozen config", () => {
    const config = loadConfig<Custom>(DEF, { env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.service));
    assert.ok(Object.isFrozen(config.custom.retention));
    assert.equal(Reflect.set(config.service, "port", 1), false);
    assert.equal(config.service.port, 59880);
  });

  it("rejects a service schema without descriptions or with reserved names", () => {
    const err = catchError(() =>
      loadConfig(
        { name: "x", defaultPort: 1, configSchema: { type: "object", properties: { service: { type: "object", description: "d" }, a: { type: "integer" } } } },
        { env: {} },
      ),
    );
    assert.equal(err.code, ServiceKitErrorCode.ConfigSchemaInvalid);
    assert.deepEqual((err.details?.problems as { path: string }[]).map((p) => p.path).sort(), ["a", "service"]);
  });
});

describe("config env names", () => {
  it("derives BRINK_<SECTION>_<KEY> and the service-specific form from schema paths", () => {
    assert.equal(toUpperSnake("maxBodyBytes"), "MAX_BODY_BYTES");
    assert.equal(toUpperSnake("core-data"), "CORE_DATA");
    assert.deepEqual(envNamesOf("core-data", ["clients", "coreMetadataUrl"]), ["BRINK_CLIENTS_CORE_METADATA_URL", "BRINK_CORE_DATA_CLIENTS_CORE_METADATA_URL"]);
    const keys = new Map(configKeys(DEF).map((k) => [k.path, k]));
    assert.deepEqual(keys.get("retention.maxAgeMs")?.env, ["BRINK_RETENTION_MAX_AGE_MS", "BRINK_CORE_DATA_RETENTION_MAX_AGE_MS"]);
    assert.deepEqual(keys.get("service.logLevel")?.env, ["BRINK_LOG_LEVEL", "BRINK_SERVICE_LOG_LEVEL", "BRINK_CORE_DATA_SERVICE_LOG_LEVEL"]);
    assert.deepEqual(keys.get("dataDir")?.env, ["BRINK_DATA_DIR", "BRINK_CORE_DATA_DATA_DIR"]);
    assert.equal(keys.get("service.port")?.default, 59880);
  });
});
