/**
 * The device list of the console and the CLI: core-metadata's devices with the time of each one's last reading,
 * asked of core-data a few devices at a time.
 */
import type { Device } from "@brink/contracts";
import type { HttpClient, MetadataClient } from "@brink/service-kit";

/** Devices whose last reading is asked of core-data at once. */
export const LAST_READING_CONCURRENCY = 8;

/** The newest event of a device in core-data. */
export interface LastEvent {
  /** Unix ns (kept exact: `origin` is one of the int64 fields JSON readers revive as bigint). */
  readonly origin: bigint;
  readonly sourceName: string;
}

/** A device and its newest event, when core-data has one. */
export interface DeviceRow extends Device {
  lastEvent?: LastEvent;
}

/** The answer of `GET /api/console/devices`. */
export interface DeviceList {
  readonly devices: DeviceRow[];
  /** Set when core-data could not be asked: the last-reading times are missing, the list is not. */
  readonly dataError?: { readonly code: string; readonly message: string };
}

/** Runs `task` over `items`, at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A device's newest event, or undefined when it has none. */
export async function lastEventOf(data: HttpClient, device: string): Promise<LastEvent | undefined> {
  const body = await data.get<{ events?: { origin?: unknown; sourceName?: unknown }[] }>(`/api/v3/event/device/name/${encodeURIComponent(device)}`, { query: { limit: 1 } });
  const event = body.events?.[0];
  const origin = event?.origin;
  if (typeof origin !== "bigint" && typeof origin !== "number") return undefined;
  return { origin: BigInt(origin), sourceName: typeof event?.sourceName === "string" ? event.sourceName : "" };
}

/** Every device, sorted by name, each with its newest event when core-data answers. */
export async function deviceList(metadata: MetadataClient, data: HttpClient): Promise<DeviceList> {
  const devices = (await metadata.getDevices()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let dataError: { code: string; message: string } | undefined;
  const rows = await mapLimit(devices, LAST_READING_CONCURRENCY, async (device): Promise<DeviceRow> => {
    if (dataError) return device;
    try {
      const lastEvent = await lastEventOf(data, device.name);
      return lastEvent === undefined ? device : { ...device, lastEvent };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      dataError ??= { code: typeof e.code === "string" ? e.code : "INTERNAL", message: typeof e.message === "string" ? e.message : String(err) };
      return device;
    }
  });
  return dataError ? { devices: rows, dataError } : { devices: rows };
}
