/**
 * Test helpers: the OPC UA profiles of device-profiles/opcua/, devices pointing at a test server, command requests,
 * and a DeviceServiceSdk that records pushed readings and operating states.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, connect, type Socket } from "node:net";
import { join } from "node:path";
import { pino } from "pino";
import { parseProfile, type Device, type DeviceProfile, type OperatingState } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk } from "@brink/device-sdk";
import { OPCUA_PROFILES_DIR } from "../src/service.js";

/** The test server's profile (brink.opcua.test-server.yaml). */
export const TEST_PROFILE = "Brink-OPCUA-TestServer";
/** EdgeX's reference profile (OpcuaServer.yaml). */
export const EDGEX_PROFILE = "OPCUA-Server";

/** A profile of device-profiles/opcua/ by file name. */
export function loadProfile(file: string): DeviceProfile {
  return parseProfile(readFileSync(join(OPCUA_PROFILES_DIR, file), "utf8"));
}

export function testProfile(): DeviceProfile {
  return loadProfile("brink.opcua.test-server.yaml");
}

export function edgexProfile(): DeviceProfile {
  return loadProfile("OpcuaServer.yaml");
}

/** A device of `profileName` at `endpoint` with extra `opcua` keys. */
export function opcuaDevice(name: string, endpoint: string, opcua: Record<string, unknown> = {}, profileName = TEST_PROFILE): Device {
  return {
    name,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName: "device-opcua",
    profileName,
    protocols: { opcua: { Endpoint: endpoint, ...opcua } },
  };
}

export function requestOf(profile: DeviceProfile, name: string): CommandRequest {
  const resource = profile.deviceResources.find((r) => r.name === name);
  if (resource === undefined) throw new Error(`profile ${profile.name} has no resource ${name}`);
  return { resourceName: name, attributes: resource.attributes ?? {}, valueType: resource.properties.valueType, resource };
}

export function valueOf(request: CommandRequest, value: CommandValue["value"]): CommandValue {
  return { resourceName: request.resourceName, valueType: request.valueType, value };
}

/** A DeviceServiceSdk over fixed devices and profiles; records pushes and operating states. */
export class RecordingSdk implements DeviceServiceSdk {
  readonly serviceName = "device-opcua";
  readonly logger = pino({ level: process.env.BRINK_TEST_LOG_LEVEL ?? "silent" });
  readonly dataDir: string;
  readonly pushed: { device: string; source: string; values: readonly CommandValue[] }[] = [];
  readonly states: { device: string; state: OperatingState }[] = [];
  private readonly all = new Map<string, Device>();
  private readonly profiles = new Map<string, DeviceProfile>();

  constructor(
    devices: readonly Device[],
    profiles: readonly DeviceProfile[],
    readonly driverConfig: Readonly<Record<string, unknown>> = {},
    dataDir?: string,
  ) {
    for (const d of devices) this.all.set(d.name, d);
    for (const p of profiles) this.profiles.set(p.name, p);
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), "brink-opcua-test-"));
  }

  devices(): readonly Device[] {
    return [...this.all.values()];
  }
  device(name: string): Device | undefined {
    return this.all.get(name);
  }
  profile(name: string): DeviceProfile | undefined {
    return this.profiles.get(name);
  }
  addDevice(device: Device): void {
    this.all.set(device.name, device);
  }
  async pushValues(device: string, source: string, values: readonly CommandValue[]): Promise<void> {
    this.pushed.push({ device, source, values });
  }
  async setOperatingState(device: string, state: OperatingState): Promise<void> {
    this.states.push({ device, state });
    const d = this.all.get(device);
    if (d !== undefined) this.all.set(device, { ...d, operatingState: state });
  }
  /** The last state reported for a device. */
  stateOf(device: string): OperatingState | undefined {
    return this.states.filter((s) => s.device === device).at(-1)?.state;
  }
  /** Pushed values of one device and resource. */
  valuesOf(device: string, resource: string): CommandValue[] {
    return this.pushed.filter((p) => p.device === device).flatMap((p) => p.values.filter((v) => v.resourceName === resource));
  }
  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A TCP proxy whose network can be cut silently (no FIN, no RST) and restored, as a pulled cable would. */
export class CuttableProxy {
  private readonly server = createServer((client) => this.accept(client));
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private held: Socket[] = [];
  private cut = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops moving bytes; connections stay open and new ones hang. */
  drop(): void {
    this.cut = true;
    for (const { client, upstream } of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Moves bytes again. */
  restore(): void {
    this.cut = false;
    for (const { client, upstream } of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    const held = this.held;
    this.held = [];
    for (const client of held) this.connect(client);
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    for (const c of this.held) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => undefined);
    if (this.cut) {
      client.pause();
      this.held.push(client);
    } else this.connect(client);
  }

  private connect(client: Socket): void {
    const upstream = connect(this.targetPort, "127.0.0.1");
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
