/**
 * ModbusDriver: EdgeX device-modbus behind Brink's ProtocolDriver contract.
 * - Devices reach their peer through a {@link Link}: one per TCP host:port (shared by its unit ids) or per serial
 *   line, each with its own bounded queue, so a dead device delays only the devices on its own link.
 * - Reads for one device made in the same tick (every AutoEvent of the device due at that moment, a command's
 *   resources) are merged into the fewest requests by the planner; plans are cached per set of resources and shown
 *   by {@link ModbusDriver.inspectDevice} and by one debug log line when a plan is made.
 */
import { ErrorKind, normalizeValueType, type Device, type DeviceResource } from "@brink/contracts";
import type { CommandRequest, CommandValue, DeviceInspector, DeviceServiceSdk, ProtocolDriver, RawValue, StopOptions } from "@brink/device-sdk";
import { parseResourceAddress, type ResourceAddress } from "./attributes.js";
import { resolveDriverConfig, type ModbusDriverConfig } from "./config.js";
import { ModbusError, ModbusErrorCode } from "./errors.js";
import { describeDevice, type DeviceReport } from "./inspect.js";
import { Link, type LinkClock } from "./link.js";
import { planReads, describePlan, type PlanItem, type ReadPlan, type Restriction } from "./planner.js";
import { parseDeviceAddress, sameLinkSettings, describeSerial, type DeviceAddress } from "./protocol.js";
import { runReadPlan } from "./reads.js";
import { modbusSerialTransport, type TransportFactory } from "./transport.js";
import { planWrites, runWrites } from "./writes.js";

/** Plans kept per device (distinct sets of resources read together). */
const MAX_PLANS_PER_DEVICE = 64;

/** Options of {@link ModbusDriver}. */
export interface ModbusDriverOptions {
  /** Makes each link's transport. @default TCP and RTU through modbus-serial */
  readonly transport?: TransportFactory;
  /** Settings that override the service's `driver:` section (tests, benches). */
  readonly config?: Partial<ModbusDriverConfig>;
  /** Timers of the links. @default the global timers */
  readonly clock?: LinkClock;
}

interface PendingRead {
  readonly requests: readonly CommandRequest[];
  /** Answer with the raw values alone ({@link ModbusDriver.readValues}) rather than CommandValues. */
  readonly positional: boolean;
  resolve(values: CommandValue[] | readonly RawValue[]): void;
  reject(err: unknown): void;
}

/** A plan made for one set of resources of one device. */
export interface CachedPlan {
  readonly resources: readonly DeviceResource[];
  readonly items: readonly PlanItem[];
  readonly plan: ReadPlan;
  readonly version: number;
}

interface DeviceEntry {
  readonly name: string;
  readonly device: Device;
  readonly protocolsKey: string;
  readonly address: DeviceAddress;
  readonly link: Link;
  pending: PendingRead[];
  /** Plans by their first resource; a plan matches when its resources are the same objects, in order. */
  readonly plans: Map<DeviceResource, CachedPlan[]>;
  readonly restricted: Map<string, Restriction>;
  version: number;
}

interface LinkEntry {
  readonly link: Link;
  /** The devices on the link and how each reaches it. */
  readonly devices: Map<string, DeviceAddress>;
}

/** See the module comment. */
export class ModbusDriver implements ProtocolDriver, DeviceInspector {
  private sdk: DeviceServiceSdk | undefined;
  private config: ModbusDriverConfig = resolveDriverConfig();
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly links = new Map<string, LinkEntry>();
  private readonly addresses = new WeakMap<DeviceResource, ResourceAddress>();
  private readonly transport: TransportFactory;
  private stopped = false;

  constructor(private readonly options: ModbusDriverOptions = {}) {
    this.transport = options.transport ?? modbusSerialTransport;
  }

  initialize(sdk: DeviceServiceSdk): void {
    this.sdk = sdk;
    this.config = resolveDriverConfig(sdk.driverConfig, this.options.config);
  }

  /** Connections open on the first request of each link, so start() has nothing to wait for. */
  async start(): Promise<void> {
    this.stopped = false;
  }

  async stop(_options: StopOptions): Promise<void> {
    this.stopped = true;
    const stopping = new ModbusError(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped");
    for (const entry of this.devices.values()) for (const p of entry.pending.splice(0)) p.reject(stopping);
    const links = [...this.links.values()];
    this.devices.clear();
    this.links.clear();
    await Promise.all(links.map((l) => l.link.close()));
  }

  read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    return this.enqueue(device, requests, false) as Promise<CommandValue[]>;
  }

  /** The values of {@link read} alone, in request order: the SDK's fast path, used by every poll. */
  readValues(device: Device, requests: readonly CommandRequest[]): Promise<readonly RawValue[]> {
    return this.enqueue(device, requests, true) as Promise<readonly RawValue[]>;
  }

  private enqueue(device: Device, requests: readonly CommandRequest[], positional: boolean): Promise<CommandValue[] | readonly RawValue[]> {
    if (this.stopped) return Promise.reject(new ModbusError(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped"));
    let entry: DeviceEntry;
    try {
      entry = this.entryOf(device);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<CommandValue[] | readonly RawValue[]>((resolve, reject) => {
      entry.pending.push({ requests, positional, resolve, reject });
      // Everything asked of this device before the microtask queue drains is planned together: the AutoEvents the
      // SDK's scheduler fires in one tick, the resources of one command. A microtask, not setImmediate: the request
      // goes out before the next socket's answer is handled, so the peer is never left waiting for a whole batch.
      if (entry.pending.length === 1) queueMicrotask(() => this.flush(entry));
    });
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    if (this.stopped) throw new ModbusError(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, "the Modbus driver is stopped");
    if (requests.length !== values.length) {
      throw new ModbusError(ErrorKind.ContractInvalid, ModbusErrorCode.ValueInvalid, `${requests.length} resources to write but ${values.length} values`);
    }
    const entry = this.entryOf(device);
    const steps = planWrites(
      requests.map((r, i) => ({ name: r.resourceName, address: this.addressOf(r), value: values[i]!.value })),
      this.config.merge,
    );
    await entry.link.submit({ unitId: entry.address.unitId, device: entry.name, timeoutMs: entry.address.timeoutMs, run: (exchange) => runWrites(exchange, steps) });
  }

  /**
   * Checks the `modbus-tcp` / `modbus-rtu` block, and that a serial line is not used with other settings by another
   * device.
   * @throws ModbusError MODBUS_PROTOCOL_INVALID (kind ContractInvalid)
   */
  validateDevice(device: Device): void {
    const address = parseDeviceAddress(device);
    this.checkLinkConflict(device.name, address);
  }

  onDeviceAdded(device: Device): void {
    this.entryOf(device);
    this.warnAboutAttributes(device);
  }

  onDeviceUpdated(device: Device, previous: Device): void {
    if (previous.name !== device.name) this.forget(previous.name);
    const entry = this.devices.get(device.name);
    // A new profile or protocols block starts from fresh plans.
    if (entry !== undefined && (entry.device.profileName !== device.profileName || entry.protocolsKey !== JSON.stringify(device.protocols))) this.forget(device.name);
    this.entryOf(device);
    this.warnAboutAttributes(device);
  }

  onDeviceRemoved(device: Device): void {
    this.forget(device.name);
  }

  /**
   * What the driver will send for a device, served by the SDK at `GET /api/v3/driver/device/name/{name}`: its link
   * and the state of that link's connection, the read plan of each AutoEvent interval (all sources due at the same
   * moment are read together), and the plans made so far.
   */
  inspectDevice(device: Device): DeviceReport {
    const entry = this.entryOf(device);
    return describeDevice({
      device,
      address: entry.address,
      link: entry.link.status(),
      profile: this.sdk?.profile(device.profileName),
      plan: (resources) => this.planOf(entry, resources, (i) => this.addressOfResource(resources[i]!)),
      cached: [...entry.plans.values()].flat(),
    });
  }

  /** The plan of a set of resources of a device (cached), as {@link read} uses it. */
  private planOf(entry: DeviceEntry, resources: readonly DeviceResource[], addressAt: (index: number) => ResourceAddress): CachedPlan {
    const hit = this.cachedPlan(entry, resources.map((resource) => ({ resource })));
    if (hit !== undefined) return hit;
    const first = resources[0];
    const items = resources.map((r, i) => ({ name: r.name, address: addressAt(i) }));
    const maxRegistersPerRead = Math.min(this.config.maxRegistersPerRead, entry.address.maxRegistersPerRead ?? this.config.maxRegistersPerRead);
    const plan = planReads(items, { ...this.config, maxRegistersPerRead, restricted: entry.restricted });
    const made: CachedPlan = { resources: [...resources], items, plan, version: entry.version };
    if (first !== undefined) {
      let count = 0;
      for (const list of entry.plans.values()) count += list.length;
      if (count >= MAX_PLANS_PER_DEVICE) entry.plans.clear();
      const list = (entry.plans.get(first) ?? []).filter((c) => c.version === entry.version);
      list.push(made);
      entry.plans.set(first, list);
    }
    const logger = this.sdk?.logger;
    if (logger?.isLevelEnabled("debug")) logger.debug({ device: entry.name, link: entry.link.key, unitId: entry.address.unitId, requests: describePlan(items, plan) }, "Modbus read plan");
    return made;
  }

  /** The cached plan for exactly these resources (the requests' resource objects, in order), if any. */
  private cachedPlan(entry: DeviceEntry, requests: readonly { readonly resource: DeviceResource }[]): CachedPlan | undefined {
    const first = requests[0]?.resource;
    const candidates = first === undefined ? undefined : entry.plans.get(first);
    if (candidates !== undefined) {
      for (const c of candidates) if (c.version === entry.version && sameResources(c.resources, requests)) return c;
    }
    return undefined;
  }

  private flush(entry: DeviceEntry): void {
    let batch = entry.pending;
    entry.pending = [];
    if (batch.length === 0) return;
    let gathered = gather(batch);
    let cached = this.cachedPlan(entry, gathered.source);
    if (cached === undefined) {
      // A new set of resources: check their attributes first, so a bad resource fails only the reads that asked
      // for it, not the others merged with them.
      batch = batch.filter((p) => {
        try {
          for (const r of p.requests) this.addressOf(r);
          return true;
        } catch (err) {
          p.reject(err);
          return false;
        }
      });
      if (batch.length === 0) return;
      gathered = gather(batch);
      const source = gathered.source;
      cached = this.planOf(entry, source.map((r) => r.resource), (i) => this.addressOf(source[i]!));
    }
    const { slots } = gathered;
    const { items, plan } = cached;
    const restrict = (name: string, r: Restriction): void => this.restrict(entry, name, r);
    entry.link
      .submit({ unitId: entry.address.unitId, device: entry.name, timeoutMs: entry.address.timeoutMs, run: (exchange) => runReadPlan(exchange, items, plan, restrict) })
      .then(
        ({ values, errors }) => {
          for (let b = 0; b < batch.length; b++) answer(batch[b]!, values, errors, slots?.[b]);
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      );
  }

  /** A merged read failed on `name`: from now on it merges only with what it touches, then not at all. */
  private restrict(entry: DeviceEntry, name: string, r: Restriction): void {
    const current = entry.restricted.get(name);
    const next: Restriction = r === "alone" || current !== undefined ? "alone" : "adjacent";
    if (current === next) return;
    entry.restricted.set(name, next);
    entry.version++;
    this.sdk?.logger.info({ device: entry.name, resource: name, restriction: next }, "Modbus read merging restricted after ILLEGAL DATA ADDRESS");
  }

  private addressOfResource(resource: DeviceResource): ResourceAddress {
    const valueType = normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
    return this.addressOf({ resourceName: resource.name, attributes: resource.attributes ?? {}, valueType, resource });
  }

  private addressOf(r: CommandRequest): ResourceAddress {
    const hit = this.addresses.get(r.resource);
    if (hit !== undefined && hit.valueType === r.valueType) return hit;
    const a = parseResourceAddress(r.resource, r.valueType);
    this.addresses.set(r.resource, a);
    return a;
  }

  private entryOf(device: Device): DeviceEntry {
    const known = this.devices.get(device.name);
    if (known !== undefined && (known.device === device || known.protocolsKey === JSON.stringify(device.protocols))) return known;
    if (known !== undefined) this.forget(device.name);
    const address = parseDeviceAddress(device);
    this.checkLinkConflict(device.name, address);
    let link = this.links.get(address.link.key);
    if (link === undefined) {
      const l = new Link({ spec: address.link, transport: this.transport(address.link), config: this.config, logger: this.logger(), ...(this.options.clock ? { clock: this.options.clock } : {}) });
      link = { link: l, devices: new Map() };
      this.links.set(address.link.key, link);
    }
    link.devices.set(device.name, address);
    link.link.setIdleTimeout(idleTimeoutOf(link.devices));
    const entry: DeviceEntry = {
      name: device.name,
      device,
      protocolsKey: JSON.stringify(device.protocols),
      address,
      link: link.link,
      pending: [],
      plans: new Map(),
      restricted: new Map(),
      version: 0,
    };
    this.devices.set(device.name, entry);
    return entry;
  }

  private forget(name: string): void {
    const entry = this.devices.get(name);
    if (entry === undefined) return;
    this.devices.delete(name);
    const link = this.links.get(entry.link.key);
    if (link === undefined) return;
    link.devices.delete(name);
    if (link.devices.size === 0) {
      this.links.delete(entry.link.key);
      void link.link.close();
    } else link.link.setIdleTimeout(idleTimeoutOf(link.devices));
    // Reads already waiting for this turn still run on the old link, which closes after them.
    for (const p of entry.pending.splice(0)) p.reject(new ModbusError(ErrorKind.ServiceUnavailable, ModbusErrorCode.Stopped, `device ${name} was removed`));
  }

  private checkLinkConflict(name: string, address: DeviceAddress): void {
    const link = this.links.get(address.link.key);
    if (link === undefined || address.link.kind !== "rtu") return;
    for (const [other, a] of link.devices) {
      if (other === name || sameLinkSettings(a.link, address.link)) continue;
      throw new ModbusError(
        ErrorKind.ContractInvalid,
        ModbusErrorCode.ProtocolInvalid,
        `device ${name}: serial line ${address.link.key} is used at ${describeSerial(a.link as never)} by device ${other}, not at ${describeSerial(address.link)}`,
        { details: { device: name, link: address.link.key, conflictsWith: other } },
      );
    }
  }

  private warnAboutAttributes(device: Device): void {
    const profile = this.sdk?.profile(device.profileName);
    for (const r of profile?.deviceResources ?? []) {
      try {
        parseResourceAddress(r);
      } catch (err) {
        this.sdk?.logger.warn({ device: device.name, profile: profile!.name, resource: r.name, code: (err as ModbusError).code, err: (err as Error).message }, "resource cannot be read over Modbus");
      }
    }
  }

  private logger(): DeviceServiceSdk["logger"] {
    if (this.sdk === undefined) throw new ModbusError(ErrorKind.Server, ModbusErrorCode.Stopped, "the Modbus driver is not initialized");
    return this.sdk.logger;
  }
}

/**
 * Answers one read of a batch from the plan's results (`slot`: where each of its requests sits among them; none for
 * a read on its own): its values, as CommandValues or alone, or the first error among them.
 */
function answer(p: PendingRead, values: readonly RawValue[], errors: readonly (ModbusError | undefined)[], slot: readonly number[] | undefined): void {
  // A read on its own with every value there: the plan's values are its answer, in its order.
  if (p.positional && slot === undefined && errors.length === 0) {
    p.resolve(values);
    return;
  }
  const out: (CommandValue | RawValue)[] = new Array<CommandValue | RawValue>(p.requests.length);
  for (let k = 0; k < p.requests.length; k++) {
    const i = slot === undefined ? k : slot[k]!;
    const failed = errors[i];
    if (failed !== undefined) {
      p.reject(failed);
      return;
    }
    const r = p.requests[k]!;
    out[k] = p.positional ? values[i]! : { resourceName: r.resourceName, valueType: r.valueType, value: values[i]! };
  }
  p.resolve(out as CommandValue[] | RawValue[]);
}

/** The distinct requests of a batch of reads (one per resource), and for each read the index of each of its requests. */
function gather(batch: readonly PendingRead[]): { source: readonly CommandRequest[]; slots: number[][] | undefined } {
  // One read: its requests are the items, in order (no callers to merge).
  if (batch.length === 1) return { source: batch[0]!.requests, slots: undefined };
  const index = new Map<DeviceResource, number>();
  const source: CommandRequest[] = [];
  const slots = batch.map((p) =>
    p.requests.map((r) => {
      let i = index.get(r.resource);
      if (i === undefined) {
        i = source.length;
        index.set(r.resource, i);
        source.push(r);
      }
      return i;
    }),
  );
  return { source, slots };
}

function sameResources(a: readonly DeviceResource[], b: readonly { readonly resource: DeviceResource }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]!.resource) return false;
  return true;
}

/** A link closes when idle only if every device on it allows that: the longest IdleTimeout, 0 when any is 0. */
function idleTimeoutOf(devices: ReadonlyMap<string, DeviceAddress>): number {
  let ms = 0;
  for (const a of devices.values()) {
    if (a.idleTimeoutMs === 0) return 0;
    ms = Math.max(ms, a.idleTimeoutMs);
  }
  return ms;
}
