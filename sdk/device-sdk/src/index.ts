/**
 * @brink/device-sdk: what driver authors import. The ProtocolDriver contract, and `createDeviceService`, which runs a
 * driver as an EdgeX-compatible device service (command pipeline, transforms, AutoEvents, discovery, metadata sync).
 * Test doubles and the driver conformance suite are in `@brink/device-sdk/testing`.
 */
export { isDiscoverable, isProfileScanner, isDeviceInspector } from "./driver.js";
export type {
  RawValue, CommandRequest, CommandValue, StopOptions, DeviceServiceSdk, ProtocolDriver, DiscoveredDeviceInfo, DiscoverOptions, Discoverable, ProfileScanner, DeviceInspector,
} from "./driver.js";
export { DeviceSdkError, DeviceSdkErrorCode } from "./errors.js";
export { createDeviceService } from "./internal/service/device-service.js";
export type { DeviceServiceOptions } from "./internal/service/device-service.js";
export {
  DEVICE_RUNTIME_SCHEMA, DEFAULT_DRIVER_TIMEOUT_MS, DEFAULT_DOWN_PROBE_INTERVAL_MS, DEFAULT_MAX_CONSECUTIVE_FAILURES, DEFAULT_METADATA_WAIT_MS,
  deviceServiceConfigSchema,
} from "./internal/service/config.js";
export type { DeviceServiceConfig, DeviceRuntimeConfig } from "./internal/service/config.js";
export { CommandPipeline } from "./internal/pipeline/command-pipeline.js";
export type { CommandPipelineOptions, EventSink, ReadOptions, WriteOptions } from "./internal/pipeline/command-pipeline.js";
export { DeviceHealth } from "./internal/pipeline/device-health.js";
export type { DeviceHealthOptions, Admission } from "./internal/pipeline/device-health.js";
export { DeviceCache } from "./internal/cache/device-cache.js";
export { Scheduler } from "./internal/autoevent/scheduler.js";
export type { SchedulerClock, SchedulerStats, ScheduledTask } from "./internal/autoevent/scheduler.js";
export { formatFloatE, formatFloatV } from "./internal/values/go-format.js";
export { formatSimpleValue, goValueString, normalizeRaw } from "./internal/values/codec.js";
export type { NormalizeResult } from "./internal/values/codec.js";
export { parseSetValue } from "./internal/values/parse-set.js";
export { transformRead, transformWrite, checkWriteLimits } from "./internal/transform/transforms.js";
export type { ReadTransformResult } from "./internal/transform/transforms.js";
export { watcherMatches, findWatcher, deviceFromDiscovery } from "./internal/discovery/provision.js";
