/**
 * What the driver keeps per device: its parsed `serial` settings, its resources' plans bound to its variables, the
 * bytes of its requests, how its streamed frames are recognised, and the last value streamed per resource.
 */
import { ErrorKind, normalizeValueType, type Device, type DeviceProfile, type DeviceResource, type ValueType } from "@brink/contracts";
import type { CommandValue } from "@brink/device-sdk";
import { bindPlan, planOf, type BoundPlan } from "./attributes.js";
import { SerialError, SerialErrorCode } from "./errors.js";
import { Framer } from "./framing/framer.js";
import type { SerialSettings } from "./protocol.js";
import { TemplateProblem } from "./template.js";

/** Streamed resources that share one way of recognising their frames. */
export interface StreamGroup {
  /** Frames must match it; undefined: every frame. */
  readonly match: RegExp | undefined;
  readonly plans: readonly BoundPlan[];
}

interface Waiter {
  readonly resolve: (v: CommandValue) => void;
}

/** See the module comment. */
export class DeviceContext {
  /** Unix ms of the last frame that came from this device. */
  lastHeardMs = Date.now();
  /** True while the driver holds the device DOWN for silence (idleTimeoutMs). */
  idleReported = false;
  private readonly bound = new WeakMap<DeviceResource, BoundPlan | SerialError>();
  private readonly requests = new WeakMap<BoundPlan, Buffer>();
  private readonly keys = new WeakMap<BoundPlan, string>();
  private readonly latest = new Map<string, CommandValue>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly encoder: Framer;
  private groups: { profile: DeviceProfile; groups: readonly StreamGroup[]; problems: readonly SerialError[] } | undefined;

  constructor(
    public device: Device,
    readonly settings: SerialSettings,
  ) {
    this.encoder = new Framer(settings);
  }

  /**
   * The resource's plan bound to this device (cached per resource object, so a profile update is picked up).
   * @throws SerialError SERIAL_ATTRIBUTES_INVALID
   */
  plan(resource: DeviceResource, valueType?: ValueType): BoundPlan {
    let b = this.bound.get(resource);
    if (b === undefined) {
      try {
        b = bindPlan(planOf(resource, valueType), this.settings.variables);
      } catch (err) {
        if (!(err instanceof SerialError)) throw err;
        b = err;
      }
      this.bound.set(resource, b);
    }
    if (b instanceof SerialError) throw b;
    return b;
  }

  /** The bytes of a resource's request, framed when the device asks for `requestFraming: framed`. */
  requestBytes(b: BoundPlan): Buffer {
    let bytes = this.requests.get(b);
    if (bytes === undefined) {
      bytes = this.frameOut(this.expand(b, b.plan.request!, () => undefined), b.plan.resourceName);
      this.requests.set(b, bytes);
    }
    return bytes;
  }

  /** Equal for two resources of this device whose requests can share one exchange (same bytes, same answer). */
  exchangeKey(b: BoundPlan): string {
    let key = this.keys.get(b);
    if (key === undefined) {
      key = `${this.requestBytes(b).toString("latin1")}\u0000${b.match?.source ?? ""}\u0000${b.error?.source ?? ""}`;
      this.keys.set(b, key);
    }
    return key;
  }

  /** The bytes of a write of `value`. @throws SerialError SERIAL_VALUE_INVALID */
  writeBytes(b: BoundPlan, value: unknown): Buffer {
    return this.frameOut(this.expand(b, b.plan.write!, (name) => (name === "value" ? value : undefined)), b.plan.resourceName);
  }

  private expand(b: BoundPlan, template: NonNullable<BoundPlan["plan"]["request"]>, extra: (name: string) => unknown): Buffer {
    try {
      return template.expand((name) => extra(name) ?? b.lookup(name));
    } catch (err) {
      if (!(err instanceof TemplateProblem)) throw err;
      throw new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.ValueInvalid, `resource ${b.plan.resourceName}: ${err.message}`, {
        details: { resourceName: b.plan.resourceName, device: this.device.name },
      });
    }
  }

  private frameOut(bytes: Buffer, resourceName: string): Buffer {
    if (this.settings.requestFraming === "raw") return bytes;
    try {
      return this.encoder.encode(bytes);
    } catch (err) {
      throw new SerialError(ErrorKind.ContractInvalid, SerialErrorCode.ValueInvalid, `resource ${resourceName}: cannot frame the request: ${(err as Error).message}`, {
        details: { resourceName, device: this.device.name },
      });
    }
  }

  /**
   * The streamed resources of the device's profile, grouped by the regex that recognises their frames (`match`, else
   * a regex `pattern`). Resources whose attributes are invalid are left out and returned in `problems` once.
   */
  streamGroups(profile: DeviceProfile | undefined): { groups: readonly StreamGroup[]; problems: readonly SerialError[] } {
    if (profile === undefined) return { groups: [], problems: [] };
    if (this.groups?.profile === profile) return { groups: this.groups.groups, problems: [] };
    const bySource = new Map<string, { match: RegExp | undefined; plans: BoundPlan[] }>();
    const problems: SerialError[] = [];
    for (const resource of profile.deviceResources) {
      if (resource.attributes?.stream !== true && resource.attributes?.stream !== "true") continue;
      let b: BoundPlan;
      try {
        b = this.plan(resource, normalizeValueType(String(resource.properties.valueType)));
      } catch (err) {
        problems.push(err as SerialError);
        continue;
      }
      const x = b.spec.extraction;
      const match = b.match ?? (x.kind === "regex" || x.kind === "json" ? x.pattern : undefined);
      const key = match === undefined ? "" : `/${match.source}/`;
      let g = bySource.get(key);
      if (g === undefined) {
        g = { match, plans: [] };
        bySource.set(key, g);
      }
      g.plans.push(b);
    }
    this.groups = { profile, groups: [...bySource.values()], problems };
    return { groups: this.groups.groups, problems };
  }

  /** Records a streamed value and hands it to reads waiting for one. */
  setLatest(value: CommandValue): void {
    this.latest.set(value.resourceName, value);
    const waiting = this.waiters.get(value.resourceName);
    if (waiting !== undefined) {
      this.waiters.delete(value.resourceName);
      for (const w of waiting) w.resolve(value);
    }
  }

  /**
   * The last streamed value of a resource when younger than `maxAgeMs`, else the next one to arrive.
   * @throws SerialError SERIAL_TIMEOUT when none arrives within `timeoutMs`
   */
  streamedValue(resourceName: string, maxAgeMs: number, timeoutMs: number): Promise<CommandValue> {
    const last = this.latest.get(resourceName);
    if (last?.origin !== undefined && Date.now() - Number(last.origin / 1_000_000n) <= maxAgeMs) return Promise.resolve(last);
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(resourceName) ?? new Set<Waiter>();
      this.waiters.set(resourceName, set);
      const waiter: Waiter = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      };
      const timer = setTimeout(() => {
        set.delete(waiter);
        reject(new SerialError(ErrorKind.Timeout, SerialErrorCode.Timeout, `device ${this.device.name}: no ${resourceName} streamed within ${timeoutMs} ms`, {
          details: { device: this.device.name, resourceName, timeoutMs },
        }));
      }, timeoutMs);
      set.add(waiter);
    });
  }

  /** Forgets streamed values (the port was lost: they may be stale when it comes back). */
  clearLatest(): void {
    this.latest.clear();
  }
}
