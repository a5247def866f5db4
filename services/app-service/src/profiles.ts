/**
 * Device profile bounds for RangeCheck, read from core-metadata and kept current by its system events
 * (`edgex.system-events.core-metadata.deviceprofile.*`). Lookups are synchronous, from memory: `load()` fills the
 * cache (app-service awaits it before starting a pipeline that has a RangeCheck); a failed load is logged and retried
 * on the next lookup of an unknown profile, at most every {@link PROFILE_RETRY_MS}.
 */
import type { MessageBus, Subscription } from "@brink/bus";
import { ANY, systemEventSubject, type DeviceProfile, type SystemEvent } from "@brink/contracts";
import type { MetadataClient } from "@brink/service-kit";
import type { Logger } from "pino";

/** Least time between two attempts to read the profiles after a failure, ms. */
export const PROFILE_RETRY_MS = 30_000;

type Bounds = { minimum?: number; maximum?: number };

function boundsOf(profile: DeviceProfile): Map<string, Bounds> {
  const out = new Map<string, Bounds>();
  for (const r of profile.deviceResources ?? []) {
    const b: Bounds = {};
    const min = Number(r.properties?.minimum);
    const max = Number(r.properties?.maximum);
    if (r.properties?.minimum !== undefined && Number.isFinite(min)) b.minimum = min;
    if (r.properties?.maximum !== undefined && Number.isFinite(max)) b.maximum = max;
    out.set(r.name, b);
  }
  return out;
}

/** Profile bounds by profile and resource name. */
export class ProfileCache {
  private readonly profiles = new Map<string, Map<string, Bounds>>();
  private subscription: Subscription | undefined;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private lastAttempt = 0;

  constructor(
    private readonly client: MetadataClient,
    private readonly bus: MessageBus,
    private readonly logger: Logger,
  ) {}

  /** Reads every profile (once; again after a failure). Never rejects: a failure is logged. */
  load(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.subscription ??= this.bus.subscribe<SystemEvent>(systemEventSubject("deviceprofile", ANY, ANY, ANY), (msg) => this.onSystemEvent(msg.envelope.payload));
    this.loading ??= (async () => {
      this.lastAttempt = Date.now();
      try {
        const all = await this.client.getProfiles();
        for (const p of all) this.profiles.set(p.name, boundsOf(p));
        this.loaded = true;
        this.logger.info({ profiles: all.length }, "device profiles read for RangeCheck");
      } catch (err) {
        this.logger.warn({ err }, "cannot read device profiles from core-metadata; RangeCheck uses configured bounds until it can");
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** The bounds of a resource, or undefined when unknown. */
  lookup(profile: string, resource: string): Bounds | undefined {
    const p = this.profiles.get(profile);
    if (p === undefined && !this.loaded && Date.now() - this.lastAttempt >= PROFILE_RETRY_MS) void this.load();
    return p?.get(resource);
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private onSystemEvent(event: SystemEvent): void {
    const details = event.details as DeviceProfile | undefined;
    if (details === undefined || typeof details.name !== "string") return;
    if (event.action === "delete") this.profiles.delete(details.name);
    else if (Array.isArray(details.deviceResources)) this.profiles.set(details.name, boundsOf(details));
  }
}
