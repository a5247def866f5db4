/**
 * Test support: core-metadata started for real (startService, port 0, InProcessBus, a temp data dir) and helpers to
 * talk to it over HTTP.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { API_VERSION } from "@brink/contracts";
import type { Device, DeviceProfile, DeviceService, ProvisionWatcher } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { createLogger, startService } from "@brink/service-kit";
import type { RunningService } from "@brink/service-kit";
import { httpJson } from "../../../../test/harness/index.js";
import type { HttpJsonResponse } from "../../../../test/harness/index.js";
import { coreMetadataService } from "../../src/index.js";

/** A running core-metadata and what a test needs around it. */
export interface MetadataUnderTest {
  readonly service: RunningService;
  readonly bus: InProcessBus;
  readonly dataDir: string;
  readonly url: string;
  /** Stops the service (not the bus, not the data dir). */
  stop(): Promise<void>;
  /** Stops the service and the bus and removes the data dir. */
  close(): Promise<void>;
}

/** Options of {@link startMetadata}. */
export interface StartMetadataOptions {
  /** Reuse a data dir (restart tests); a new temp dir otherwise. */
  dataDir?: string;
  /** Reuse a bus. */
  bus?: InProcessBus;
  /** Extra config overrides (merged over port 0 and the data dir). */
  overrides?: Record<string, unknown>;
}

/** Starts core-metadata on a free port. */
export async function startMetadata(options: StartMetadataOptions = {}): Promise<MetadataUnderTest> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "brink-core-metadata-")));
  const bus = options.bus ?? new InProcessBus();
  await bus.connect();
  const service = await startService(coreMetadataService, {
    bus,
    env: {},
    logger: createLogger({ level: "silent" }),
    overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent" }, dataDir, ...options.overrides },
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await service.stop();
  };
  return {
    service,
    bus,
    dataDir,
    url: service.url,
    stop,
    close: async () => {
      await stop();
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `httpJson` against the service: `call(m, "GET", "/api/v3/device/all")`. */
export function call<T = Record<string, unknown>>(m: MetadataUnderTest, method: string, path: string, body?: unknown): Promise<HttpJsonResponse<T>> {
  return httpJson<T>(method, m.url + path, body);
}

/** Wraps DTOs into EdgeX batch requests: `[{ apiVersion, requestId, <key>: dto }]`. */
export function batch(key: string, items: readonly unknown[]): Record<string, unknown>[] {
  return items.map((item, i) => ({ apiVersion: API_VERSION, requestId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, [key]: item }));
}

/** One item of a 207 answer. */
export interface ItemStatus {
  statusCode: number;
  requestId?: string;
  id?: string;
  message?: string;
  code?: string;
  details?: { problems?: { path: string; message: string; line?: number }[] };
}

/** Sends a batch and checks the 207; returns the item statuses. */
export async function sendBatch(m: MetadataUnderTest, method: "POST" | "PUT" | "PATCH", path: string, key: string, items: readonly unknown[]): Promise<ItemStatus[]> {
  const res = await call<ItemStatus[]>(m, method, path, batch(key, items));
  assert.equal(res.status, 207, res.text);
  assert.ok(Array.isArray(res.body));
  assert.equal(res.body.length, items.length);
  return res.body;
}

/** Sends a batch whose every item must succeed with `status`. */
export async function mustBatch(m: MetadataUnderTest, method: "POST" | "PUT" | "PATCH", path: string, key: string, items: readonly unknown[], status = 201): Promise<ItemStatus[]> {
  const statuses = await sendBatch(m, method, path, key, items);
  statuses.forEach((s, i) => assert.equal(s.statusCode, status, `item ${i}: ${JSON.stringify(s)}`));
  return statuses;
}

/** Uploads text as the multipart `file` part. */
export async function upload(m: MetadataUnderTest, method: "POST" | "PUT", text: string, filename = "profile.yaml"): Promise<HttpJsonResponse<ItemStatus>> {
  const form = new FormData();
  form.append("file", new Blob([text], { type: "application/x-yaml" }), filename);
  const res = await fetch(`${m.url}/api/v3/deviceprofile/uploadfile`, { method, body: form });
  const body = await res.text();
  return { status: res.status, body: (body ? JSON.parse(body) : undefined) as ItemStatus, text: body, headers: Object.fromEntries(res.headers) };
}

// DTO builders.

export function deviceService(name: string, extra: Partial<DeviceService> = {}): DeviceService {
  return { name, baseAddress: `http://127.0.0.1:59900`, adminState: "UNLOCKED", ...extra };
}

export function profile(name: string, extra: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    name,
    manufacturer: "Acme",
    model: "T-1000",
    labels: ["sensor"],
    deviceResources: [
      { name: "Temperature", properties: { valueType: "Float32", readWrite: "R", units: "C" } },
      { name: "Setpoint", properties: { valueType: "Int16", readWrite: "RW" } },
    ],
    deviceCommands: [{ name: "All", readWrite: "R", resourceOperations: [{ deviceResource: "Temperature" }, { deviceResource: "Setpoint" }] }],
    ...extra,
  };
}

export function device(name: string, serviceName: string, profileName: string, extra: Partial<Device> = {}): Device {
  return {
    name,
    serviceName,
    profileName,
    adminState: "UNLOCKED",
    operatingState: "UP",
    protocols: { "modbus-tcp": { Address: "127.0.0.1", Port: "502", UnitID: "1" } },
    ...extra,
  };
}

export function watcher(name: string, serviceName: string, profileName: string, extra: Partial<ProvisionWatcher> = {}): ProvisionWatcher {
  return {
    name,
    serviceName,
    labels: ["discovery"],
    identifiers: { Address: "10\\.0\\.0\\..*" },
    blockingIdentifiers: { Port: ["399"] },
    adminState: "UNLOCKED",
    discoveredDevice: { profileName, adminState: "UNLOCKED", autoEvents: [{ interval: "10s", sourceName: "Temperature" }] },
    ...extra,
  };
}

/** Where the EdgeX reference profiles are: the contracts fixtures copy, else the shared reference. */
export function referenceProfilesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fixtures = resolve(here, "../../../../sdk/contracts/test/fixtures/edgex/profiles");
  return existsSync(fixtures) ? fixtures : "/work/shared/reference/edgex/profiles";
}

/** Every EdgeX reference profile: file name and text. */
export async function referenceProfiles(): Promise<{ file: string; text: string }[]> {
  const dir = referenceProfilesDir();
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(dir, file), "utf8") })));
}
