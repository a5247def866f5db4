/**
 * An engine wired to an in-process bus with a test device service answering writes on the real command subjects,
 * and helpers to send readings.
 */
import { randomUUID } from "node:crypto";
import { ANY, API_VERSION, ErrorKind, ServiceError, commandRequestSubject, parseCommandRequestSubject, type Device, type Event, type Reading } from "@brink/contracts";
import { InProcessBus, type MessageBus } from "@brink/bus";
import { createLogger } from "@brink/service-kit";
import { DeviceDirectory } from "../../src/actions/device-directory.js";
import { formatFloat } from "../../src/actions/render.js";
import { ActionRunner, type NotificationSink } from "../../src/actions/runner.js";
import { FiringDispatcher } from "../../src/engine/dispatcher.js";
import { RuleEngine } from "../../src/engine/engine.js";
import type { FiringRecord } from "../../src/engine/firing.js";
import type { NotificationInput } from "../../src/notifications/types.js";
import { compileRule, type ReadingRule } from "../../src/rule/compile.js";

/** The service the test devices belong to. */
export const TEST_SERVICE = "test-ds";
/** Devices whose writes the test device service fails, as a device that does not answer. */
export const DOWN_DEVICE = "down-1";

/** One write the test device service took. */
export interface Write {
  readonly device: string;
  readonly command: string;
  readonly body: unknown;
}

export interface EngineHarness {
  /** The engine's bus. */
  readonly bus: MessageBus;
  readonly engine: RuleEngine;
  readonly dispatcher: FiringDispatcher;
  readonly records: FiringRecord[];
  readonly writes: Write[];
  readonly notifications: NotificationInput[];
  addRule(definition: Record<string, unknown>): ReadingRule;
  /** Hands one event of `values` (resource -> value) to the engine, as a device service would publish it. */
  send(device: string, values: Record<string, number | boolean | string>, profile?: string): void;
  /** Resolves once every firing so far is recorded. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** A reading of a value: Float64, Bool or String. */
export function readingOf(device: string, profile: string, resource: string, v: number | boolean | string): Reading {
  const base = { id: randomUUID(), origin: BigInt(Date.now()) * 1_000_000n, deviceName: device, resourceName: resource, profileName: profile };
  if (typeof v === "number") return { ...base, valueType: "Float64", value: formatFloat(v) };
  if (typeof v === "boolean") return { ...base, valueType: "Bool", value: String(v) };
  return { ...base, valueType: "String", value: v };
}

/** An event of several readings. */
export function eventOf(device: string, values: Record<string, number | boolean | string>, profile = "Boiler"): Event {
  const readings = Object.entries(values).map(([r, v]) => readingOf(device, profile, r, v));
  return { apiVersion: API_VERSION, id: randomUUID(), deviceName: device, profileName: profile, sourceName: Object.keys(values).join("+"), origin: readings[0]!.origin, readings };
}

/**
 * Starts the harness on one new in-process bus, or on the given buses: `bus` for the engine, `deviceBus` for the
 * test device service (both connected by the caller, who also closes them).
 */
export async function engineHarness(buses?: { bus: MessageBus; deviceBus: MessageBus }): Promise<EngineHarness> {
  const bus = buses?.bus ?? new InProcessBus();
  const deviceBus = buses?.deviceBus ?? bus;
  if (!buses) await bus.connect();
  const writes: Write[] = [];
  const served = deviceBus.serve(commandRequestSubject(TEST_SERVICE, ANY, ANY, "set"), (msg) => {
    const parts = parseCommandRequestSubject(msg.subject)!;
    if (parts.device === DOWN_DEVICE) throw new ServiceError(ErrorKind.ServiceUnavailable, "DEVICE_DOWN", `device ${parts.device} is down`);
    writes.push({ device: parts.device, command: parts.command, body: msg.envelope.payload });
    return {};
  });
  const devices = new DeviceDirectory({
    ttlMs: 60_000,
    lookup: async (name): Promise<Device> => {
      if (name === "missing") throw new ServiceError(ErrorKind.EntityDoesNotExist, "NOT_FOUND", "no such device");
      return { name, serviceName: TEST_SERVICE, profileName: "Boiler", adminState: "UNLOCKED", operatingState: "UP", protocols: {} };
    },
  });
  const notifications: NotificationInput[] = [];
  const sink: NotificationSink = {
    create: async (input) => {
      notifications.push(input);
      return { id: `n${notifications.length}`, status: "SENT" };
    },
  };
  const logger = createLogger({ name: "rules-test", level: "silent" });
  const runner = new ActionRunner({
    bus,
    devices,
    commandTimeoutMs: 1000,
    httpTimeoutMs: 1000,
    serviceUrls: { "core-data": "http://127.0.0.1:1", "core-metadata": "http://127.0.0.1:1", "core-command": "http://127.0.0.1:1" },
    apiToken: undefined,
    notifications: sink,
    exports: undefined,
  });
  const records: FiringRecord[] = [];
  const dispatcher = new FiringDispatcher({ runner, sink: { record: (r) => records.push(r) }, logger });
  const engine = new RuleEngine({ bus, dispatcher, logger });
  return {
    bus,
    engine,
    dispatcher,
    records,
    writes,
    notifications,
    addRule(definition) {
      const rule = compileRule(definition) as ReadingRule;
      engine.setRule(rule);
      return rule;
    },
    send(device, values, profile) {
      engine.handleEvent(eventOf(device, values, profile));
    },
    settle: () => dispatcher.idle(),
    async close() {
      engine.stop();
      await dispatcher.idle();
      served.unsubscribe();
      if (!buses) await bus.close();
    },
  };
}
