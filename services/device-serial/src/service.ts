/**
 * The device-serial service: the device SDK runtime around a {@link SerialDriver}, with the serial profiles from
 * `device-profiles/serial/` (a simulated instrument, an NMEA 0183 GPS receiver, a Mettler Toledo MT-SICS balance).
 * Those profiles are uploaded at start; the device list is not (its ports are examples): point `device.devicesDir`
 * at a folder of device lists, or add devices through core-metadata.
 */
import { fileURLToPath } from "node:url";
import { createDeviceService, type DeviceServiceConfig } from "@brink/device-sdk";
import type { ServiceDefinition } from "@brink/service-kit";
import { SERIAL_DRIVER_CONFIG_SCHEMA } from "./config.js";
import { SerialDriver } from "./driver.js";
import { registerSerialMetrics } from "./metrics.js";
import { VERSION } from "./version.js";

/**
 * Folder of the serial profiles and example device list. Resolved from this module's own URL, three levels up to the
 * repo root, so it is the same from `src/` (tests, tsx) and from `dist/` (compiled).
 */
export const SERIAL_PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/serial/", import.meta.url));

/** Brink's port of device-serial (EdgeX has no serial service; 59902 is next to device-modbus's 59901). */
export const DEVICE_SERIAL_PORT = 59902;

function definition(driver: () => SerialDriver): ServiceDefinition<DeviceServiceConfig> {
  return createDeviceService({
    name: "device-serial",
    version: VERSION,
    defaultPort: DEVICE_SERIAL_PORT,
    driver,
    configSchema: SERIAL_DRIVER_CONFIG_SCHEMA,
    profilesDir: SERIAL_PROFILES_DIR,
  });
}

const shape = definition(() => new SerialDriver());

/**
 * The `device-serial` service definition (port 59902). Each started service gets its own {@link SerialDriver}, whose
 * port counters are exported as `brink_serial_*` metrics on the service's `/api/v3/metrics`.
 */
export const deviceSerialService: ServiceDefinition<DeviceServiceConfig> = {
  name: shape.name,
  version: shape.version,
  defaultPort: shape.defaultPort,
  configSchema: shape.configSchema,
  create: (ctx) => {
    const driver = new SerialDriver();
    registerSerialMetrics(ctx.metrics, driver);
    return definition(() => driver).create(ctx);
  },
};
