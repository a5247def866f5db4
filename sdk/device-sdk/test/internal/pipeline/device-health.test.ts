import { strict as assert } from "node:assert";
import type { OperatingState } from "@brink/contracts";
import { DeviceHealth } from "../../../src/internal/pipeline/device-health.js";

function setup(max = 3, probeMs = 1000) {
  const states = new Map<string, OperatingState>([["d", "UP"]]);
  const changes: [string, OperatingState][] = [];
  let now = 0;
  const health = new DeviceHealth({
    maxConsecutiveFailures: max,
    downProbeIntervalMs: probeMs,
    stateOf: (n) => states.get(n),
    setState: async (n, s) => {
      states.set(n, s);
      changes.push([n, s]);
    },
    now: () => now,
  });
  return { health, states, changes, advance: (ms: number) => (now += ms) };
}

describe("DeviceHealth", () => {
  it("sets a device DOWN after maxConsecutiveFailures failures in a row, and UP on the next success", () => {
    const { health, changes } = setup(3);
    health.failure("d");
    health.failure("d");
    assert.deepEqual(changes, []);
    health.failure("d");
    assert.deepEqual(changes, [["d", "DOWN"]]);
    health.success("d");
    assert.deepEqual(changes, [["d", "DOWN"], ["d", "UP"]]);
    assert.equal(health.failures("d"), 0);
  });

  it("resets the count on success", () => {
    const { health, changes } = setup(2);
    health.failure("d");
    health.success("d");
    health.failure("d");
    assert.deepEqual(changes, []);
  });

  it("lets one probe through per downProbeIntervalMs while DOWN and fails the others fast", () => {
    const { health, states, advance } = setup(1, 1000);
    assert.equal(health.admit("d"), "go");
    health.failure("d");
    assert.equal(states.get("d"), "DOWN");
    assert.equal(health.admit("d"), "down");
    advance(999);
    assert.equal(health.admit("d"), "down");
    advance(1);
    assert.equal(health.admit("d"), "probe");
    assert.equal(health.admit("d"), "down");
    advance(1000);
    assert.equal(health.admit("d"), "probe");
  });

  it("markDown sets the device DOWN at once", () => {
    const { health, changes } = setup(5);
    health.markDown("d", "assertion");
    assert.deepEqual(changes, [["d", "DOWN"]]);
  });
});
