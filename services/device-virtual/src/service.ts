/**
 * The device-virtual service: the device SDK runtime around a {@link VirtualDriver}, with EdgeX's virtual profiles
 * and device list from `device-profiles/virtual/`.
 */
import { fileURLToPath } from "node:url";
import { createDeviceService } from "@brink/device-sdk";
import { VirtualDriver } from "./driver.js";
import { VERSION } from "./version.js";

/**
 * Folder of the virtual profiles and device list. Resolved from this module's own URL, three levels up to the repo
 * root, so it is the same from `src/` (tests, tsx) and from `dist/` (compiled).
 */
export const VIRTUAL_PROFILES_DIR = fileURLToPath(new URL("../../../device-profiles/virtual/", import.meta.url));

/** EdgeX's default port of device-virtual. */
export const DEVICE_VIRTUAL_PORT = 59900;

/**
 * The `device-virtual` service definition (EdgeX service key and port 59900). Each started service gets its own
 * {@link VirtualDriver}, so two runs in one process never share simulated values.
 */
export const deviceVirtualService = createDeviceService({
  name: "device-virtual",
  version: VERSION,
  defaultPort: DEVICE_VIRTUAL_PORT,
  driver: () => new VirtualDriver(),
  profilesDir: VIRTUAL_PROFILES_DIR,
  devicesDir: VIRTUAL_PROFILES_DIR,
});
