/**
 * What the core-data routes are given.
 */
import type { MessageBus } from "@brink/bus";
import type { ServiceContext } from "@brink/service-kit";
import type { EventStore } from "../store/event-store.js";

/** Collaborators and settings of the core-data routes. */
export interface RouteContext {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly logger: ServiceContext["logger"];
  /** When false, POSTed events are validated and republished but not stored (EdgeX `Writable.PersistData`). */
  readonly persistData: boolean;
  /** Most items in one list answer (EdgeX `MaxResultCount`). */
  readonly maxResultCount: number;
}
