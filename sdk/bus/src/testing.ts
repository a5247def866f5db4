/**
 * @brink/bus/testing: test doubles and the one behaviour suite every MessageBus implementation runs.
 */
export { busBehaviourSuite } from "./testing/behaviour-suite.js";
export type { BusFixture } from "./testing/behaviour-suite.js";
export { MemoryLogger } from "./testing/memory-logger.js";
export type { LogEntry } from "./testing/memory-logger.js";
export { InProcessBus } from "./in-process-bus.js";
