/**
 * The device-opcua service: the device SDK runtime around an {@link OpcuaDriver}. Profiles in
 * `device-profiles/opcua/` are uploaded at start (EdgeX's OPCUA-Server reference profile among them); devices come
 * from core-metadata, a device list (`device.devicesDir`), discovery or provision watchers.
 */
import { fileURLToPath } from "node:url";
import { createDeviceService } from "@brink/device-sdk";
import { OPCUA_DRIVER_CONFIG_SCHEMA } from "./config.js";
import { OpcuaDriver } from "./driver.js";
import { VERSION } from "./version.js";

/**
 * Folder of the OPC UA profiles. Resolved from this module's own URL, three levels up to the repo root, so it is the
 * same from `src/` (tests, tsx) and from `dist/` (compiled).
 */
export const OPCUA_PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/opcua/", import.meta.url));

/** EdgeX's default port of device-opcua. */
export const DEVICE_OPCUA_PORT = 59997;

/** The `device-opcua` service definition. Each started service gets its own {@link OpcuaDriver}. */
export const deviceOpcuaService = createDeviceService({
  name: "device-opcua",
  version: VERSION,
  defaultPort: DEVICE_OPCUA_PORT,
  driver: () => new OpcuaDriver(),
  configSchema: OPCUA_DRIVER_CONFIG_SCHEMA,
  profilesDir: OPCUA_PROFILES_DIR,
});
