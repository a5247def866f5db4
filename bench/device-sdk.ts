/**
 * What the device SDK costs per poll, apart from any protocol: 10 devices polled back to back through the command
 * pipeline (checks, the driver call with its deadline, 100 readings with ids and text values, the event, publish)
 * with an in-memory driver that answers at once. Baseline in the same run: the same driver called alone. Each poll
 * yields to the event loop first, as a poll waiting on a socket does.
 */
import { pino } from "pino";
import type { Device, DeviceProfile, DeviceResource, Event, ValueType } from "@brink/contracts";
import { CommandPipeline, DeviceCache, DeviceHealth, type CommandRequest, type CommandValue, type ProtocolDriver, type RawValue } from "@brink/device-sdk";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const DEVICES = 10;
const READINGS = 100;
const POLLS = Number(process.env.BENCH_SDK_POLLS ?? 100_000);
const ROUNDS = 5;

function profileOf(name: string, valueType: ValueType, properties: Partial<DeviceResource["properties"]>): DeviceProfile {
  const deviceResources: DeviceResource[] = Array.from({ length: READINGS }, (_, i) => ({
    name: `r${i}`,
    isHidden: false,
    attributes: { register: i },
    properties: { valueType, readWrite: "R", ...properties },
  }));
  const resourceOperations = deviceResources.map((r) => ({ deviceResource: r.name }));
  return { name, manufacturer: "Brink", model: "bench", labels: [], deviceResources, deviceCommands: [{ name: "all", readWrite: "R", isHidden: false, resourceOperations }] };
}

/** Answers every read at once with fresh values, as a driver decoding an answer does. */
class InstantDriver implements ProtocolDriver {
  private tick = 0;
  /** The first value of the next answer: each answer is new, as each poll of a device is. */
  protected nextBase(): number {
    return this.tick++ & 0xff;
  }
  initialize(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async read(_device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    const out: CommandValue[] = new Array<CommandValue>(requests.length);
    const base = this.nextBase();
    for (let i = 0; i < requests.length; i++) out[i] = { resourceName: requests[i]!.resourceName, valueType: requests[i]!.valueType, value: base + i };
    return out;
  }
  async write(): Promise<void> {}
  validateDevice(): void {}
  onDeviceAdded(): void {}
  onDeviceUpdated(): void {}
  onDeviceRemoved(): void {}
}

/** The same driver with the SDK's positional fast path. */
class InstantValuesDriver extends InstantDriver {
  async readValues(_device: Device, requests: readonly CommandRequest[]): Promise<readonly RawValue[]> {
    const out: RawValue[] = new Array<RawValue>(requests.length);
    const base = this.nextBase();
    for (let i = 0; i < requests.length; i++) out[i] = base + i;
    return out;
  }
}

/** A pipeline over `driver`, and how many full events it has published. */
function pipelineOf(driver: ProtocolDriver, profile: DeviceProfile, devices: readonly Device[]): { pipeline: CommandPipeline; published: () => number } {
  const cache = new DeviceCache();
  cache.putProfile(profile);
  for (const d of devices) cache.putDevice(d);
  const health = new DeviceHealth({ maxConsecutiveFailures: 3, downProbeIntervalMs: 1000, stateOf: () => "UP", setState: async () => undefined });
  let published = 0;
  const pipeline = new CommandPipeline({
    driver,
    cache,
    health,
    events: {
      publish: async (e: Event) => {
        if (e.readings.length === READINGS) published++;
      },
    },
    logger: pino({ level: "silent" }),
    driverTimeoutMs: 5000,
    serviceLocked: () => false,
  });
  return { pipeline, published: () => published };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** CPU time per poll (user + system, µs) of `poll` run POLLS times over DEVICES concurrent loops. */
async function cpuPerPoll(poll: (device: number) => Promise<unknown>): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: DEVICES }, async (_, d) => {
      for (let i = 0; i < POLLS / DEVICES; i++) {
        await yieldToLoop();
        await poll(d);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / POLLS;
}

interface Case {
  readonly label: string;
  readonly profile: DeviceProfile;
}

export async function run(): Promise<void> {
  const cases: Case[] = [
    { label: "Uint16, no transform (the fast path)", profile: profileOf("Bench-SDK-Plain", "Uint16", {}) },
    { label: "Float32 with scale 0.1 and units (the general path)", profile: profileOf("Bench-SDK-Scaled", "Float32", { scale: 0.1, units: "V" }) },
  ];
  const devices: Device[] = Array.from({ length: DEVICES }, (_, i) => ({
    name: `sdk-${i}`,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName: "bench",
    profileName: "",
    protocols: {},
  }));
  const rows: string[][] = [];
  for (const c of cases) {
    const devs = devices.map((d) => ({ ...d, profileName: c.profile.name }));
    const requests = requestsOf(c.profile);
    const byRead = new InstantDriver();
    const byValues = new InstantValuesDriver();
    const viaRead = pipelineOf(byRead, c.profile, devs);
    const viaValues = pipelineOf(byValues, c.profile, devs);
    const pollThrough = ({ pipeline }: { pipeline: CommandPipeline }) => async (d: number) => {
      const event = await pipeline.executeRead(devs[d]!.name, "all");
      await pipeline.publish(event!);
    };
    const driverRead: number[] = [];
    const driverValues: number[] = [];
    const sdkRead: number[] = [];
    const sdkValues: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      driverRead.push(await cpuPerPoll((d) => byRead.read(devs[d]!, requests)));
      sdkRead.push(await cpuPerPoll(pollThrough(viaRead)));
      driverValues.push(await cpuPerPoll((d) => byValues.readValues(devs[d]!, requests)));
      sdkValues.push(await cpuPerPoll(pollThrough(viaValues)));
    }
    for (const p of [viaRead, viaValues]) {
      if (p.published() !== ROUNDS * POLLS) throw new Error(`bench: ${p.published()} events of ${READINGS} readings published, expected ${ROUNDS * POLLS}`);
    }
    const line = (how: string, alone: number[], through: number[]): string[] => [
      `${c.label}, driver answers through ${how}`,
      `${fmt(median(alone), 2)} µs`,
      `${fmt(median(through), 2)} µs`,
      `${fmt(median(through) - median(alone), 2)} µs`,
      `${fmt(((median(through) - median(alone)) * 1000) / READINGS, 0)} ns`,
    ];
    rows.push(line("read (a CommandValue per value)", driverRead, sdkRead), line("readValues (values alone)", driverValues, sdkValues));
    console.log(`${c.label}: read ${fmt(median(driverRead), 2)} -> ${fmt(median(sdkRead), 2)} µs, readValues ${fmt(median(driverValues), 2)} -> ${fmt(median(sdkValues), 2)} µs`);
  }
  const md = [
    "## Device SDK: CPU per poll",
    "",
    `${machineLine()}. ${DEVICES} devices polled back to back (each poll yields to the event loop first, as one waiting on a socket does), ${fmt(POLLS)} polls of a ${READINGS}-resource command per measurement, median of ${ROUNDS} rounds. The driver is in memory and answers at once, so what is left is the SDK: the checks, the driver call with its deadline, ${READINGS} readings with ids and text values, the event and its publish (to a sink that counts it).`,
    "",
    table(["poll", "driver alone", "through the SDK", "the SDK's share", "per reading"], rows),
    "",
    "A resource with no transform, assertion, mapping or tags has its reading made straight from the driver's value; the others go through the general path (transforms, checks, then the reading).",
  ].join("\n");
  writeSection("device-sdk", md);
  console.log(md);
}

/** The requests the pipeline hands the driver for the profile's command, for the driver-alone baseline. */
function requestsOf(profile: DeviceProfile): CommandRequest[] {
  return profile.deviceResources.map((r) => ({ resourceName: r.name, attributes: r.attributes ?? {}, valueType: r.properties.valueType, resource: r }));
}
