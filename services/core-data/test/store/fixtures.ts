import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Event, Reading } from "@brink/contracts";

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "brink-core-data-"));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** An event of `count` Float64 readings named r0..r(count-1), all at `origin`. */
export function makeEvent(deviceName: string, origin: bigint, count = 3, extra: Partial<Event> = {}): Event {
  const readings: Reading[] = [];
  for (let i = 0; i < count; i++) {
    readings.push({ id: randomUUID(), origin, deviceName, resourceName: `r${i}`, profileName: "prof", valueType: "Float64", value: `${i}.5` });
  }
  return { id: randomUUID(), deviceName, profileName: "prof", sourceName: "src", origin, readings, ...extra };
}
