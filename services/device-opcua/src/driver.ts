/**
 * The OPC UA driver: EdgeX device-opc-ua's attributes and protocol block on node-opcua's client. One connection
 * (client, session, subscription) per device, kept by a supervisor that rebuilds it after any failure (see
 * connection.ts). Reads of a command are one Read service call (plus one Call for method resources); writes are
 * encoded in each node's real DataType and sent in one Write call; subscribed resources deliver asynchronous
 * readings. node-opcua is loaded in `start()`, never at import.
 */
import { join } from "node:path";
import { format } from "node:util";
import { ErrorKind, ErrorCode, ServiceError, normalizeValueType, type Device, type DeviceProfile } from "@brink/contracts";
import type {
  CommandRequest, CommandValue, DeviceServiceSdk, Discoverable, DiscoveredDeviceInfo, DiscoverOptions, ProfileScanner, ProtocolDriver, StopOptions,
} from "@brink/device-sdk";
import type { WriteValueOptions } from "node-opcua-client";
import { addressOf, checkNodeId, monitoringOf, type ResourceAddress } from "./attributes.js";
import { browseVariables, profileFromVariables, type BrowseOptions } from "./browse.js";
import { driverConfigOf, type OpcuaDriverConfig } from "./config.js";
import { DeviceConnection } from "./connection.js";
import { discoverServers } from "./discovery.js";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";
import { loadOpcua, type OpcuaLib } from "./lib.js";
import { callMethods, readNodeTypes, type MethodCall } from "./methods.js";
import { openClientPki, type ClientPki } from "./pki.js";
import { connectionKey, parseOpcuaProtocol, type OpcuaDeviceSettings } from "./protocol.js";
import { qualityTags, severityOf, statusError } from "./status.js";
import { DeviceSubscription, type MonitoredResource, type SubscriptionStats } from "./subscription.js";
import { fromVariant, toVariant, type NodeType } from "./values.js";

/** What the driver keeps per device. */
interface DeviceEntry {
  readonly device: Device;
  readonly settings: OpcuaDeviceSettings;
  readonly key: string;
  readonly connection: DeviceConnection;
  readonly stats: SubscriptionStats;
  /** Node types (for writes and method inputs) of the current session; cleared when it is lost. */
  readonly types: Map<string, NodeType>;
  /** Input argument types of methods, by method node id; cleared with `types`. */
  readonly args: Map<string, readonly NodeType[]>;
}

/** A device's connection and subscription state, for diagnostics and benchmarks. */
export interface OpcuaDeviceStatus {
  readonly state: DeviceConnection["state"];
  readonly error?: { readonly code: string; readonly message: string };
  readonly subscription: Readonly<SubscriptionStats>;
}

/** Options of {@link OpcuaDriver}. */
export interface OpcuaDriverOptions {
  /** Loads node-opcua. @default loadOpcua */
  readonly load?: () => Promise<OpcuaLib>;
}

const VALUE_ATTRIBUTE = 13;

function newStats(): SubscriptionStats {
  return { notifications: 0, readings: 0, dropped: 0, duplicates: 0, failedItems: 0, created: 0 };
}

/** See the module comment. */
export class OpcuaDriver implements ProtocolDriver, Discoverable, ProfileScanner {
  private sdk: DeviceServiceSdk | undefined;
  private config: OpcuaDriverConfig = driverConfigOf({});
  private readonly entries = new Map<string, DeviceEntry>();
  private ready: Promise<{ lib: OpcuaLib; pki: ClientPki }> | undefined;
  private loaded: { lib: OpcuaLib; pki: ClientPki } | undefined;
  private stopped = false;

  constructor(private readonly options: OpcuaDriverOptions = {}) {}

  initialize(sdk: DeviceServiceSdk): void {
    this.sdk = sdk;
    this.config = driverConfigOf(sdk.driverConfig);
  }

  /** Loads node-opcua, opens the PKI (creating the client certificate on first start) and connects every device. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
    for (const device of this.requireSdk().devices()) {
      try {
        await this.entryOf(device);
      } catch (err) {
        this.requireSdk().logger.warn({ device: device.name, err: err instanceof Error ? err.message : String(err) }, "OPC UA device not connected");
      }
    }
  }

  async stop(options: StopOptions): Promise<void> {
    this.stopped = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.connection.close(options)));
    const ready = this.ready;
    this.ready = undefined;
    if (ready !== undefined) await ready.then(({ pki }) => pki.dispose()).catch(() => undefined);
  }

  async read(device: Device, requests: readonly CommandRequest[]): Promise<CommandValue[]> {
    const addresses = requests.map((r) => addressOf(r));
    const entry = await this.entryOf(device);
    return entry.connection.request(`read of ${device.name}`, async (session) => {
      const out: CommandValue[] = new Array<CommandValue>(requests.length);
      const variables = addresses.flatMap((a, i) => (a.kind === "variable" ? [{ i, nodeId: a.nodeId }] : []));
      if (variables.length > 0) {
        const values = await session.read(variables.map((v) => ({ nodeId: v.nodeId, attributeId: VALUE_ATTRIBUTE })), 0);
        variables.forEach(({ i, nodeId }, k) => {
          const dv = values[k]!;
          const request = requests[i]!;
          if (severityOf(dv.statusCode.value) === "Bad") throw statusError("read", request.resourceName, nodeId, dv.statusCode);
          const tags = qualityTags(dv.statusCode);
          const value = fromVariant(request.resourceName, request.valueType, dv.value);
          out[i] = { resourceName: request.resourceName, valueType: request.valueType, value, ...(tags === undefined ? {} : { tags }) };
        });
      }
      const methods = this.methodCalls(requests, addresses, (a) => ({ inputs: a.inputs }));
      if (methods.length > 0) {
        const outputs = await callMethods(this.lib(), session, entry.args, methods);
        methods.forEach((m, k) => {
          const request = requests[m.index]!;
          const output = outputs[k];
          if (output === undefined) throw new OpcuaError(ErrorKind.Server, OpcuaErrorCode.ValueUnsupported, `resource ${request.resourceName}: the method returned no output argument`, { details: { resourceName: request.resourceName } });
          out[m.index] = { resourceName: request.resourceName, valueType: request.valueType, value: fromVariant(request.resourceName, request.valueType, output) };
        });
      }
      return out;
    });
  }

  async write(device: Device, requests: readonly CommandRequest[], values: readonly CommandValue[]): Promise<void> {
    if (requests.length !== values.length) {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, `${requests.length} resources to write but ${values.length} values`);
    }
    const addresses = requests.map((r) => addressOf(r));
    const entry = await this.entryOf(device);
    await entry.connection.request(`write of ${device.name}`, async (session) => {
      const variables = addresses.flatMap((a, i) => (a.kind === "variable" ? [{ i, nodeId: a.nodeId }] : []));
      if (variables.length > 0) {
        await readNodeTypes(this.lib(), session, entry.types, variables.map((v) => ({ nodeId: v.nodeId, resourceName: requests[v.i]!.resourceName })));
        // Every value is encoded before anything is sent, so a value that does not fit writes nothing.
        const nodes: WriteValueOptions[] = variables.map(({ i, nodeId }) => ({
          nodeId,
          attributeId: VALUE_ATTRIBUTE,
          value: { value: toVariant(requests[i]!.resourceName, values[i]!.value, entry.types.get(nodeId)!) },
        }));
        const statuses = await session.write(nodes);
        statuses.forEach((status, k) => {
          if (severityOf(status.value) === "Bad") throw statusError("write", requests[variables[k]!.i]!.resourceName, variables[k]!.nodeId, status);
        });
      }
      const methods = this.methodCalls(requests, addresses, (_a, i) => ({ written: values[i]!.value }));
      if (methods.length > 0) await callMethods(this.lib(), session, entry.args, methods);
    });
  }

  /**
   * Checks the `opcua` protocol block.
   * @throws OpcuaError kind ContractInvalid, code OPCUA_PROTOCOL_INVALID
   */
  validateDevice(device: Device): void {
    parseOpcuaProtocol(device);
  }

  async onDeviceAdded(device: Device): Promise<void> {
    if (this.ready === undefined || this.stopped) return;
    await this.entryOf(device);
  }

  async onDeviceUpdated(device: Device, previous: Device): Promise<void> {
    const entry = this.entries.get(previous.name);
    if (entry === undefined) return this.onDeviceAdded(device);
    const settings = parseOpcuaProtocol(device);
    const same =
      device.name === previous.name &&
      device.profileName === entry.device.profileName &&
      connectionKey(settings) === entry.key &&
      JSON.stringify(settings.subscription) === JSON.stringify(entry.settings.subscription);
    if (same) {
      this.entries.set(device.name, { ...entry, device });
      return;
    }
    this.entries.delete(previous.name);
    await entry.connection.close({ force: false });
    await this.onDeviceAdded(device);
  }

  async onDeviceRemoved(device: Device): Promise<void> {
    const entry = this.entries.get(device.name);
    this.entries.delete(device.name);
    await entry?.connection.close({ force: false });
  }

  /** Finds servers through `driver.discoveryUrls` (see discovery.ts). */
  async discover(options: DiscoverOptions): Promise<DiscoveredDeviceInfo[]> {
    const { lib, pki } = await this.open();
    return discoverServers({ lib, pki, urls: this.config.discoveryUrls, timeoutMs: this.config.connectTimeoutMs, logger: this.requireSdk().logger, ...options });
  }

  /**
   * Browses the device's server from `options.startNodeId` (default the Objects folder; also `maxDepth`,
   * `maxVariables`, `includeStandardNodes`) and makes a profile of the variables found.
   */
  async scanProfile(device: Device, options: { profileName: string; options?: Readonly<Record<string, unknown>> }): Promise<DeviceProfile> {
    const o = options.options ?? {};
    const browse: BrowseOptions = {
      ...(o.startNodeId === undefined ? {} : { startNodeId: checkNodeId("profile scan", "startNodeId", o.startNodeId) }),
      ...(typeof o.maxDepth === "number" ? { maxDepth: o.maxDepth } : {}),
      ...(typeof o.maxVariables === "number" ? { maxVariables: o.maxVariables } : {}),
      ...(o.includeStandardNodes === true ? { includeStandardNodes: true } : {}),
    };
    const entry = await this.entryOf(device);
    const variables = await entry.connection.request(`browse of ${device.name}`, (session) => browseVariables(this.lib(), session, browse), this.config.requestTimeoutMs * 20);
    return profileFromVariables(variables, { name: options.profileName, description: `Browsed from ${entry.settings.endpoint}`, labels: ["OPCUA"] });
  }

  /** Trusts a server certificate file (PEM or DER) in the client's PKI; used from the next connection attempt on. */
  async trustServerCertificate(certificateFile: string): Promise<void> {
    const { pki } = await this.open();
    await pki.trust(certificateFile);
  }

  /** Connection state and subscription counters of a device; undefined when the driver does not know it. */
  status(deviceName: string): OpcuaDeviceStatus | undefined {
    const entry = this.entries.get(deviceName);
    if (entry === undefined) return undefined;
    const error = entry.connection.error;
    return { state: entry.connection.state, ...(error === undefined ? {} : { error: { code: error.code, message: error.message } }), subscription: { ...entry.stats } };
  }

  private open(): Promise<{ lib: OpcuaLib; pki: ClientPki }> {
    this.ready ??= (async () => {
      const lib = await (this.options.load ?? loadOpcua)();
      const sdk = this.requireSdk();
      // node-opcua prints its own warnings to the console; the driver reports what matters, so keep them at debug.
      const quiet = (level: string) => (...args: unknown[]) => sdk.logger.debug({ source: "node-opcua", level }, format(...args));
      lib.client.setWarningLogger(quiet("warning"));
      lib.client.setErrorLogger(quiet("error"));
      const pki = await openClientPki(lib, {
        pkiDir: this.config.pkiDir || join(sdk.dataDir, "pki"),
        applicationName: this.config.applicationName,
        applicationUri: this.config.applicationUri,
        acceptUnknownServerCertificates: this.config.acceptUnknownServerCertificates,
      });
      sdk.logger.info({ pki: pki.rootDir, certificate: pki.certificateFile }, "OPC UA client PKI ready");
      this.loaded = { lib, pki };
      return this.loaded;
    })();
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  private lib(): OpcuaLib {
    if (this.loaded === undefined) throw new OpcuaError(ErrorKind.ServiceUnavailable, OpcuaErrorCode.NotConnected, "the OPC UA driver is not started");
    return this.loaded.lib;
  }

  private requireSdk(): DeviceServiceSdk {
    if (this.sdk === undefined) throw new OpcuaError(ErrorKind.ServiceUnavailable, OpcuaErrorCode.NotConnected, "the OPC UA driver is not initialized");
    return this.sdk;
  }

  private async entryOf(device: Device): Promise<DeviceEntry> {
    const known = this.entries.get(device.name);
    if (known !== undefined) return known;
    if (this.stopped) throw new OpcuaError(ErrorKind.ServiceUnavailable, OpcuaErrorCode.NotConnected, "the OPC UA driver is stopped");
    const settings = parseOpcuaProtocol(device);
    const { lib, pki } = await this.open();
    const again = this.entries.get(device.name);
    if (again !== undefined) return again;
    const sdk = this.requireSdk();
    const stats = newStats();
    const types = new Map<string, NodeType>();
    const args = new Map<string, readonly NodeType[]>();
    let subscription: DeviceSubscription | undefined;
    const connection = new DeviceConnection({
      deviceName: device.name,
      settings,
      lib,
      pki,
      timing: this.config,
      logger: sdk.logger,
      onSession: async (session) => {
        const resources = this.monitoredResources(device.name, settings);
        if (resources.length === 0) return;
        subscription ??= new DeviceSubscription({
          lib,
          deviceName: device.name,
          resources,
          publishingIntervalMs: settings.subscription.publishingIntervalMs,
          stats,
          logger: sdk.logger,
          push: (source, value) => {
            sdk.pushValues(device.name, source, [value]).catch((err: unknown) => {
              sdk.logger.warn({ device: device.name, source, err: err instanceof Error ? err.message : String(err) }, "OPC UA reading refused by the runtime");
            });
          },
        });
        await subscription.attach(session);
      },
      onSessionLost: () => {
        types.clear();
        args.clear();
        subscription?.detach();
      },
      onState: (state, reason) => {
        sdk.setOperatingState(device.name, state).catch((err: unknown) => {
          sdk.logger.warn({ device: device.name, state, reason, err: err instanceof Error ? err.message : String(err) }, "cannot report the operating state");
        });
      },
    });
    const entry: DeviceEntry = { device, settings, key: connectionKey(settings), connection, stats, types, args };
    this.entries.set(device.name, entry);
    connection.start();
    return entry;
  }

  /** The subscribed resources of a device: named in `Resources` (or all readable variables for "*"). */
  private monitoredResources(deviceName: string, settings: OpcuaDeviceSettings): MonitoredResource[] {
    const sdk = this.requireSdk();
    const wanted = settings.subscription.resources;
    if (wanted !== "*" && wanted.length === 0) return [];
    const device = this.entries.get(deviceName)?.device ?? sdk.device(deviceName);
    const profile = device === undefined ? undefined : sdk.profile(device.profileName);
    if (profile === undefined) {
      sdk.logger.warn({ device: deviceName }, "OPC UA subscription skipped: the device's profile is not loaded");
      return [];
    }
    const candidates = wanted === "*" ? profile.deviceResources.filter((r) => r.properties.readWrite !== "W").map((r) => r.name) : wanted;
    const out: MonitoredResource[] = [];
    for (const name of candidates) {
      const resource = profile.deviceResources.find((r) => r.name === name);
      try {
        if (resource === undefined) throw new Error(`profile ${profile.name} has no resource ${name}`);
        const request = { resourceName: name, attributes: resource.attributes ?? {} };
        const address = addressOf(request);
        if (address.kind !== "variable") {
          if (wanted === "*") continue;
          throw new Error("a method cannot be subscribed");
        }
        const valueType = normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
        out.push({ resourceName: name, valueType, nodeId: address.nodeId, monitoring: monitoringOf(request, settings.subscription.monitoring) });
      } catch (err) {
        sdk.logger.warn({ device: deviceName, resource: name, err: err instanceof Error ? err.message : String(err) }, "resource not subscribed");
      }
    }
    return out;
  }

  private methodCalls(
    requests: readonly CommandRequest[],
    addresses: readonly ResourceAddress[],
    argumentsOf: (a: Extract<ResourceAddress, { kind: "method" }>, index: number) => Pick<MethodCall, "inputs" | "written">,
  ): MethodCall[] {
    return addresses.flatMap((a, index) =>
      a.kind === "method" ? [{ index, resourceName: requests[index]!.resourceName, objectId: a.objectId, methodId: a.methodId, ...argumentsOf(a, index) }] : [],
    );
  }
}
