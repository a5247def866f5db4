/**
 * A real stack on one in-process bus: core-metadata, a device service running the FakeDriver, and the rules engine,
 * each started with startService on a free port of 127.0.0.1.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { InProcessBus } from "@brink/bus";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { createDeviceService } from "@brink/device-sdk";
import { FakeDriver, fakeDevice, fakeThermostatProfile } from "@brink/device-sdk/testing";
import { rulesEngineService } from "../../src/index.js";

/** The device service's name. */
export const FAKE_SERVICE = "device-fake";

export interface RulesStack {
  readonly bus: InProcessBus;
  readonly driver: FakeDriver;
  readonly metadata: RunningService;
  readonly device: RunningService;
  rules: RunningService;
  readonly dataDir: string;
  /** `${rules.url}/api/v3${path}` */
  api(path: string): string;
  /** Stops and starts the rules engine again on the same data directory. */
  restartRules(overrides?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack with devices `thermo-1`, `thermo-2` (FakeDriver, thermostat profile). */
export async function startRulesStack(rulesOverrides: Record<string, unknown> = {}): Promise<RulesStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "brink-rules-engine-"));
  const profilesDir = join(dataDir, "profiles");
  const devicesDir = join(dataDir, "devices");
  await mkdir(profilesDir);
  await mkdir(devicesDir);
  await writeFile(join(profilesDir, "thermostat.yaml"), stringify(fakeThermostatProfile()));
  await writeFile(join(devicesDir, "devices.yaml"), stringify({ deviceList: [fakeDevice("thermo-1", FAKE_SERVICE), fakeDevice("thermo-2", FAKE_SERVICE)] }));
  const bus = new InProcessBus();
  await bus.connect();
  const logger = createLogger({ level: "silent" });
  const quiet = { port: 0, host: "127.0.0.1", logLevel: "silent" };
  const metadata = await startService(coreMetadataService, { bus, env: {}, logger, overrides: { service: quiet, dataDir: join(dataDir, "metadata") } });
  const driver = new FakeDriver();
  const device = await startService(createDeviceService({ name: FAKE_SERVICE, version: "0", defaultPort: 59999, driver }), {
    bus,
    env: {},
    logger,
    overrides: {
      service: quiet,
      clients: { coreMetadataUrl: metadata.url },
      dataDir: join(dataDir, "device"),
      device: { profilesDir, devicesDir, driverTimeoutMs: 1000, downProbeIntervalMs: 100, metadataWaitMs: 0 },
    },
  });
  const startRules = (overrides: Record<string, unknown>): Promise<RunningService> =>
    startService(rulesEngineService, {
      bus,
      env: {},
      logger,
      overrides: {
        service: quiet,
        clients: { coreMetadataUrl: metadata.url, coreDataUrl: metadata.url, coreCommandUrl: metadata.url },
        dataDir: join(dataDir, "rules"),
        deliveryBackoffInitialMs: 50,
        deliveryBackoffMaxMs: 200,
        ...overrides,
      },
    });
  const stack: RulesStack = {
    bus,
    driver,
    metadata,
    device,
    rules: await startRules(rulesOverrides),
    dataDir,
    api: (path) => `${stack.rules.url}/api/v3${path}`,
    async restartRules(overrides = rulesOverrides) {
      await stack.rules.stop();
      stack.rules = await startRules(overrides);
    },
    async close() {
      await stack.rules.stop({ force: true });
      await device.stop({ force: true });
      await metadata.stop({ force: true });
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
