/**
 * Typed client of core-data's EdgeX v3 REST API (adding events over HTTP).
 */
import { randomUUID } from "node:crypto";
import { API_VERSION, type AddEventRequest, type Event } from "@brink/contracts";
import type { ServiceConfig } from "../types.js";
import { HttpClient, type HttpClientOptions } from "./http-client.js";

const enc = encodeURIComponent;

/** Client of core-data (default `http://127.0.0.1:59880`). */
export class DataClient {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions | HttpClient) {
    this.http = options instanceof HttpClient ? options : new HttpClient({ peerName: "core-data", ...options });
  }

  /** A client for the core-data URL, timeout and token of a service's config. */
  static fromConfig(config: ServiceConfig<unknown>): DataClient {
    return new DataClient({ baseUrl: config.clients.coreDataUrl, timeoutMs: config.service.requestTimeoutMs, apiToken: config.apiToken });
  }

  /**
   * POST /api/v3/event/{profileName}/{deviceName}/{sourceName}. Resolves with the id core-data returned (or the
   * event's own id). Rejects with the remote error, such as 409 DUPLICATE_NAME for an event id already stored.
   */
  async addEvent(event: Event, options: { correlationId?: string } = {}): Promise<string> {
    const request: AddEventRequest = { apiVersion: API_VERSION, requestId: randomUUID(), event };
    const path = `/api/v3/event/${enc(event.profileName)}/${enc(event.deviceName)}/${enc(event.sourceName)}`;
    const { body } = await this.http.post<{ id?: unknown } | undefined>(path, request, options.correlationId ? { correlationId: options.correlationId } : {});
    return typeof body?.id === "string" ? body.id : event.id;
  }
}
