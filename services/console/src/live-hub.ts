/**
 * Live data for browsers and the CLI. The hub subscribes to `edgex.events.device.>` (and to system events) only
 * while someone watches, and fans each message out to the streams that asked for it:
 * - reading streams follow chosen devices and get every event of those devices;
 * - the device-list stream gets, once per interval, the newest event origin of each device that had one
 *   (`seen`: `{ devices: [{ deviceName, origin }] }`), and a notice when a device
 *   is added, changed (locked, UP/DOWN) or removed;
 * - a discovery stream follows one device service: EdgeX's discovery progress events and the devices core-metadata
 *   adds for that service.
 */
import type { MessageBus, Subscription } from "@brink/bus";
import { ALL_EVENTS, BASE_TOPIC, parseEventSubject, type AddEventRequest, type Reading, type Subject, type SystemEvent } from "@brink/contracts";
import type { Logger } from "pino";
import type { SseStream } from "./sse.js";

/** Every system event, from core-metadata and from device services. */
const ALL_SYSTEM_EVENTS_ANY_SOURCE: Subject<SystemEvent> = `${BASE_TOPIC}.system-events.>`;

/** A reading as streams carry it: Binary readings without their bytes. */
export interface StreamReading {
  readonly resourceName: string;
  readonly valueType: string;
  readonly origin: bigint;
  readonly units?: string;
  /** Simple readings: the EdgeX string value. */
  readonly value?: string;
  /** Object readings. */
  readonly objectValue?: unknown;
  /** Binary readings: media type and size in bytes of the base64-decoded value. */
  readonly mediaType?: string;
  readonly size?: number;
}

/** An event as reading streams carry it (`event: reading`). */
export interface StreamEvent {
  readonly deviceName: string;
  readonly profileName: string;
  readonly sourceName: string;
  readonly origin: bigint;
  readonly readings: StreamReading[];
}

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  readonly bus: MessageBus;
  readonly logger: Logger;
  /** How often device-list streams get the last-seen times that changed, ms. */
  readonly summaryIntervalMs: number;
}

interface ReadingWatcher {
  readonly stream: SseStream;
  readonly devices: ReadonlySet<string>;
}

interface DiscoveryWatcher {
  readonly stream: SseStream;
  readonly service: string;
}

function toStreamReading(r: Reading): StreamReading {
  const base = { resourceName: r.resourceName, valueType: r.valueType, origin: r.origin, ...(r.units ? { units: r.units } : {}) };
  if ("binaryValue" in r) return { ...base, mediaType: r.mediaType, size: Math.floor((String(r.binaryValue ?? "").length * 3) / 4) };
  if ("objectValue" in r) return { ...base, objectValue: r.objectValue };
  return { ...base, value: (r as { value?: unknown }).value === undefined ? "" : String((r as { value?: unknown }).value) };
}

/** The event of a bus message, or undefined when the payload is not one. */
export function streamEventOf(subject: string, payload: unknown): StreamEvent | undefined {
  const event = (payload as Partial<AddEventRequest> | undefined)?.event;
  if (event === null || typeof event !== "object" || !Array.isArray(event.readings)) return undefined;
  const parts = parseEventSubject(subject);
  const deviceName = typeof event.deviceName === "string" ? event.deviceName : parts?.device;
  if (deviceName === undefined) return undefined;
  return {
    deviceName,
    profileName: typeof event.profileName === "string" ? event.profileName : (parts?.profile ?? ""),
    sourceName: typeof event.sourceName === "string" ? event.sourceName : (parts?.source ?? ""),
    origin: typeof event.origin === "bigint" ? event.origin : BigInt(Number(event.origin) || 0),
    readings: event.readings.filter((r) => r !== null && typeof r === "object").map(toStreamReading),
  };
}

function deviceNameOf(details: unknown): string | undefined {
  const name = (details as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** See the module comment. Streams are closed by the hub on {@link LiveHub.stop}. */
export class LiveHub {
  private readonly readingWatchers = new Set<ReadingWatcher>();
  private readonly summaryWatchers = new Set<SseStream>();
  private readonly discoveryWatchers = new Set<DiscoveryWatcher>();
  private eventSubscription: Subscription | undefined;
  private systemSubscription: Subscription | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  private pendingSeen = new Map<string, bigint>();
  private stopped = false;

  constructor(private readonly options: LiveHubOptions) {}

  /** Streams open now. */
  get streamCount(): number {
    return this.readingWatchers.size + this.summaryWatchers.size + this.discoveryWatchers.size;
  }

  /** Sends `stream` every event of `devices` until it closes. */
  watchReadings(stream: SseStream, devices: readonly string[]): void {
    const watcher: ReadingWatcher = { stream, devices: new Set(devices) };
    this.readingWatchers.add(watcher);
    this.onClose(stream, () => this.readingWatchers.delete(watcher));
    this.sync();
    this.hello(stream, { devices });
  }

  /** Sends `stream` last-seen times (`seen`) and device changes (`changed`) until it closes. */
  watchDeviceList(stream: SseStream): void {
    this.summaryWatchers.add(stream);
    this.onClose(stream, () => this.summaryWatchers.delete(stream));
    this.sync();
    this.hello(stream, {});
  }

  /** Sends `stream` the discovery progress (`progress`) and added devices (`device`) of one device service. */
  watchDiscovery(stream: SseStream, service: string): void {
    const watcher: DiscoveryWatcher = { stream, service };
    this.discoveryWatchers.add(watcher);
    this.onClose(stream, () => this.discoveryWatchers.delete(watcher));
    this.sync();
    this.hello(stream, { service });
  }

  /** Closes every stream and unsubscribes. */
  stop(): void {
    this.stopped = true;
    const streams = [...[...this.readingWatchers].map((w) => w.stream), ...this.summaryWatchers, ...[...this.discoveryWatchers].map((w) => w.stream)];
    for (const stream of streams) stream.close();
    this.readingWatchers.clear();
    this.summaryWatchers.clear();
    this.discoveryWatchers.clear();
    this.sync();
  }

  /**
   * `hello` tells the client it is followed: sent once the bus has the subscription (on NATS, once the server has it),
   * so whatever is published after it reaches the stream.
   */
  private hello(stream: SseStream, data: Record<string, unknown>): void {
    this.options.bus.flush().then(
      () => stream.send("hello", data),
      (err: unknown) => {
        this.options.logger.warn({ err }, "console: the bus did not flush; the stream starts anyway");
        stream.send("hello", data);
      },
    );
  }

  private onClose(stream: SseStream, remove: () => void): void {
    stream.onClosed(() => {
      remove();
      this.sync();
    });
  }

  /** Holds exactly the subscriptions the open streams need. */
  private sync(): void {
    const needEvents = !this.stopped && (this.readingWatchers.size > 0 || this.summaryWatchers.size > 0);
    const needSystem = !this.stopped && (this.summaryWatchers.size > 0 || this.discoveryWatchers.size > 0);
    if (needEvents && this.eventSubscription === undefined) {
      this.eventSubscription = this.options.bus.subscribe<AddEventRequest>(ALL_EVENTS, (msg) => this.onEvent(msg.subject, msg.envelope.payload));
    } else if (!needEvents && this.eventSubscription !== undefined) {
      this.eventSubscription.unsubscribe();
      this.eventSubscription = undefined;
    }
    if (needSystem && this.systemSubscription === undefined) {
      this.systemSubscription = this.options.bus.subscribe<SystemEvent>(ALL_SYSTEM_EVENTS_ANY_SOURCE, (msg) => this.onSystemEvent(msg.envelope.payload));
    } else if (!needSystem && this.systemSubscription !== undefined) {
      this.systemSubscription.unsubscribe();
      this.systemSubscription = undefined;
    }
    const needTimer = !this.stopped && this.summaryWatchers.size > 0;
    if (needTimer && this.summaryTimer === undefined) {
      this.summaryTimer = setInterval(() => this.sendSeen(), this.options.summaryIntervalMs);
      this.summaryTimer.unref();
    } else if (!needTimer && this.summaryTimer !== undefined) {
      clearInterval(this.summaryTimer);
      this.summaryTimer = undefined;
      this.pendingSeen.clear();
    }
  }

  private onEvent(subject: string, payload: unknown): void {
    const event = streamEventOf(subject, payload);
    if (event === undefined) {
      this.options.logger.debug({ subject }, "console: ignored a message that is not an event");
      return;
    }
    if (this.summaryWatchers.size > 0) {
      const seen = this.pendingSeen.get(event.deviceName);
      if (seen === undefined || event.origin > seen) this.pendingSeen.set(event.deviceName, event.origin);
    }
    for (const watcher of this.readingWatchers) {
      if (watcher.devices.has(event.deviceName)) watcher.stream.send("reading", event, event.deviceName);
    }
  }

  private sendSeen(): void {
    if (this.pendingSeen.size === 0) return;
    const devices = [...this.pendingSeen].map(([deviceName, origin]) => ({ deviceName, origin }));
    this.pendingSeen = new Map();
    for (const stream of this.summaryWatchers) stream.send("seen", { devices });
  }

  private onSystemEvent(event: SystemEvent | undefined): void {
    if (event === null || typeof event !== "object" || event.type !== "device") return;
    const action: string = event.action;
    if (action === "discovery") {
      for (const w of this.discoveryWatchers) if (w.service === event.source) w.stream.send("progress", { source: event.source, details: event.details }, w.service);
      return;
    }
    const name = deviceNameOf(event.details);
    if (name === undefined) return;
    const change = { device: name, action, source: event.source, owner: event.owner };
    for (const stream of this.summaryWatchers) stream.send("changed", change, name);
    if (action === "add" && event.source === "core-metadata") {
      for (const w of this.discoveryWatchers) if (w.service === event.owner) w.stream.send("device", change, w.service);
    }
  }
}
