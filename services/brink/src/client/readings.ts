/** `brink readings tail <device...>`: follows the console's live stream of the devices' readings. */
import { ErrorKind, ServiceError, parseJson } from "@brink/contracts";
import type { BrinkClient } from "./brink-client.js";
import { ClientErrorCode } from "./errors.js";
import { displayValue, jsonLine, nsTime, type Output } from "./output.js";

/** A reading as the console streams it. */
interface StreamReading {
  resourceName: string;
  valueType: string;
  origin: bigint;
  units?: string;
  value?: string;
  objectValue?: unknown;
  mediaType?: string;
  size?: number;
}

/** An event as the console streams it. */
interface StreamEvent {
  deviceName: string;
  profileName: string;
  sourceName: string;
  origin: bigint;
  readings: StreamReading[];
}

/** Options of `readings tail`. */
export interface TailOptions {
  /** Stop after this many readings; 0 follows until interrupted. */
  readonly count: number;
  /** Only these resources (all when empty). */
  readonly resources: readonly string[];
  /** Stops following. */
  readonly signal?: AbortSignal;
  /** Called once the stream is open (tests use it to publish after subscribing). */
  readonly onOpen?: () => void;
}

const WIDTHS = [23, 24, 20] as const;

function row(cells: readonly string[]): string {
  return cells.map((c, i) => (i < WIDTHS.length ? c.padEnd(WIDTHS[i] as number) : c)).join("  ").trimEnd() + "\n";
}

function valueOf(r: StreamReading): string {
  if (r.value !== undefined) return displayValue(r.valueType, r.value);
  if (r.objectValue !== undefined) return displayValue("Object", r.objectValue);
  return `(${r.mediaType ?? "binary"}, ${r.size ?? 0} bytes)`;
}

/**
 * `readings tail`: prints each reading as it arrives (a table row, or one JSON event per line with `--json`).
 * Resolves after `count` readings, or when `signal` aborts.
 */
export async function tail(client: BrinkClient, devices: readonly string[], options: TailOptions, json: boolean, output: Output): Promise<void> {
  if (!Number.isInteger(options.count) || options.count < 0) {
    throw new ServiceError(ErrorKind.ContractInvalid, ClientErrorCode.ArgumentInvalid, `--count must be a whole number, 0 to follow without end`);
  }
  const wanted = new Set(options.resources);
  const query = devices.map((d) => `device=${encodeURIComponent(d)}`).join("&");
  let seen = 0;
  await client.follow(
    `/api/console/stream/readings?${query}`,
    (m) => {
      if (m.event === "hello") {
        // The header goes out once the console follows the devices: whatever is published from now on is shown.
        if (!json) output.out(row(["TIME (UTC)", "DEVICE", "RESOURCE", "VALUE"]));
        options.onOpen?.();
        return true;
      }
      if (m.event === "dropped") {
        output.err(`brink: ${(JSON.parse(m.data) as { count: number }).count} readings dropped: this terminal reads slower than they come\n`);
        return true;
      }
      if (m.event !== "reading") return true;
      const event = parseJson(m.data) as StreamEvent;
      const readings = event.readings.filter((r) => wanted.size === 0 || wanted.has(r.resourceName));
      if (readings.length === 0) return true;
      const take = options.count > 0 ? readings.slice(0, options.count - seen) : readings;
      seen += take.length;
      if (json) output.out(jsonLine({ ...event, readings: take }));
      else for (const r of take) output.out(row([nsTime(r.origin), event.deviceName, r.resourceName, `${valueOf(r)}${r.units ? ` ${r.units}` : ""}`]));
      return options.count === 0 || seen < options.count;
    },
    options.signal,
  );
}
