/**
 * Notifications and subscriptions (EdgeX's support-notifications, served by the rules engine): a notification has a
 * category, a severity and labels; subscriptions pick notifications by category or label and deliver them through
 * channels (webhook, MQTT, NATS subject) with store-and-forward retries. Each notification has a status.
 */
import type { Severity } from "../rule/types.js";

/** Where a notification stands. */
export const NotificationStatus = {
  /** Some matching subscription has not received it yet (deliveries are being retried). */
  Pending: "PENDING",
  /** Every matching subscription received it (trivially so when none matches). */
  Sent: "SENT",
  /** A delivery was refused for good (such as HTTP 4xx); the others may still have been made. */
  Failed: "FAILED",
  /** Someone acknowledged it over REST (whatever its deliveries did). */
  Acknowledged: "ACKNOWLEDGED",
} as const;
/** One status. */
export type NotificationStatus = (typeof NotificationStatus)[keyof typeof NotificationStatus];

/** What creating a notification takes (REST body under `notification`, or a notify action). */
export interface NotificationInput {
  category: string;
  severity: Severity;
  labels?: string[];
  content: string;
  /** @default "text/plain" */
  contentType?: string;
  description?: string;
  /** Who raised it (`rules-engine/<rule>` for rules). */
  sender?: string;
}

/** Where one delivery stands. */
export const DeliveryStatus = { Pending: "PENDING", Sent: "SENT", Failed: "FAILED" } as const;
/** One delivery status. */
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** The delivery of one notification through one channel of one subscription (EdgeX's transmission). */
export interface Delivery {
  subscription: string;
  /** Index of the channel in the subscription. */
  channel: number;
  type: ChannelType;
  status: DeliveryStatus;
  /** Failed attempts so far. */
  attempts: number;
  lastError?: string;
  /** Unix ns. */
  updated: bigint;
}

/** A stored notification. */
export interface Notification extends NotificationInput {
  id: string;
  labels: string[];
  contentType: string;
  sender: string;
  status: NotificationStatus;
  /** Set by `PUT /api/v3/notification/acknowledge/ids/{ids}`; the status is then ACKNOWLEDGED. */
  acknowledged: boolean;
  /** Unix ns. */
  created: bigint;
  /** Unix ns. */
  modified: bigint;
  deliveries: Delivery[];
}

/** Channel types. */
export const ChannelType = { Webhook: "webhook", Mqtt: "mqtt", Nats: "nats" } as const;
/** One channel type. */
export type ChannelType = (typeof ChannelType)[keyof typeof ChannelType];

/** POSTs (or PUTs) the notification as JSON to a URL. */
export interface WebhookChannel {
  type: "webhook";
  url: string;
  /** @default "POST" */
  method?: "POST" | "PUT";
  headers?: Record<string, string>;
}

/** Publishes the notification as JSON to an MQTT broker. */
export interface MqttChannel {
  type: "mqtt";
  /** Broker URL, such as `mqtt://127.0.0.1:1883`. */
  broker: string;
  topic: string;
  /** @default 1 */
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

/** Publishes the notification as JSON on a NATS subject: of the given servers, or of the service's own bus when none. */
export interface NatsChannel {
  type: "nats";
  subject: string;
  servers?: string[];
}

/** One delivery channel. */
export type Channel = WebhookChannel | MqttChannel | NatsChannel;

/** A subscription as users write it. */
export interface SubscriptionInput {
  name: string;
  description?: string;
  /** Notifications of these categories match. */
  categories?: string[];
  /** Notifications with any of these labels match. */
  labels?: string[];
  channels: Channel[];
  /** Who receives them (informational, as in EdgeX). */
  receiver?: string;
  /** A LOCKED subscription delivers nothing. @default "UNLOCKED" */
  adminState?: "LOCKED" | "UNLOCKED";
}

/** A stored subscription. */
export interface Subscription extends SubscriptionInput {
  id: string;
  adminState: "LOCKED" | "UNLOCKED";
  created: bigint;
  modified: bigint;
}
