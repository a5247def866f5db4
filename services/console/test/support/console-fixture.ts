/**
 * A console over real HTTP with a real core-metadata and core-data on one in-process bus, a token, a small web
 * bundle (with a `secret.txt` beside its folder), and a stub device service registered in core-metadata (the gateway
 * finds it at its address).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { API_VERSION, type AddEventRequest } from "@brink/contracts";
import { InProcessBus } from "@brink/bus";
import { startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { coreDataService } from "@brink/core-data";
import { consoleService } from "../../src/index.js";
import { freePort, httpJson } from "../../../../test/harness/index.js";

export const TOKEN = "console-test-token";
export const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** The stub device service's name. */
export const SERVICE = "test-ds";

export const PROFILE_YAML = `name: Test-Meter
manufacturer: Acme
labels: [meter]
deviceResources:
  - name: Power
    properties: { valueType: Float64, readWrite: R, units: kW, minimum: 0 }
  - name: Setpoint
    properties: { valueType: Int32, readWrite: RW }
deviceCommands:
  - name: Configure
    readWrite: W
    resourceOperations:
      - { deviceResource: Setpoint }
`;

/** An event of one Power reading of a Test-Meter device. */
export function eventOf(device: string, origin: bigint, value: string): AddEventRequest {
  return {
    apiVersion: API_VERSION,
    event: {
      apiVersion: API_VERSION,
      id: crypto.randomUUID(),
      deviceName: device,
      profileName: "Test-Meter",
      sourceName: "Power",
      origin,
      readings: [{ id: crypto.randomUUID(), origin, deviceName: device, resourceName: "Power", profileName: "Test-Meter", valueType: "Float64", value }],
    },
  };
}

/** The running fixture. */
export interface ConsoleFixture {
  readonly bus: InProcessBus;
  readonly metadata: RunningService;
  readonly data: RunningService;
  /** The console's URL. */
  readonly url: string;
  /** What the stub device service was sent. */
  readonly stubSeen: { url: string; authorization: string | undefined; body: string }[];
  /** A temporary directory, removed by stop(). */
  tempDir(prefix: string): string;
  stop(): Promise<void>;
}

/** Starts the fixture (the console with maxStreams 4, summaryIntervalMs 50, streamQueueFrames 10). */
export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const bus = new InProcessBus();
  await bus.connect();
  const dirs: string[] = [];
  const services: RunningService[] = [];
  let stub: Server | undefined;
  const stubSeen: ConsoleFixture["stubSeen"] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const stop = async (): Promise<void> => {
    for (const s of services.reverse()) await s.stop({ force: true });
    if (stub) await new Promise((resolve) => stub!.close(resolve));
    await bus.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The bundle sits one level down, so a path that climbs out of it has a file to find: secret.txt.
    const root = tempDir("brink-console-web-");
    writeFileSync(join(root, "secret.txt"), "TOP-SECRET-CONTENT");
    const webDir = join(root, "web");
    mkdirSync(join(webDir, "assets"), { recursive: true });
    writeFileSync(join(webDir, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(webDir, "assets", "app-1234.js"), "console.log('app');");
    writeFileSync(join(webDir, "assets", "app-1234.js.gz"), gzipSync("console.log('app');"));

    const quiet = { port: 0, logLevel: "silent" };
    const metadata = await startService(coreMetadataService, { bus, env: {}, overrides: { service: quiet, dataDir: tempDir("brink-console-md-") } });
    services.push(metadata);
    const data = await startService(coreDataService, { bus, env: {}, overrides: { service: quiet, dataDir: tempDir("brink-console-cd-"), clients: { coreMetadataUrl: metadata.url } } });
    services.push(data);

    stub = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        stubSeen.push({ url: req.url ?? "", authorization: req.headers.authorization, body });
        res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ apiVersion: "v3", statusCode: 202, requestId: "r-1" }));
      });
    });
    await new Promise<void>((resolve) => stub!.listen(0, "127.0.0.1", resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    const added = await httpJson("POST", `${metadata.url}/api/v3/deviceservice`, [{ apiVersion: API_VERSION, service: { name: SERVICE, baseAddress: stubUrl, adminState: "UNLOCKED" } }]);
    assert.equal(added.status, 207);

    const consoleSvc = await startService(consoleService, {
      bus,
      env: {},
      overrides: {
        service: quiet,
        apiToken: TOKEN,
        clients: { coreMetadataUrl: metadata.url, coreDataUrl: data.url },
        webDir,
        appServiceUrl: `http://127.0.0.1:${await freePort()}`,
        maxStreams: 4,
        summaryIntervalMs: 50,
        streamQueueFrames: 10,
      },
    });
    services.push(consoleSvc);
    return { bus, metadata, data, url: consoleSvc.url, stubSeen, tempDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
