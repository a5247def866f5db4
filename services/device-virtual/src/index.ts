/** @brink/device-virtual: EdgeX's simulated devices (device-virtual-go) on Brink's device SDK. */
export { VirtualDriver, ENABLE_RANDOMIZATION_PREFIX, DEFAULT_BINARY_SIZE_BYTES, DEFAULT_BINARY_MEDIA_TYPE } from "./driver.js";
export type { VirtualDriverOptions } from "./driver.js";
export { VirtualErrorCode } from "./errors.js";
export { RANDOM_ARRAY_LENGTH, FLOAT32_MAX } from "./random.js";
export type { RandomSource } from "./random.js";
export { deviceVirtualService, VIRTUAL_PROFILES_DIR, DEVICE_VIRTUAL_PORT } from "./service.js";
export { VERSION } from "./version.js";
