/**
 * Fixtures for tests with the {@link FakeDriver}: a thermostat profile that exercises transforms, limits, mappings,
 * defaults, assertions and every readWrite mode, and a device factory.
 */
import type { Device, DeviceProfile } from "@brink/contracts";

/** Name of {@link fakeThermostatProfile}. */
export const FAKE_PROFILE_NAME = "Brink-Fake-Thermostat";

/**
 * A device profile for the FakeDriver:
 * - `temperature` Float32 R, raw tenths of a degree (`scale: 0.1`), units degC
 * - `setpoint` Float32 RW, 5..35, raw half degrees (`scale: 0.5`)
 * - `mode` Uint8 RW (mapped to OFF/HEAT/COOL by the `operatingMode` command)
 * - `counter` Uint32 R; `status` Bool R with `assertion: "true"`; `pin` String W; `label` String RW, default "none"
 * - `raw` Uint16 R with `mask: 0xFF00` and `shift: -8`; `hiddenValue` Int32 R, hidden
 * - commands `climate` (R: temperature, setpoint), `operatingMode` (RW: mode, with mappings),
 *   `configure` (W: setpoint, label with default "auto")
 */
export function fakeThermostatProfile(name: string = FAKE_PROFILE_NAME): DeviceProfile {
  return {
    name,
    manufacturer: "Brink",
    model: "FakeThermostat",
    labels: ["test"],
    deviceResources: [
      { name: "temperature", properties: { valueType: "Float32", readWrite: "R", scale: 0.1, units: "degC" }, attributes: { register: 1 } },
      { name: "setpoint", properties: { valueType: "Float32", readWrite: "RW", scale: 0.5, minimum: 5, maximum: 35, units: "degC" }, attributes: { register: 2 } },
      { name: "mode", properties: { valueType: "Uint8", readWrite: "RW" }, attributes: { register: 3 } },
      { name: "counter", properties: { valueType: "Uint32", readWrite: "R" }, attributes: { register: 4 } },
      { name: "status", properties: { valueType: "Bool", readWrite: "R", assertion: "true" }, attributes: { register: 5 } },
      { name: "pin", properties: { valueType: "String", readWrite: "W" }, attributes: { register: 6 } },
      { name: "label", properties: { valueType: "String", readWrite: "RW", defaultValue: "none" }, attributes: { register: 7 } },
      { name: "raw", properties: { valueType: "Uint16", readWrite: "R", mask: 0xff00, shift: -8 }, attributes: { register: 8 } },
      { name: "hiddenValue", isHidden: true, properties: { valueType: "Int32", readWrite: "R" }, attributes: { register: 9 } },
    ],
    deviceCommands: [
      {
        name: "climate",
        readWrite: "R",
        resourceOperations: [{ deviceResource: "temperature" }, { deviceResource: "setpoint" }],
      },
      {
        name: "operatingMode",
        readWrite: "RW",
        resourceOperations: [{ deviceResource: "mode", mappings: { "0": "OFF", "1": "HEAT", "2": "COOL" } }],
      },
      {
        name: "configure",
        readWrite: "W",
        resourceOperations: [{ deviceResource: "setpoint" }, { deviceResource: "label", defaultValue: "auto" }],
      },
    ],
  };
}

/** A FakeDriver device of `serviceName` using the thermostat profile. */
export function fakeDevice(name: string, serviceName: string, extra: Partial<Device> = {}): Device {
  return {
    name,
    adminState: "UNLOCKED",
    operatingState: "UP",
    serviceName,
    profileName: FAKE_PROFILE_NAME,
    protocols: { fake: { address: name } },
    ...extra,
  };
}
