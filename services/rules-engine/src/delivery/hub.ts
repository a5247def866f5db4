/**
 * Store-and-forward for the rules engine, on the app-sdk: one durable SQLite outbox
 * (`<dataDir>/rules-engine/outbox.db`) and one forwarder per target ({@link ForwarderPool}), with targets built by
 * the app-sdk's `createExport` (HttpExport, MqttExport, NatsExport). Webhook and MQTT actions are queued here, and so
 * is each notification delivery, so a receiver that is down gets its messages when it is back, across restarts.
 *
 * Targets: webhook actions share one per method and URL; MQTT actions one per broker, QoS and retain; each channel
 * of each subscription has its own (`notify:<subscription>:<channel>`), wrapped so the notification center hears
 * what became of every delivery.
 */
import { join } from "node:path";
import type { Registry } from "prom-client";
import type { Logger } from "pino";
import {
  ForwarderPool, META_CONTENT_TYPE, META_HEADER_PREFIX, META_SUBJECT, META_TOPIC, SecretStore, SqliteOutbox, createExport,
  type ExportBinding, type FunctionEnvironment,
} from "@brink/app-sdk";
import { stringifyJson } from "@brink/contracts";
import type { MessageBus } from "@brink/bus";
import type { ExportGateway } from "../actions/runner.js";
import type { ChannelDelivery, DeliveryReports } from "../notifications/center.js";
import type { Notification, Subscription } from "../notifications/types.js";
import type { CompiledRule } from "../rule/compile.js";
import { RULES_ENGINE_DIR } from "../store/document-store.js";
import { BusTarget, META_BUS_SUBJECT, META_CHANNEL, META_NOTIFICATION, META_SUBSCRIPTION, ReportingTarget } from "./targets.js";

/** The outbox file name, under `<dataDir>/rules-engine/`. */
export const OUTBOX_FILE_NAME = "outbox.db";
/** MQTT topic of messages without one (every message of the rules engine has one). */
const FALLBACK_TOPIC = "brink/rules";
const JSON_TYPE = "application/json";

/** Options of {@link DeliveryHub}. */
export interface DeliveryHubOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly bus: MessageBus;
  readonly reports: DeliveryReports;
  readonly registry?: Registry;
  /** Back-off of failed deliveries, ms. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

function webhookTarget(method: string, url: string): string {
  return `webhook:${method} ${url}`;
}

function mqttTarget(broker: string, qos: number, retain: boolean): string {
  return `mqtt:${broker} qos=${qos}${retain ? " retain" : ""}`;
}

/** The outbox queue of one subscription channel. */
export function channelTarget(subscription: string, channel: number): string {
  return `notify:${subscription}:${channel}`;
}

/** See the module comment. */
export class DeliveryHub implements ExportGateway, ChannelDelivery {
  private readonly options: DeliveryHubOptions;
  private readonly outbox: SqliteOutbox;
  private readonly pool: ForwarderPool;
  private readonly env: FunctionEnvironment;
  private readonly bindings = new Map<string, ExportBinding>();
  private applying: Promise<void> = Promise.resolve();

  constructor(options: DeliveryHubOptions) {
    this.options = options;
    const { logger, registry } = options;
    this.outbox = new SqliteOutbox({ dataDir: options.dataDir, file: join(options.dataDir, RULES_ENGINE_DIR, OUTBOX_FILE_NAME), logger, ...(registry ? { registry } : {}) });
    this.pool = new ForwarderPool({ outbox: this.outbox, logger, ...(registry ? { registry } : {}), defaults: { backoff: { ...options.backoff } } });
    const secrets = new SecretStore({ dataDir: options.dataDir });
    this.env = { logger, dataDir: options.dataDir, secret: secrets.secret, outbox: this.outbox };
  }

  /** Opens the outbox. */
  start(): void {
    this.outbox.start();
  }

  /** Stops the forwarders (in-flight messages get a moment to be acknowledged) and closes the outbox. */
  async stop(): Promise<void> {
    await this.applying.catch(() => undefined);
    await this.pool.stop();
    this.outbox.stop();
  }

  /**
   * Starts the targets of the given rules' webhook and MQTT actions and of the subscriptions, so messages stored
   * before a restart are delivered without waiting for a new one.
   */
  async prepare(rules: readonly CompiledRule[], subscriptions: readonly Subscription[]): Promise<void> {
    for (const rule of rules) {
      for (const a of rule.actions) {
        if (a.type === "webhook") this.bindings.set(webhookTarget(a.method, a.url), this.webhookBinding(a.method, a.url));
        else if (a.type === "mqtt") this.bindings.set(mqttTarget(a.broker, a.qos, a.retain), this.mqttBinding(a.broker, a.qos, a.retain));
      }
    }
    await this.syncSubscriptions(subscriptions);
  }

  /** Makes the subscription channel targets match `subscriptions` (a changed channel restarts its forwarder). */
  async syncSubscriptions(subscriptions: readonly Subscription[]): Promise<void> {
    for (const name of [...this.bindings.keys()]) if (name.startsWith("notify:")) this.bindings.delete(name);
    for (const sub of subscriptions) sub.channels.forEach((_, i) => this.bindings.set(channelTarget(sub.name, i), this.channelBinding(sub, i)));
    await this.apply();
  }

  async webhook(request: { url: string; method: "POST" | "PUT"; headers: Readonly<Record<string, string>>; body: Uint8Array }): Promise<void> {
    const name = webhookTarget(request.method, request.url);
    await this.ensure(name, () => this.webhookBinding(request.method, request.url));
    const meta: Record<string, string> = { [META_CONTENT_TYPE]: JSON_TYPE };
    for (const [k, v] of Object.entries(request.headers)) meta[META_HEADER_PREFIX + k] = v;
    await this.outbox.enqueue(name, request.body, meta);
  }

  async mqtt(request: { broker: string; topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean }): Promise<void> {
    const name = mqttTarget(request.broker, request.qos, request.retain);
    await this.ensure(name, () => this.mqttBinding(request.broker, request.qos, request.retain));
    await this.outbox.enqueue(name, request.payload, { [META_CONTENT_TYPE]: JSON_TYPE, [META_TOPIC]: request.topic });
  }

  async enqueue(notification: Notification, subscription: Subscription, channel: number): Promise<void> {
    const name = channelTarget(subscription.name, channel);
    await this.ensure(name, () => this.channelBinding(subscription, channel));
    const ch = subscription.channels[channel]!;
    const meta: Record<string, string> = {
      [META_CONTENT_TYPE]: JSON_TYPE,
      [META_NOTIFICATION]: notification.id,
      [META_SUBSCRIPTION]: subscription.name,
      [META_CHANNEL]: String(channel),
    };
    if (ch.type === "mqtt") meta[META_TOPIC] = ch.topic;
    if (ch.type === "nats") meta[ch.servers ? META_SUBJECT : META_BUS_SUBJECT] = ch.subject;
    if (ch.type === "webhook") for (const [k, v] of Object.entries(ch.headers ?? {})) meta[META_HEADER_PREFIX + k] = v;
    await this.outbox.enqueue(name, Buffer.from(stringifyJson(notification), "utf8"), meta);
  }

  private webhookBinding(method: "POST" | "PUT", url: string): ExportBinding {
    return createExport("HttpExport", { url, method, target: webhookTarget(method, url) }, this.env);
  }

  private mqttBinding(broker: string, qos: 0 | 1 | 2, retain: boolean): ExportBinding {
    return createExport("MqttExport", { url: broker, qos, retain, topic: FALLBACK_TOPIC, target: mqttTarget(broker, qos, retain) }, this.env);
  }

  private channelBinding(sub: Subscription, i: number): ExportBinding {
    const ch = sub.channels[i]!;
    const target = channelTarget(sub.name, i);
    let binding: ExportBinding;
    if (ch.type === "webhook") binding = createExport("HttpExport", { url: ch.url, method: ch.method ?? "POST", target }, this.env);
    else if (ch.type === "mqtt") binding = createExport("MqttExport", { url: ch.broker, qos: ch.qos ?? 1, retain: ch.retain ?? false, topic: FALLBACK_TOPIC, target }, this.env);
    else if (ch.servers) binding = createExport("NatsExport", { servers: ch.servers, subject: ch.subject, target }, this.env);
    else {
      binding = {
        fn: { name: "BusDelivery", process: (_ctx, data) => data },
        targetName: target,
        target: new BusTarget(target, this.options.bus),
        forwarder: {},
        limits: {},
        settingsKey: `bus:${ch.subject}`,
      };
    }
    return { ...binding, target: new ReportingTarget(binding.target, this.options.reports) };
  }

  private async ensure(name: string, make: () => ExportBinding): Promise<void> {
    if (this.bindings.has(name)) {
      await this.applying;
      return;
    }
    this.bindings.set(name, make());
    await this.apply();
  }

  /** Applies every binding to the pool, one apply at a time. */
  private apply(): Promise<void> {
    const next = this.applying.catch(() => undefined).then(() => this.pool.apply([...this.bindings.values()]));
    this.applying = next;
    return next;
  }
}
