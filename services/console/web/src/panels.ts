/**
 * The health page's panels for services that land on their own schedule: app-service pipelines, rules-engine rules
 * (with their newest firing) and notifications. Each is asked through the gateway; a service that does not answer
 * shows as not running, and one that answers without such a list as not offering it.
 */
import { ApiError, call, enc, svc } from "./api.js";
import { itemsOf } from "./table-data.js";

/** A list a panel shows. */
export interface PanelList {
  readonly state: "ok" | "not-running" | "no-api" | "error";
  readonly items: Record<string, unknown>[];
  readonly error?: ApiError | Error;
}

/** Where each list is, as app-service and rules-engine serve them (EdgeX's paths for notifications). */
export const PANEL_SOURCES = {
  pipelines: { service: "app-service", path: "/pipeline/all" },
  rules: { service: "rules-engine", path: "/rule/all?limit=-1" },
  firings: { service: "rules-engine", path: "/firing/all?limit=200" },
  notifications: { service: "support-notifications", path: "/notification/all?limit=100" },
} as const;

const NOT_RUNNING = new Set(["SERVICE_UNREACHABLE", "TIMEOUT", "CONSOLE_UNREACHABLE"]);

/** Asks one service for one list. */
export async function loadPanel(source: { service: string; path: string }, signal?: AbortSignal): Promise<PanelList> {
  try {
    const items = itemsOf(await call<unknown>("GET", svc(source.service, source.path), { signal }));
    return items ? { state: "ok", items } : { state: "no-api", items: [] };
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    if (err instanceof ApiError && NOT_RUNNING.has(err.code)) return { state: "not-running", items: [], error: err };
    if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) return { state: "no-api", items: [], error: err };
    return { state: "error", items: [], error: err as Error };
  }
}

/** Acknowledges notifications (EdgeX's `PUT /notification/acknowledge/ids/{ids}`). */
export async function acknowledge(ids: readonly string[]): Promise<void> {
  await call("PUT", svc(PANEL_SOURCES.notifications.service, `/notification/acknowledge/ids/${ids.map(enc).join(",")}`));
}
