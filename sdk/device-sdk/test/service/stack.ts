/**
 * Test support: the real core-metadata and a device service with a FakeDriver, both started with startService on
 * free ports of 127.0.0.1 and sharing one bus (InProcessBus unless a NatsBus pair is given).
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { API_VERSION, type Device, type ProvisionWatcher } from "@brink/contracts";
import { InProcessBus, type MessageBus } from "@brink/bus";
import { MetadataClient, createLogger, startService, throwOnBatchFailure, type RunningService } from "@brink/service-kit";
import { coreMetadataService } from "@brink/core-metadata";
import { createDeviceService, type DeviceRuntimeConfig, type ProtocolDriver } from "@brink/device-sdk";
import { fakeThermostatProfile } from "@brink/device-sdk/testing";

/** A running core-metadata + device service. */
export interface Stack {
  readonly bus: MessageBus;
  readonly metadata: RunningService;
  readonly service: RunningService;
  readonly client: MetadataClient;
  readonly serviceName: string;
  readonly dataDir: string;
  /** `${service.url}/api/v3/device/name/<device>/<command>` */
  commandUrl(device: string, command: string, query?: string): string;
  addDevices(...devices: Device[]): Promise<void>;
  addProvisionWatcher(watcher: ProvisionWatcher): Promise<void>;
  /** Stops both services, the bus(es) and removes the data dir. */
  close(): Promise<void>;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  readonly driver: ProtocolDriver;
  readonly serviceName?: string;
  /** Devices written to a device-list file in `devicesDir` (seeded at start, serviceName filled in). */
  readonly seedDevices?: readonly Partial<Device>[];
  readonly device?: Partial<DeviceRuntimeConfig>;
  /** Buses for core-metadata and the device service (default: one shared InProcessBus). */
  readonly buses?: { metadata: MessageBus; service: MessageBus };
}

/** Starts core-metadata, then the device service (which seeds the fake profile and `seedDevices`). */
export async function startStack(options: StackOptions): Promise<Stack> {
  const serviceName = options.serviceName ?? "device-fake";
  const dataDir = await mkdtemp(join(tmpdir(), "brink-device-sdk-"));
  const profilesDir = join(dataDir, "profiles");
  const devicesDir = join(dataDir, "devices");
  await mkdir(profilesDir);
  await mkdir(devicesDir);
  await writeFile(join(profilesDir, "thermostat.yaml"), stringify(fakeThermostatProfile()));
  await writeFile(join(devicesDir, "devices.yaml"), stringify({ deviceList: options.seedDevices ?? [] }));

  const shared = new InProcessBus();
  const metadataBus = options.buses?.metadata ?? shared;
  const serviceBus = options.buses?.service ?? shared;
  await metadataBus.connect();
  if (serviceBus !== metadataBus) await serviceBus.connect();
  const logLevel = (process.env.BRINK_TEST_LOG_LEVEL ?? "silent") as "silent";
  const logger = createLogger({ level: logLevel });
  const metadata = await startService(coreMetadataService, {
    bus: metadataBus,
    env: {},
    logger,
    overrides: { service: { port: 0, host: "127.0.0.1", logLevel: "silent" }, dataDir: join(dataDir, "metadata") },
  });
  let service: RunningService;
  try {
    service = await startService(createDeviceService({ name: serviceName, version: "0.0.1-test", defaultPort: 59999, driver: options.driver }), {
      bus: serviceBus,
      env: {},
      logger,
      overrides: {
        service: { port: 0, host: "127.0.0.1", logLevel },
        clients: { coreMetadataUrl: metadata.url },
        dataDir: join(dataDir, "service"),
        device: { profilesDir, devicesDir, driverTimeoutMs: 1000, downProbeIntervalMs: 100, metadataWaitMs: 0, ...options.device },
      },
    });
  } catch (err) {
    await metadata.stop({ force: true });
    throw err;
  }
  const client = new MetadataClient({ baseUrl: metadata.url });
  return {
    bus: serviceBus,
    metadata,
    service,
    client,
    serviceName,
    dataDir,
    commandUrl: (device, command, query) =>
      `${service.url}/api/v3/device/name/${encodeURIComponent(device)}/${encodeURIComponent(command)}${query ? `?${query}` : ""}`,
    addDevices: async (...devices) => throwOnBatchFailure(await client.addDevices(devices), { allowExisting: false }),
    addProvisionWatcher: async (watcher) => {
      // EdgeX names the key `provisionWatcher`; send both spellings so either server reading works.
      const { body } = await client.http.post<unknown[]>("/api/v3/provisionwatcher", [{ apiVersion: API_VERSION, provisionWatcher: watcher, provisionwatcher: watcher }]);
      const status = (body?.[0] as { statusCode?: number } | undefined)?.statusCode;
      if (status !== 201) throw new Error(`provision watcher not added: ${JSON.stringify(body)}`);
    },
    close: async () => {
      await service.stop({ force: true });
      await metadata.stop({ force: true });
      await serviceBus.close();
      if (metadataBus !== serviceBus) await metadataBus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
