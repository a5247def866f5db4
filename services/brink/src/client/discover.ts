/**
 * `brink discover <service>`: triggers a device service's discovery and shows its progress. Progress comes from the
 * console's discovery stream: EdgeX's discovery progress system events (percent and devices found, when the service
 * publishes them) and the devices core-metadata adds for the service.
 *
 * The run is over at a progress of 100 (or -1, failed). A service that publishes no progress adds what it found in
 * one batch at the end, so the run is also taken as over once devices were added and `settleMs` passed without
 * another; with nothing found and no progress at all, the wait ends after `timeoutMs`.
 */
import { ErrorKind, ServiceError, parseJson } from "@brink/contracts";
import type { BrinkClient } from "./brink-client.js";
import { ClientErrorCode } from "./errors.js";
import { jsonLine, type Output } from "./output.js";

/** How long to wait for a completion notice, ms. @default 60000 */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 60_000;
/** Quiet time after the last added device that ends a run without progress notices, ms. */
export const DEFAULT_DISCOVERY_SETTLE_MS = 1500;

/** Options of `discover`. */
export interface DiscoverOptions {
  readonly timeoutMs?: number;
  readonly settleMs?: number;
}

/** How a run ended. */
export interface DiscoveryOutcome {
  readonly requestId: string;
  readonly ended: "done" | "failed" | "settled" | "timeout";
  readonly added: string[];
  /** Last progress percent seen, when the service reports progress. */
  readonly progress?: number;
  readonly message?: string;
}

interface ProgressDetails {
  requestId?: string;
  progress?: number;
  discoveredDeviceCount?: number;
  message?: string;
}

/** Runs one discovery; resolves with how it ended (`failed` when the service reported -1). */
export async function discover(client: BrinkClient, service: string, options: DiscoverOptions, json: boolean, output: Output): Promise<DiscoveryOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  const settleMs = options.settleMs ?? DEFAULT_DISCOVERY_SETTLE_MS;
  const say = (line: string, record: Record<string, unknown>): void => output.out(json ? jsonLine(record) : `${line}\n`);
  const controller = new AbortController();
  const added: string[] = [];
  let requestId = "";
  let progress: number | undefined;
  let message: string | undefined;
  let ended = "timeout" as DiscoveryOutcome["ended"];
  let settle: NodeJS.Timeout | undefined;
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const stop = (how: DiscoveryOutcome["ended"]): void => {
    ended = how;
    controller.abort();
  };

  const following = client.follow(
    `/api/console/stream/discovery/${encodeURIComponent(service)}`,
    (m) => {
      if (m.event === "hello") opened();
      else if (m.event === "progress") {
        const details = ((parseJson(m.data) as { details?: ProgressDetails }).details ?? {}) as ProgressDetails;
        if (requestId && details.requestId && details.requestId !== requestId) return true;
        progress = typeof details.progress === "number" ? details.progress : progress;
        message = details.message || message;
        const found = details.discoveredDeviceCount;
        say(`discovery ${progress ?? "?"}%${found !== undefined ? `, ${found} found` : ""}${details.message ? `: ${details.message}` : ""}`, { event: "progress", ...details });
        if (progress === 100) stop("done");
        else if (progress === -1) stop("failed");
      } else if (m.event === "device") {
        const device = (JSON.parse(m.data) as { device: string }).device;
        added.push(device);
        say(`added device ${device}`, { event: "added", device });
        clearTimeout(settle);
        // Without progress notices, the batch of added devices marks the end of the run.
        if (progress === undefined) settle = setTimeout(() => stop("settled"), settleMs);
      }
      return true;
    },
    controller.signal,
  );
  const failed = following.then(
    () => undefined,
    (err: unknown) => err,
  );
  const early = await Promise.race([open.then(() => undefined), failed]);
  if (early !== undefined) throw early;

  const timer = setTimeout(() => stop("timeout"), timeoutMs);
  try {
    const answer = await client.service(service).post<{ requestId?: string }>("/api/v3/discovery", {});
    requestId = answer.body?.requestId ?? "";
    say(`discovery started on ${service} (request ${requestId || "?"})`, { event: "started", service, requestId });
    const err = await failed;
    if (err !== undefined && !controller.signal.aborted) throw err;
  } catch (err) {
    controller.abort();
    throw err;
  } finally {
    clearTimeout(timer);
    clearTimeout(settle);
  }
  const outcome: DiscoveryOutcome = { requestId, ended, added, ...(progress === undefined ? {} : { progress }), ...(message ? { message } : {}) };
  if (ended === "failed") {
    throw new ServiceError(ErrorKind.Server, ClientErrorCode.DiscoveryFailed, `discovery on ${service} failed${message ? `: ${message}` : ""}`, { details: { ...outcome } });
  }
  const summary =
    ended === "timeout"
      ? `no end of discovery seen within ${Math.round(timeoutMs / 1000)} s; ${added.length} device${added.length === 1 ? "" : "s"} added so far`
      : `discovery done: ${added.length} device${added.length === 1 ? "" : "s"} added`;
  say(summary, { event: "end", ...outcome });
  return outcome;
}
