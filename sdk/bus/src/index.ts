/**
 * @brink/bus: the MessageBus contract and its two implementations, InProcessBus (embedded) and NatsBus (NATS).
 */
export type {
  BusMessage, MessageHandler, RequestHandler, SubscribeOptions, PublishOptions, RequestOptions, Subscription, BusStatus,
  BusLogger, BusStats, MessageBus,
} from "./types.js";
export { InProcessBus } from "./in-process-bus.js";
export type { InProcessBusOptions } from "./in-process-bus.js";
export { NatsBus } from "./nats-bus.js";
export type { NatsBusOptions, NatsTlsOptions } from "./nats-bus.js";
export { BusError, BusErrorCode } from "./errors.js";
export { SubjectTrie, subjectMatches, isValidSubject, isValidPattern, assertSubject, assertPattern } from "./subject-match.js";
export { DEFAULT_REQUEST_TIMEOUT_MS } from "./internal/common.js";
export { loadNatsClient, loadJetStream } from "./internal/nats-client.js";
