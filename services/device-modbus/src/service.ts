/**
 * The device-modbus service: the device SDK runtime around a {@link ModbusDriver}, seeded with the Modbus profiles
 * of `device-profiles/modbus/` (EdgeX's reference profiles and Brink's simulator profile). Devices come from
 * core-metadata, or from a device-list folder named by `device.devicesDir`.
 */
import { fileURLToPath } from "node:url";
import { createDeviceService } from "@brink/device-sdk";
import { MODBUS_DRIVER_SCHEMA } from "./config.js";
import { ModbusDriver } from "./driver.js";
import { VERSION } from "./version.js";

/**
 * Folder of the Modbus profiles. Resolved from this module's own URL, three levels up to the repo root, so it is the
 * same from `src/` (tests, tsx) and from `dist/` (compiled).
 */
export const MODBUS_PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/modbus/", import.meta.url));

/** EdgeX's default port of device-modbus. */
export const DEVICE_MODBUS_PORT = 59901;

/**
 * The `device-modbus` service definition (EdgeX service key and port 59901). Each started service gets its own
 * {@link ModbusDriver}, so two runs in one process never share connections.
 */
export const deviceModbusService = createDeviceService({
  name: "device-modbus",
  version: VERSION,
  defaultPort: DEVICE_MODBUS_PORT,
  driver: () => new ModbusDriver(),
  configSchema: MODBUS_DRIVER_SCHEMA,
  profilesDir: MODBUS_PROFILES_DIR,
});
