/**
 * Test helpers: an app-service on a free port of 127.0.0.1 with its data in a directory, events, an MQTT counter.
 */
import { randomUUID } from "node:crypto";
import type { MessageBus } from "@brink/bus";
import { API_VERSION, type AddEventRequest, type Event } from "@brink/contracts";
import { createLogger, startService, type RunningService } from "@brink/service-kit";
import mqtt from "mqtt";
import { fileURLToPath } from "node:url";
import { startProcess, type ProcessHandle } from "../../../test/harness/index.js";
import { appService } from "../src/index.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `brink run app-service` from the sources in a child process with `env`, ready once it logged that it started. */
export function startAppServiceProcess(env: Record<string, string>): Promise<ProcessHandle> {
  return startProcess({
    cmd: process.execPath,
    args: ["--conditions=brink-src", "--import", "tsx", "services/brink/src/cli.ts", "run", "app-service"],
    cwd: ROOT,
    env,
    name: "brink run app-service",
    readyWhen: { stdoutMatch: /app-service started/ },
    timeoutMs: 60_000,
  });
}

/** One parsed log line. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** An app-service with its data under `dataDir`; `custom` overrides its own config sections. */
export async function startAppService(bus: MessageBus, dataDir: string, custom: Record<string, unknown> = {}, logs: LogLine[] = []): Promise<RunningService> {
  const logger = createLogger({ level: "info", destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  return startService(appService, {
    bus,
    env: {},
    logger,
    overrides: { service: { port: 0, host: "127.0.0.1" }, dataDir, profiles: { fromMetadata: false }, ...custom },
  });
}

/** An AddEventRequest of one Float64 reading `temp` for `device`, with a fresh id. */
export function addEventRequest(device: string, value: number, options: { profile?: string; source?: string; origin?: bigint } = {}): AddEventRequest & { event: Event } {
  const origin = options.origin ?? BigInt(Date.now()) * 1_000_000n;
  const profileName = options.profile ?? "thermo";
  const event: Event = {
    apiVersion: API_VERSION,
    id: randomUUID(),
    deviceName: device,
    profileName,
    sourceName: options.source ?? "temp",
    origin,
    readings: [{ id: randomUUID(), origin, deviceName: device, profileName, resourceName: "temp", valueType: "Float64", value: String(value) }],
  };
  return { apiVersion: API_VERSION, requestId: randomUUID(), event };
}

/** Counts what an MQTT subscriber receives on `topic`, by message and by distinct event id. */
export interface MqttCounter {
  readonly messages: { topic: string; payload: Buffer }[];
  /** Distinct `id`s of the JSON events received. */
  readonly ids: Set<string>;
  close(): Promise<void>;
}

/** Subscribes (QoS 1) and resolves once the subscription is acknowledged; `persistentSession` keeps it on the broker across reconnects. */
export async function mqttCounter(url: string, topic: string, options: { persistentSession?: boolean } = {}): Promise<MqttCounter> {
  const client = await mqtt.connectAsync(url, { clientId: `brink-test-${randomUUID().slice(0, 8)}`, reconnectPeriod: 200, clean: !options.persistentSession });
  const messages: { topic: string; payload: Buffer }[] = [];
  const ids = new Set<string>();
  client.on("message", (t, payload) => {
    messages.push({ topic: t, payload });
    try {
      const id = (JSON.parse(payload.toString("utf8")) as { id?: unknown }).id;
      if (typeof id === "string") ids.add(id);
    } catch {
      // not JSON: counted in messages only
    }
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { messages, ids, close: () => client.endAsync() };
}
