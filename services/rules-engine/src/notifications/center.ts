/**
 * The notification center: stores notifications (from notify actions and from REST), hands one delivery per matching
 * subscription channel to store-and-forward, and keeps each notification's status as its deliveries report back.
 */
import { randomUUID } from "node:crypto";
import { ErrorCode, ErrorKind, ServiceError, nowNanos } from "@brink/contracts";
import { RulesErrorCode } from "../errors.js";
import type { Logger } from "pino";
import type { NotificationSink } from "../actions/runner.js";
import type { NotificationFilter, NotificationStore } from "../store/notification-store.js";
import type { Page } from "../store/firing-store.js";
import { subscriptionMatches } from "./validate.js";
import {
  DeliveryStatus, NotificationStatus, type Delivery, type Notification, type NotificationInput, type Subscription,
} from "./types.js";

/** Store-and-forward delivery of notifications through subscription channels. */
export interface ChannelDelivery {
  /** Durably queues one delivery; resolves once stored. The center hears back through {@link DeliveryReports}. */
  enqueue(notification: Notification, subscription: Subscription, channel: number): Promise<void>;
}

/** What deliveries report back. */
export interface DeliveryReports {
  /** The channel's receiver acknowledged it. */
  delivered(notificationId: string, subscription: string, channel: number): void;
  /** The receiver refused it for good (dead-lettered). */
  refused(notificationId: string, subscription: string, channel: number, reason: string): void;
  /** An attempt failed; it will be retried. */
  retrying(notificationId: string, subscription: string, channel: number, reason: string): void;
}

/** Options of {@link NotificationCenter}. */
export interface NotificationCenterOptions {
  readonly store: NotificationStore;
  /** The current subscriptions. */
  readonly subscriptions: () => readonly Subscription[];
  /** Absent when store-and-forward is not available: deliveries then fail at once. */
  readonly delivery: ChannelDelivery | undefined;
  readonly logger: Logger;
  /** Called with each delivery outcome (`sent`, `failed`, `retried`), for /metrics. */
  readonly onDeliveryOutcome?: (outcome: "sent" | "failed" | "retried") => void;
}

/** The status a notification's deliveries add up to. */
export function statusOf(n: Pick<Notification, "acknowledged" | "deliveries">): NotificationStatus {
  if (n.acknowledged) return NotificationStatus.Acknowledged;
  if (n.deliveries.some((d) => d.status === DeliveryStatus.Failed)) return NotificationStatus.Failed;
  if (n.deliveries.every((d) => d.status === DeliveryStatus.Sent)) return NotificationStatus.Sent;
  return NotificationStatus.Pending;
}

function notFound(id: string): ServiceError {
  return new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `notification ${id} does not exist`, { details: { id } });
}

/** See the module comment. */
export class NotificationCenter implements NotificationSink, DeliveryReports {
  private readonly options: NotificationCenterOptions;

  constructor(options: NotificationCenterOptions) {
    this.options = options;
  }

  /** Stores a notification and queues its deliveries; resolves once they are queued (not delivered). */
  async create(input: NotificationInput): Promise<Notification> {
    const now = nowNanos();
    const labels = [...(input.labels ?? [])];
    const matching = this.options.subscriptions().filter((s) => subscriptionMatches(s, input.category, labels));
    const deliveries: Delivery[] = [];
    for (const sub of matching) {
      sub.channels.forEach((ch, i) => deliveries.push({ subscription: sub.name, channel: i, type: ch.type, status: DeliveryStatus.Pending, attempts: 0, updated: now }));
    }
    const n: Notification = {
      ...input,
      id: randomUUID(),
      labels,
      contentType: input.contentType ?? "text/plain",
      sender: input.sender ?? "",
      status: NotificationStatus.Pending,
      acknowledged: false,
      created: now,
      modified: now,
      deliveries,
    };
    n.status = statusOf(n);
    this.options.store.insert(n);
    const queued = await Promise.allSettled(deliveries.map((d) => this.enqueue(n, matching.find((s) => s.name === d.subscription)!, d.channel)));
    queued.forEach((q, i) => {
      if (q.status === "rejected") {
        const d = deliveries[i]!;
        this.refused(n.id, d.subscription, d.channel, ServiceError.from(q.reason).message);
      }
    });
    return this.options.store.get(n.id) ?? n;
  }

  private enqueue(n: Notification, sub: Subscription, channel: number): Promise<void> {
    const delivery = this.options.delivery;
    if (!delivery) return Promise.reject(new ServiceError(ErrorKind.ServiceUnavailable, RulesErrorCode.DeliveryUnavailable, "store-and-forward delivery is not available"));
    return delivery.enqueue(n, sub, channel);
  }

  /** A notification by id. @throws ServiceError NOT_FOUND */
  get(id: string): Notification {
    const n = this.options.store.get(id);
    if (!n) throw notFound(id);
    return n;
  }

  list(filter: NotificationFilter, offset: number, limit: number): Page<Notification> {
    return this.options.store.list(filter, offset, limit);
  }

  /** Sets or clears `acknowledged` on each id. @throws ServiceError NOT_FOUND naming the first unknown id (none is changed) */
  acknowledge(ids: readonly string[], acknowledged: boolean): void {
    const found = ids.map((id) => this.get(id));
    for (const n of found) {
      n.acknowledged = acknowledged;
      this.save(n);
    }
  }

  /** @throws ServiceError NOT_FOUND */
  delete(id: string): void {
    if (!this.options.store.delete(id)) throw notFound(id);
  }

  delivered(notificationId: string, subscription: string, channel: number): void {
    this.options.onDeliveryOutcome?.("sent");
    this.change(notificationId, subscription, channel, (d) => {
      d.status = DeliveryStatus.Sent;
    });
  }

  refused(notificationId: string, subscription: string, channel: number, reason: string): void {
    this.options.onDeliveryOutcome?.("failed");
    this.options.logger.warn({ notificationId, subscription, channel, reason }, "notification delivery refused");
    this.change(notificationId, subscription, channel, (d) => {
      d.status = DeliveryStatus.Failed;
      d.attempts++;
      d.lastError = reason;
    });
  }

  retrying(notificationId: string, subscription: string, channel: number, reason: string): void {
    this.options.onDeliveryOutcome?.("retried");
    this.change(notificationId, subscription, channel, (d) => {
      if (d.status !== DeliveryStatus.Pending) return;
      d.attempts++;
      d.lastError = reason;
    });
  }

  private change(id: string, subscription: string, channel: number, apply: (d: Delivery) => void): void {
    const n = this.options.store.get(id);
    if (!n) return; // deleted meanwhile
    const d = n.deliveries.find((x) => x.subscription === subscription && x.channel === channel);
    if (!d) return;
    apply(d);
    d.updated = nowNanos();
    this.save(n);
  }

  private save(n: Notification): void {
    n.status = statusOf(n);
    n.modified = nowNanos();
    this.options.store.update(n);
  }
}
