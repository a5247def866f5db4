/** @brink/core-command: EdgeX core-command. Lists device commands and runs them on device services over the bus. */
export {
  coreCommandService, CORE_COMMAND_PORT, CORE_COMMAND_CONFIG_SCHEMA, DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CACHE_TTL_MS,
} from "./service.js";
export type { CoreCommandConfig } from "./service.js";
export { CommandExecutor } from "./command-executor.js";
export type { CommandExecutorOptions, CommandCall } from "./command-executor.js";
export { DeviceCache } from "./device-cache.js";
export type { MetadataLookup, DeviceCacheOptions, DeviceWithProfile } from "./device-cache.js";
export { buildCoreCommands, resolveCommand, commandPath } from "./core-commands.js";
export type { CommandTarget } from "./core-commands.js";
export { mountCommandRoutes } from "./routes.js";
export type { CommandRoutesOptions, DevicePage } from "./routes.js";
export { CoreCommandErrorCode } from "./errors.js";
export { VERSION } from "./version.js";
