/**
 * Where each Brink service answers: the core services from the clients config, app-service and rules-engine from
 * the console's config, and device services from their registration in core-metadata (`baseAddress`).
 */
import { ErrorKind, ServiceError, type DeviceService } from "@brink/contracts";
import type { MetadataClient } from "@brink/service-kit";
import { ConsoleErrorCode } from "./errors.js";

/** What a peer is, for the health page's grouping. */
export const PeerKind = {
  Core: "core",
  Device: "device",
  App: "app",
  Rules: "rules",
  Console: "console",
} as const;
/** One peer kind. */
export type PeerKind = (typeof PeerKind)[keyof typeof PeerKind];

/** A service the console can reach. */
export interface Peer {
  /** EdgeX service key, which is also its gateway path (`/core-metadata/api/v3/...`). */
  readonly name: string;
  readonly kind: PeerKind;
  /** Base URL, without a trailing slash. */
  readonly url: string;
}

/** Options of {@link PeerDirectory}. */
export interface PeerDirectoryOptions {
  /** Peers known from config, by name. */
  readonly fixed: readonly Peer[];
  /** Other names that stand for a fixed peer (EdgeX's `support-notifications` -> the notifications service). */
  readonly aliases?: Readonly<Record<string, string>>;
  readonly metadata: MetadataClient;
  /** How long device-service addresses are reused, ms. */
  readonly cacheMs: number;
  /** Clock, ms. @default Date.now */
  readonly now?: () => number;
}

function trimUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Finds peers by name; device services are looked up in core-metadata and cached for `cacheMs`. */
export class PeerDirectory {
  private readonly fixed: Map<string, Peer>;
  private readonly aliases: Readonly<Record<string, string>>;
  private readonly now: () => number;
  private deviceServices: { at: number; list: Promise<DeviceService[]> } | undefined;

  constructor(private readonly options: PeerDirectoryOptions) {
    this.fixed = new Map(options.fixed.map((p) => [p.name, { ...p, url: trimUrl(p.url) }]));
    this.aliases = options.aliases ?? {};
    this.now = options.now ?? Date.now;
  }

  /** Adds a peer known by name from now on (the console itself, once it listens). */
  add(peer: Peer): void {
    this.fixed.set(peer.name, { ...peer, url: trimUrl(peer.url) });
  }

  /** The peers known from config. */
  fixedPeers(): Peer[] {
    return [...this.fixed.values()];
  }

  /**
   * The peer of a name.
   * @throws ServiceError NotFound PEER_UNKNOWN when neither config nor core-metadata knows it; core-metadata's own
   *   error (such as SERVICE_UNREACHABLE) when it cannot be asked.
   */
  async resolve(name: string): Promise<Peer> {
    const fixed = this.fixed.get(this.aliases[name] ?? name);
    if (fixed) return fixed;
    const service = (await this.listDeviceServices()).find((s) => s.name === name);
    if (service === undefined || typeof service.baseAddress !== "string" || service.baseAddress === "") {
      throw new ServiceError(ErrorKind.EntityDoesNotExist, ConsoleErrorCode.PeerUnknown, `no service named ${JSON.stringify(name)}`, {
        details: { service: name, known: [...this.fixed.keys(), ...Object.keys(this.aliases)] },
      });
    }
    return { name, kind: PeerKind.Device, url: trimUrl(service.baseAddress) };
  }

  /** Every peer: the fixed ones, then each registered device service (none when core-metadata cannot be asked). */
  async all(): Promise<Peer[]> {
    const services = await this.listDeviceServices().catch(() => [] as DeviceService[]);
    const devices = services
      .filter((s) => typeof s.baseAddress === "string" && s.baseAddress !== "" && !this.fixed.has(s.name))
      .map((s): Peer => ({ name: s.name, kind: PeerKind.Device, url: trimUrl(s.baseAddress) }));
    return [...this.fixed.values(), ...devices.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
  }

  /** Forgets the cached device-service list. */
  invalidate(): void {
    this.deviceServices = undefined;
  }

  private listDeviceServices(): Promise<DeviceService[]> {
    const cached = this.deviceServices;
    if (cached && this.now() - cached.at < this.options.cacheMs) return cached.list;
    const list = this.fetchDeviceServices();
    this.deviceServices = { at: this.now(), list };
    // A failure is not cached: the next call asks again.
    list.catch(() => {
      if (this.deviceServices?.list === list) this.deviceServices = undefined;
    });
    return list;
  }

  private async fetchDeviceServices(): Promise<DeviceService[]> {
    const body = await this.options.metadata.http.get<{ services?: DeviceService[] }>("/api/v3/deviceservice/all", { query: { limit: -1 } });
    return Array.isArray(body.services) ? body.services : [];
  }
}
