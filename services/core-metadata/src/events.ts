/**
 * System events: after every durable change, core-metadata publishes an EdgeX SystemEvent on
 * `edgex.system-events.core-metadata.<type>.<action>.<owner>.<profile>`, so device services follow changes live
 * (a device added, a profile updated, a device LOCKED by a PATCH, ...).
 */
import { API_VERSION, nowNanos, systemEventSubject } from "@brink/contracts";
import type { Subject, SystemEvent } from "@brink/contracts";
import type { MessageBus } from "@brink/bus";
import { EntityKind } from "./store/metadata-store.js";
import type { MetadataStore, StoreChange } from "./store/metadata-store.js";

/** `source` of every event core-metadata publishes, and the owner of device profile events. */
export const CORE_METADATA_SOURCE = "core-metadata";

/**
 * The profile token of a subject whose event has no profile (device service events, and provision watchers or
 * devices without one). EdgeX drops the token in that case; Brink keeps every subject at seven tokens so that
 * `edgex.system-events.core-metadata.*.*.<service>.*` and `...<service>.>` patterns see all of a service's events.
 */
export const NO_PROFILE_TOKEN = "-";

/** What the publisher logs through. */
export interface EventLogger {
  warn(obj: Record<string, unknown>, msg?: string): void;
}

/** One event to publish. */
interface Outgoing {
  readonly subject: Subject<SystemEvent>;
  readonly event: SystemEvent;
}

function eventOf(type: SystemEvent["type"], action: SystemEvent["action"], owner: string, details: unknown, profile: string | undefined): Outgoing {
  const event: SystemEvent = { apiVersion: API_VERSION, type, action, source: CORE_METADATA_SOURCE, owner, details, timestamp: nowNanos() };
  return { subject: systemEventSubject(type, action, owner, profile || NO_PROFILE_TOKEN), event };
}

/**
 * The events for one store change, as EdgeX publishes them:
 * - device: owner is the device's service; a move to another service is a delete for the old owner and an add for
 *   the new one, so each device service sees its own devices only.
 * - deviceprofile: owner `core-metadata`; an update is also sent once to each device service with devices using it.
 * - deviceservice: owner is the service itself.
 * - provisionwatcher: owner is the watcher's service, profile its discovered device's profile (moves split as for
 *   devices).
 */
export function eventsFor(change: StoreChange, store: MetadataStore): Outgoing[] {
  switch (change.kind) {
    case EntityKind.Device: {
      const d = change.entity;
      const before = change.previous;
      if (change.action === "update" && before && before.serviceName !== d.serviceName) {
        return [eventOf("device", "delete", before.serviceName, before, before.profileName), eventOf("device", "add", d.serviceName, d, d.profileName)];
      }
      return [eventOf("device", change.action, d.serviceName, d, d.profileName)];
    }
    case EntityKind.DeviceProfile: {
      const p = change.entity;
      const out = [eventOf("deviceprofile", change.action, CORE_METADATA_SOURCE, p, p.name)];
      if (change.action === "update") {
        const owners = new Set(store.query("device", { where: { profile: p.name } }).map((d) => d.serviceName));
        for (const owner of owners) out.push(eventOf("deviceprofile", "update", owner, p, p.name));
      }
      return out;
    }
    case EntityKind.DeviceService:
      return [eventOf("deviceservice", change.action, change.entity.name, change.entity, undefined)];
    case EntityKind.ProvisionWatcher: {
      const w = change.entity;
      const before = change.previous;
      if (change.action === "update" && before && before.serviceName !== w.serviceName) {
        return [
          eventOf("provisionwatcher", "delete", before.serviceName, before, before.discoveredDevice?.profileName),
          eventOf("provisionwatcher", "add", w.serviceName, w, w.discoveredDevice?.profileName),
        ];
      }
      return [eventOf("provisionwatcher", change.action, w.serviceName, w, w.discoveredDevice?.profileName)];
    }
  }
}

/** Publishes a SystemEvent for every durable change of a {@link MetadataStore}. */
export class SystemEventPublisher {
  readonly #store: MetadataStore;
  readonly #bus: MessageBus;
  readonly #logger: EventLogger;
  #unsubscribe: (() => void) | undefined;
  #published = 0;

  constructor(options: { store: MetadataStore; bus: MessageBus; logger: EventLogger }) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#logger = options.logger;
  }

  /** Events published so far. */
  get publishedCount(): number {
    return this.#published;
  }

  /** Starts following the store. */
  start(): void {
    this.#unsubscribe ??= this.#store.onChange((change) => {
      for (const { subject, event } of eventsFor(change, this.#store)) {
        this.#bus.publish(subject, event).then(
          () => void this.#published++,
          (err: unknown) => this.#logger.warn({ err, subject }, "cannot publish system event"),
        );
      }
    });
  }

  /** Stops following the store. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
