/**
 * The serial driver: instruments that speak text or binary frames over serial ports, described entirely by the
 * device's `serial` protocol block and its profile's resource attributes. Devices on one port path share one
 * {@link PortChannel} (one framer, one exchange queue). Polled resources send their request template and read the
 * answer; streamed resources turn unsolicited frames into async readings through `pushValues`.
 */
import { ErrorKind, type Device } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceServiceSdk, ProtocolDriver, StopOptions } from "@brink/device-sdk";
import type { BoundPlan } from "./attributes.js";
import { printable } from "./bytes.js";
import { DeviceContext } from "./device-context.js";
import { SerialError, SerialErrorCode } from "./errors.js";
import type { Frame } from "./framing/frame.js";
import { ParseProblem, extractValue } from "./parse.js";
import { StreamDispatcher, type StreamCounters } from "./stream-dispatcher.js";
import { PortChannel, type PortStats } from "./port/port-channel.js";
import { openSerialPort, type LinkOpener } from "./port/serial-link.js";
import { parseSerialProtocol, type SerialSettings } from "./protocol.js";
import { readDriverConfig, type SerialDriverConfig } from "./config.js";
import { float32Text } from "./template.js";

/** Options of {@link SerialDriver}. */
export interface SerialDriverOptions {
  /** Opens ports. @default the `serialport` package */
  readonly opener?: LinkOpener;
}

/** Counters of one port: the channel's and the stream dispatcher's. */
export interface SerialPortStats extends PortStats, StreamCounters {}

interface PortEntry {
  readonly channel: PortChannel;
  readonly portKey: string;
  readonly devices: Set<string>;
  readonly extra: StreamCounters;
}

const IDLE_SCAN_MS = 200;

/** See the module comment. */
export class SerialDriver implements ProtocolDriver {
  private readonly opener: LinkOpener;
  private readonly ports = new Map<string, PortEntry>();
  private readonly contexts = new Map<string, DeviceContext>();
  private readonly streams: StreamDispatcher;
  private sdkHandle: DeviceServiceSdk | undefined;
  private config: SerialDriverConfig = readDriverConfig({});
  private state: "new" | "started" | "stopped" = "new";
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(options: SerialDriverOptions = {}) {
    this.opener = options.opener ?? openSerialPort;
    this.streams = new StreamDispatcher({
      sdk: () => this.sdk,
      context: (name) => this.contexts.get(name),
      heard: (ctx) => this.heard(ctx),
      maxPendingPushes: () => this.config.maxPendingPushes,
      pause: (paused) => {
        for (const e of this.ports.values()) {
          if (paused) e.channel.pause();
          else e.channel.resume();
        }
      },
    });
  }

  private get sdk(): DeviceServiceSdk {
    if (this.sdkHandle === undefined) throw new SerialError(ErrorKind.ServiceUnavailable, SerialErrorCode.Stopped, "the serial driver is not initialized");
    return this.sdkHandle;
  }

  initialize(sdk: DeviceServiceSdk): void {
    this.sdkHandle = sdk;
    this.config = readDriverConfig(sdk.driverConfig);
  }

  /** Opens the ports of the devices known at start; a port that cannot be opened is retried with back-off. */
  async start(): Promise<void> {
    this.state = "started";
    this.idleTimer = setInterval(() => this.scanIdle(), IDLE_SCAN_MS);
    this.idleTimer.unref();
    await Promise.all(
      this.sdk.devices().map(async (device) => {
        try {
          await this.attach(device);
        } catch (err) {
          this.sdk.logger.warn({ device: device.name, code: (err as SerialError).code, err: (err as Error).message }, "device not attached");
        }
      }),
    );
  }

  async stop(_options: StopOptions): Promise<void> {
    this.state = "stopped";
    clearInterval(this.idleTimer);
    const entries = [...this.ports.values()];
    this.ports.clear();
    this.contexts.clear();
    await Promise.all(entries.map((e) => e.channel.stop()));
  }

  /**
   * Checks the `serial` block, the resources' attributes (when the profile is known), and that the device agrees
   * with the other devices on its port.
   * @throws SerialError kind ContractInvalid: SERIAL_PROTOCOL_INVALID, SERIAL_ATTRIBUTES_INVALID, SERIAL_PORT_CONFLICT
   */
  validateDevice(device: Device): void {
    const settings = parseSerialProtocol(device, this.config);
    this.checkConflict(device, settings);
    const profile = this.sdkHandle?.profile(device.profileName);
    if (profile === undefined) return;
    const ctx = new DeviceContext(device, settings);
    for (const r of profile.deviceResources) ctx.plan(r);
  }

  async onDeviceAdded(device: Device): Promise<void> {
    if (this.state === "started") await this.attach(device);
  }

  async onDeviceUpdated(device: Device, previous: Device): Promise<void> {
    const ctx = this.contexts.get(previous.name);
    if (ctx !== undefined && previous.name === device.name && JSON.stringify(previous.protocols) === JSON.stringify(device.protocols)) {
      ctx.device = device;
      return;
    }
    await this.detach(previous.name);
    if (this.state === "started") await this.attach(device);
  }

  async onDeviceRemoved(device: Device): Promise<void> {
    await this.detach(device.name);
  }

  async read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    const ctx = await this.contextOf(device);
    const entry = this.ports.get(ctx.settings.line.path)!;
    const plans = requests.map((r) => ctx.plan(r.resource, r.valueType));
    // One exchange per distinct request; resources answered by the same frame share it.
    const answers = new Map<string, Promise<Frame | undefined>>();
    const pending = plans.map((b, i) => {
      if (b.plan.request === undefined) return undefined;
      const bytes = ctx.requestBytes(b);
      const key = ctx.exchangeKey(b);
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = entry.channel.exchange({
          bytes,
          expect: { match: b.match, error: b.error, timeoutMs: b.plan.timeoutMs ?? ctx.settings.timeoutMs },
          turnaroundMs: ctx.settings.turnaroundMs,
          startBy: Date.now() + this.config.queueTimeoutMs,
          what: `read ${requests[i]!.resourceName} of ${device.name}`,
        });
        answer.catch(() => undefined);
        answers.set(key, answer);
      }
      return answer;
    });
    const out: CommandValue[] = [];
    for (let i = 0; i < requests.length; i++) {
      const { resourceName, valueType } = requests[i]!;
      const b = plans[i]!;
      const answer = pending[i];
      if (answer !== undefined) {
        const frame = (await answer)!;
        this.heard(ctx);
        out.push({ resourceName, valueType, value: this.valueOf(frame, b, device.name) });
      } else if (b.plan.stream) {
        const v = await ctx.streamedValue(resourceName, ctx.settings.streamMaxAgeMs, b.plan.timeoutMs ?? ctx.settings.timeoutMs);
        out.push({ ...v, valueType });
      } else {
        throw new SerialError(ErrorKind.NotAllowed, SerialErrorCode.NotReadable, `resource ${resourceName} has neither a request template nor stream: true`, {
          details: { resourceName, device: device.name },
        });
      }
    }
    return out;
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    const ctx = await this.contextOf(device);
    const entry = this.ports.get(ctx.settings.line.path)!;
    const plans = requests.map((r) => ctx.plan(r.resource, r.valueType));
    // Build every frame before sending any, so a bad value leaves the device untouched.
    const frames = plans.map((b, i) => {
      if (b.plan.write === undefined) {
        throw new SerialError(ErrorKind.NotAllowed, SerialErrorCode.NotWritable, `resource ${b.plan.resourceName} has no write template`, {
          details: { resourceName: b.plan.resourceName, device: device.name },
        });
      }
      return ctx.writeBytes(b, this.deviceText(b, values[i]));
    });
    for (let i = 0; i < plans.length; i++) {
      const b = plans[i]!;
      const expect = b.writeAck === undefined ? undefined : { match: b.writeAck, error: b.error, timeoutMs: b.plan.timeoutMs ?? ctx.settings.timeoutMs };
      await entry.channel.exchange({
        bytes: frames[i]!,
        expect,
        turnaroundMs: ctx.settings.turnaroundMs,
        startBy: Date.now() + this.config.queueTimeoutMs,
        what: `write ${b.plan.resourceName} of ${device.name}`,
      });
      if (expect !== undefined) this.heard(ctx);
    }
  }

  /** Counters per port path, for metrics and tests. */
  portStats(): Record<string, SerialPortStats> {
    const out: Record<string, SerialPortStats> = {};
    for (const [path, e] of this.ports) out[path] = { ...e.channel.stats, ...e.extra };
    return out;
  }

  /** The value a write template's `{value}` gets: through the reverse valueMap, Float32 in its shortest form. */
  private deviceText(b: BoundPlan, cv: CommandValue | undefined): unknown {
    if (cv === undefined) {
      throw new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.ValueInvalid, `no value for ${b.plan.resourceName}`, { details: { resourceName: b.plan.resourceName } });
    }
    let v: unknown = cv.value;
    if (b.plan.valueType === "Float32" && typeof v === "number") v = Number(float32Text(v));
    const map = b.plan.valueMap;
    if (map !== undefined) {
      const text = String(v);
      for (const [device, value] of map) if (value === text) return device;
    }
    return v;
  }

  private valueOf(frame: Frame, b: BoundPlan, deviceName: string): CommandValue["value"] {
    let v: CommandValue["value"] | undefined;
    let why = "the field is empty";
    try {
      v = extractValue(frame, b.spec, b.plan.valueType);
    } catch (err) {
      if (!(err instanceof ParseProblem)) throw err;
      why = err.message;
    }
    if (v === undefined) {
      throw new SerialError(ErrorKind.Server, SerialErrorCode.ResponseInvalid, `${b.plan.resourceName} of ${deviceName}: the answer ${JSON.stringify(printable(frame.payload))} ${why}`, {
        details: { resourceName: b.plan.resourceName, device: deviceName, answer: printable(frame.payload) },
      });
    }
    return v;
  }

  private async contextOf(device: Device): Promise<DeviceContext> {
    if (this.state === "stopped") throw new SerialError(ErrorKind.ServiceUnavailable, SerialErrorCode.Stopped, "the serial driver is stopped");
    const ctx = this.contexts.get(device.name);
    // The runtime hands the same cached device object on every call; compare contents only when it changed.
    if (ctx !== undefined && (ctx.device.protocols === device.protocols || JSON.stringify(ctx.device.protocols) === JSON.stringify(device.protocols))) return ctx;
    if (ctx !== undefined) await this.detach(device.name);
    return this.attach(device);
  }

  private checkConflict(device: Device, settings: SerialSettings): void {
    const entry = this.ports.get(settings.line.path);
    const others = entry === undefined ? [] : [...entry.devices].filter((d) => d !== device.name);
    if (entry !== undefined && others.length > 0 && entry.portKey !== settings.portKey) {
      throw new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.PortConflict, `device ${device.name}: port ${settings.line.path} is used by ${others.join(", ")} with other line or framing settings`, {
        details: { device: device.name, path: settings.line.path, devices: others },
      });
    }
  }

  private async attach(device: Device): Promise<DeviceContext> {
    const settings = parseSerialProtocol(device, this.config);
    await this.detach(device.name);
    this.checkConflict(device, settings);
    const path = settings.line.path;
    let entry = this.ports.get(path);
    if (entry !== undefined && entry.devices.size === 0 && entry.portKey !== settings.portKey) {
      await entry.channel.stop();
      this.ports.delete(path);
      entry = undefined;
    }
    const ctx = new DeviceContext(device, settings);
    this.contexts.set(device.name, ctx);
    if (entry === undefined) {
      const channel = new PortChannel({
        line: settings.line,
        frame: settings,
        opener: this.opener,
        reopen: { initialDelayMs: this.config.reopenInitialDelayMs, maxDelayMs: this.config.reopenMaxDelayMs, checkIntervalMs: this.config.portCheckIntervalMs },
        logger: this.sdk.logger,
        partialTimeoutMs: settings.partialTimeoutMs,
        onFrame: (frame) => {
          const e = this.ports.get(path);
          if (e !== undefined) this.streams.dispatch(e.devices, frame, e.extra);
        },
        onState: (open) => this.onPortState(path, open),
      });
      entry = { channel, portKey: settings.portKey, devices: new Set([device.name]), extra: { unmatched: 0, parseFailed: 0, pushFailed: 0 } };
      this.ports.set(path, entry);
      await channel.start();
    } else entry.devices.add(device.name);
    if (!entry.channel.isOpen) void this.sdk.setOperatingState(device.name, "DOWN").catch(() => undefined);
    return ctx;
  }

  private async detach(deviceName: string): Promise<void> {
    const ctx = this.contexts.get(deviceName);
    if (ctx === undefined) return;
    this.contexts.delete(deviceName);
    const path = ctx.settings.line.path;
    const entry = this.ports.get(path);
    if (entry === undefined) return;
    entry.devices.delete(deviceName);
    if (entry.devices.size === 0) {
      this.ports.delete(path);
      await entry.channel.stop();
    }
  }

  private onPortState(path: string, open: boolean): void {
    if (open) return;
    for (const name of this.ports.get(path)?.devices ?? []) {
      this.contexts.get(name)?.clearLatest();
      void this.sdk.setOperatingState(name, "DOWN").catch(() => undefined);
    }
  }

  private heard(ctx: DeviceContext): void {
    ctx.lastHeardMs = Date.now();
    ctx.idleReported = false;
  }

  private scanIdle(): void {
    const now = Date.now();
    for (const ctx of this.contexts.values()) {
      const idle = ctx.settings.idleTimeoutMs;
      if (idle > 0 && !ctx.idleReported && now - ctx.lastHeardMs > idle) {
        ctx.idleReported = true;
        this.sdk.logger.warn({ device: ctx.device.name, idleMs: now - ctx.lastHeardMs }, "device silent");
        void this.sdk.setOperatingState(ctx.device.name, "DOWN").catch(() => undefined);
      }
    }
  }
}
