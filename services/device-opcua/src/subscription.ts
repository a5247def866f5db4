/**
 * A device's subscription: one OPC UA subscription per session, its monitored items created in groups of equal
 * monitoring parameters, and each data-change notification turned into an asynchronous reading of its resource.
 * Built anew on every session (see connection.ts); notifications whose source timestamp and status were already
 * delivered (the initial values a re-created subscription sends again) are skipped, so a reconnection adds no
 * duplicate readings.
 */
import type { Logger } from "pino";
import type { ClientSession, ClientSubscription, DataValue } from "node-opcua-client";
import type { ValueType } from "@brink/contracts";
import type { CommandValue } from "@brink/device-sdk";
import type { OpcuaLib } from "./lib.js";
import type { MonitoringSettings } from "./protocol.js";
import { qualityTags, severityOf } from "./status.js";
import { fromVariant } from "./values.js";

/** A resource to monitor. */
export interface MonitoredResource {
  readonly resourceName: string;
  readonly valueType: ValueType;
  readonly nodeId: string;
  readonly monitoring: MonitoringSettings;
}

/** Counters of one device's subscription, kept across reconnections. */
export interface SubscriptionStats {
  /** Data-change notifications received. */
  notifications: number;
  /** Readings handed to the SDK. */
  readings: number;
  /** Notifications dropped: Bad status or a value the resource's type cannot hold. */
  dropped: number;
  /** Notifications skipped as already delivered (re-sent after a reconnection). */
  duplicates: number;
  /** Monitored items the server refused (bad node, unsupported filter). */
  failedItems: number;
  /** Subscriptions created (1 + the number of recoveries). */
  created: number;
}

/** Collaborators of {@link DeviceSubscription}. */
export interface DeviceSubscriptionOptions {
  readonly lib: OpcuaLib;
  readonly deviceName: string;
  readonly resources: readonly MonitoredResource[];
  readonly publishingIntervalMs: number;
  readonly stats: SubscriptionStats;
  readonly logger: Logger;
  /** Delivers one reading of a resource. */
  readonly push: (resourceName: string, value: CommandValue) => void;
}

/** Most monitored items created by one CreateMonitoredItems call. */
export const MAX_ITEMS_PER_CALL = 1000;
/** Target time between keep-alives of an idle subscription, ms. */
const KEEP_ALIVE_TARGET_MS = 5000;
/** Least time the server keeps a subscription without publish requests, ms. */
const LIFETIME_TARGET_MS = 30_000;
const VALUE_ATTRIBUTE = 13;
const MAX_WARNINGS = 20;

function sampleKey(dv: DataValue): string | undefined {
  const ts = dv.sourceTimestamp;
  if (ts === null || ts === undefined) return undefined;
  return `${ts.getTime()}:${dv.sourcePicoseconds ?? 0}:${dv.statusCode.value}`;
}

/** Source timestamp (else server timestamp) in Unix ns, to the millisecond; undefined when the server gave neither. */
export function originOf(dv: Pick<DataValue, "sourceTimestamp" | "serverTimestamp">): bigint | undefined {
  const ts = dv.sourceTimestamp ?? dv.serverTimestamp;
  return ts === null || ts === undefined ? undefined : BigInt(ts.getTime()) * 1_000_000n;
}

/** See the module comment. */
export class DeviceSubscription {
  private readonly lastDelivered = new Map<string, string>();
  private subscription: ClientSubscription | undefined;
  private warnings = 0;

  constructor(private readonly options: DeviceSubscriptionOptions) {}

  /** Creates the subscription and its monitored items on a new session. */
  async attach(session: ClientSession): Promise<void> {
    const { lib, resources, publishingIntervalMs, stats, logger, deviceName } = this.options;
    if (resources.length === 0) return;
    const interval = Math.max(publishingIntervalMs, 1);
    const keepAlive = Math.max(1, Math.ceil(KEEP_ALIVE_TARGET_MS / interval));
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: publishingIntervalMs,
      requestedMaxKeepAliveCount: keepAlive,
      requestedLifetimeCount: Math.max(3 * keepAlive, Math.ceil(LIFETIME_TARGET_MS / interval)),
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 1,
    });
    this.subscription = subscription;
    stats.created++;
    const groups = new Map<string, MonitoredResource[]>();
    for (const r of resources) {
      const key = JSON.stringify(r.monitoring);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const { TimestampsToReturn, DataChangeFilter, DataChangeTrigger, DeadbandType } = lib.client;
    for (const members of groups.values()) {
      const m = members[0]!.monitoring;
      const filter =
        m.deadbandType === "None"
          ? null
          : new DataChangeFilter({ trigger: DataChangeTrigger.StatusValue, deadbandType: DeadbandType[m.deadbandType], deadbandValue: m.deadbandValue });
      for (let start = 0; start < members.length; start += MAX_ITEMS_PER_CALL) {
        const chunk = members.slice(start, start + MAX_ITEMS_PER_CALL);
        const group = await subscription.monitorItems(
          chunk.map((r) => ({ nodeId: r.nodeId, attributeId: VALUE_ATTRIBUTE })),
          { samplingInterval: m.samplingIntervalMs, queueSize: m.queueSize, discardOldest: true, filter },
          TimestampsToReturn.Both,
        );
        group.monitoredItems.forEach((item, i) => {
          const status = item.statusCode;
          if (status !== undefined && severityOf(status.value) === "Bad") {
            stats.failedItems++;
            logger.warn({ device: deviceName, resource: chunk[i]!.resourceName, nodeId: chunk[i]!.nodeId, status: status.name }, "the server refused a monitored item");
          }
        });
        group.on("changed", (_item, dataValue, index) => this.onChange(chunk[index], dataValue));
      }
    }
    logger.info({ device: deviceName, items: resources.length, publishingIntervalMs }, "OPC UA subscription created");
  }

  /** Forgets the session's subscription (it died with the session). */
  detach(): void {
    this.subscription = undefined;
  }

  private onChange(resource: MonitoredResource | undefined, dv: DataValue): void {
    const { stats, logger, deviceName } = this.options;
    if (resource === undefined) return;
    stats.notifications++;
    const key = sampleKey(dv);
    if (key !== undefined && this.lastDelivered.get(resource.resourceName) === key) {
      stats.duplicates++;
      return;
    }
    try {
      if (severityOf(dv.statusCode.value) === "Bad") throw new Error(`the server sent ${dv.statusCode.name}`);
      const value = fromVariant(resource.resourceName, resource.valueType, dv.value);
      const tags = qualityTags(dv.statusCode);
      const origin = originOf(dv);
      const cv: CommandValue = { resourceName: resource.resourceName, valueType: resource.valueType, value, ...(origin === undefined ? {} : { origin }), ...(tags === undefined ? {} : { tags }) };
      if (key !== undefined) this.lastDelivered.set(resource.resourceName, key);
      stats.readings++;
      this.options.push(resource.resourceName, cv);
    } catch (err) {
      stats.dropped++;
      if (this.warnings++ < MAX_WARNINGS) {
        logger.warn({ device: deviceName, resource: resource.resourceName, err: err instanceof Error ? err.message : String(err) }, "OPC UA notification dropped");
      }
    }
  }
}
