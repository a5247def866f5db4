/**
 * @brink/device-sdk/testing: the FakeDriver test double, profile fixtures, and the driver conformance suite every
 * driver runs against its real peer.
 */
export { FakeDriver, FakeDriverErrorCode, zeroValue } from "./testing/fake-driver.js";
export type { FakeDriverCall } from "./testing/fake-driver.js";
export { FAKE_PROFILE_NAME, fakeThermostatProfile, fakeDevice } from "./testing/fixtures.js";
export { driverConformanceSuite, rawTypeProblem } from "./testing/conformance.js";
export type { ConformanceOptions } from "./testing/conformance.js";
