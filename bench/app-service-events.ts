/**
 * What the app-service benchmarks share: EdgeX events of 10 readings from 10 devices, an MQTT client, waits.
 */
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { API_VERSION, type Event, type SimpleReading } from "@brink/contracts";

/** Readings per event. */
export const READINGS_PER_EVENT = 10;
/** Devices the events take turns to come from. */
export const DEVICES = 10;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `promise`, or an Error with `message()` when it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An EdgeX event of 10 Float64 readings from one of 10 devices, `origin` everywhere. */
export function makeEvent(i: number, origin: bigint): Event {
  const deviceName = `bench-device-${i % DEVICES}`;
  const readings: SimpleReading[] = [];
  for (let r = 0; r < READINGS_PER_EVENT; r++) {
    readings.push({ id: randomUUID(), origin, deviceName, resourceName: `r${r}`, profileName: "bench-profile", valueType: "Float64", value: (i * 0.5 + r).toExponential() });
  }
  return { apiVersion: API_VERSION, id: randomUUID(), deviceName, profileName: "bench-profile", sourceName: "all", origin, readings };
}

/** An MQTT client that does not reconnect by itself. */
export function connectClient(url: string, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, reconnectPeriod: 0, clean: true });
}
