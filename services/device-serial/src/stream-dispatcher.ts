/**
 * Unsolicited frames to async readings: each frame is offered to every device on its port; the streamed resources
 * that recognise it read their values, grouped into one `pushValues` per `streamEvent`. Pushes in flight are
 * bounded: above `maxPendingPushes` the ports stop reading until half have drained.
 */
import type { CommandValue, DeviceServiceSdk } from "@brink/device-sdk";
import type { DeviceContext } from "./device-context.js";
import type { Frame } from "./framing/frame.js";
import { ParseProblem, extractValue } from "./parse.js";

/** Counters of one port that the dispatcher keeps. */
export interface StreamCounters {
  /** Unsolicited frames no device's streamed resources recognised. */
  unmatched: number;
  /** Streamed values that could not be read (pattern, field or type did not fit). */
  parseFailed: number;
  /** Streamed readings the SDK refused (device locked or unknown, profile missing). */
  pushFailed: number;
}

/** Collaborators of {@link StreamDispatcher}. */
export interface StreamDispatcherOptions {
  readonly sdk: () => DeviceServiceSdk;
  readonly context: (deviceName: string) => DeviceContext | undefined;
  /** Called when a frame came from the device. */
  readonly heard: (ctx: DeviceContext) => void;
  readonly maxPendingPushes: () => number;
  /** Stops (true) or resumes (false) reading every port. */
  readonly pause: (paused: boolean) => void;
}

/** See the module comment. */
export class StreamDispatcher {
  private pending = 0;
  private paused = false;
  private readonly warned = new Set<string>();

  constructor(private readonly options: StreamDispatcherOptions) {}

  /** Offers an unsolicited frame to the devices of its port. */
  dispatch(devices: Iterable<string>, frame: Frame, counters: StreamCounters): void {
    const sdk = this.options.sdk();
    let taken = false;
    for (const name of devices) {
      const ctx = this.options.context(name);
      if (ctx === undefined) continue;
      const { groups, problems } = ctx.streamGroups(sdk.profile(ctx.device.profileName));
      for (const p of problems) this.warnOnce(`${name}:${p.message}`, { device: name, code: p.code, err: p.message }, "streamed resource ignored");
      let events: Map<string, CommandValue[]> | undefined;
      for (const g of groups) {
        if (g.match !== undefined && !frame.test(g.match)) continue;
        for (const b of g.plans) {
          let value: CommandValue["value"] | undefined;
          try {
            value = extractValue(frame, b.spec, b.plan.valueType);
          } catch (err) {
            if (!(err instanceof ParseProblem)) throw err;
            counters.parseFailed++;
            continue;
          }
          if (value === undefined) continue;
          const cv: CommandValue = { resourceName: b.plan.resourceName, valueType: b.plan.valueType, value, origin: frame.receivedAt };
          ctx.setLatest(cv);
          events ??= new Map();
          const list = events.get(b.plan.streamEvent);
          if (list === undefined) events.set(b.plan.streamEvent, [cv]);
          else list.push(cv);
        }
      }
      if (events === undefined) continue;
      taken = true;
      this.options.heard(ctx);
      for (const [source, values] of events) this.push(sdk, name, source, values, counters);
    }
    if (!taken) counters.unmatched++;
  }

  private push(sdk: DeviceServiceSdk, device: string, source: string, values: CommandValue[], counters: StreamCounters): void {
    this.pending++;
    if (!this.paused && this.pending >= this.options.maxPendingPushes()) {
      this.paused = true;
      this.options.pause(true);
    }
    sdk.pushValues(device, source, values).then(
      () => this.pushed(),
      (err: unknown) => {
        counters.pushFailed++;
        const code = (err as { code?: string }).code ?? "ERROR";
        this.warnOnce(`${device}:${source}:${code}`, { device, source, code, err: (err as Error).message }, "streamed reading refused");
        this.pushed();
      },
    );
  }

  private pushed(): void {
    this.pending--;
    if (this.paused && this.pending <= this.options.maxPendingPushes() / 2) {
      this.paused = false;
      this.options.pause(false);
    }
  }

  /** Logs a warning the first time `key` is seen, at debug level afterwards (streams repeat their faults). */
  warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    const logger = this.options.sdk().logger;
    if (this.warned.has(key)) logger.debug(fields, message);
    else {
      this.warned.add(key);
      logger.warn(fields, message);
    }
  }
}
