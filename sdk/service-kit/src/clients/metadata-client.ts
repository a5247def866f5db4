/**
 * Typed client of core-metadata's EdgeX v3 REST API (the subset device services and core services need).
 */
import type { Device, DeviceProfile, DeviceService, ProvisionWatcher } from "@brink/contracts";
import type { ServiceConfig } from "../types.js";
import { batchRequest, throwOnBatchFailure, type BatchItemResult } from "./batch.js";
import { HttpClient, type HttpClientOptions } from "./http-client.js";

/** Page size used when a helper fetches every page of a list. */
export const LIST_PAGE_SIZE = 500;

/** A partial device for PATCH /device: `name` identifies it, other set fields are updated. */
export type DeviceUpdate = Partial<Device> & { name: string };
/** A partial device service for PATCH /deviceservice: `name` identifies it. */
export type DeviceServiceUpdate = Partial<DeviceService> & { name: string };

const enc = encodeURIComponent;

/** Fetches every page of an EdgeX list endpoint (`offset`/`limit`, `totalCount`). */
export async function getAllPages<T>(client: HttpClient, path: string, key: string, pageSize = LIST_PAGE_SIZE): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const page = await client.get<Record<string, unknown>>(path, { query: { offset: all.length, limit: pageSize } });
    const items = Array.isArray(page[key]) ? (page[key] as T[]) : [];
    all.push(...items);
    const total = typeof page.totalCount === "number" ? page.totalCount : all.length;
    if (items.length === 0 || all.length >= total) return all;
  }
}

/** Client of core-metadata (default `http://127.0.0.1:59881`). */
export class MetadataClient {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions | HttpClient) {
    this.http = options instanceof HttpClient ? options : new HttpClient({ peerName: "core-metadata", ...options });
  }

  /** A client for the core-metadata URL, timeout and token of a service's config. */
  static fromConfig(config: ServiceConfig<unknown>): MetadataClient {
    return new MetadataClient({ baseUrl: config.clients.coreMetadataUrl, timeoutMs: config.service.requestTimeoutMs, apiToken: config.apiToken });
  }

  /** POST /api/v3/deviceservice: one result per service; 409 comes back as `exists`. */
  addDeviceServices(services: readonly DeviceService[]): Promise<BatchItemResult[]> {
    return batchRequest(this.http, "POST", "/api/v3/deviceservice", "service", services);
  }

  /** GET /api/v3/deviceservice/name/{name}; NotFound when absent. */
  async getDeviceService(name: string): Promise<DeviceService> {
    return (await this.http.get<{ service: DeviceService }>(`/api/v3/deviceservice/name/${enc(name)}`)).service;
  }

  /** PATCH /api/v3/deviceservice; throws the item's error when it fails. */
  async updateDeviceService(update: DeviceServiceUpdate): Promise<void> {
    throwOnBatchFailure(await batchRequest(this.http, "PATCH", "/api/v3/deviceservice", "service", [update]), { allowExisting: false });
  }

  /** POST /api/v3/deviceprofile: one result per profile; 409 comes back as `exists`. */
  addProfiles(profiles: readonly DeviceProfile[]): Promise<BatchItemResult[]> {
    return batchRequest(this.http, "POST", "/api/v3/deviceprofile", "profile", profiles);
  }

  /** GET /api/v3/deviceprofile/name/{name}; NotFound when absent. */
  async getProfile(name: string): Promise<DeviceProfile> {
    return (await this.http.get<{ profile: DeviceProfile }>(`/api/v3/deviceprofile/name/${enc(name)}`)).profile;
  }

  /** GET /api/v3/deviceprofile/all, every page. */
  getProfiles(): Promise<DeviceProfile[]> {
    return getAllPages<DeviceProfile>(this.http, "/api/v3/deviceprofile/all", "profiles");
  }

  /** POST /api/v3/device: one result per device; 409 comes back as `exists`. */
  addDevices(devices: readonly Device[]): Promise<BatchItemResult[]> {
    return batchRequest(this.http, "POST", "/api/v3/device", "device", devices);
  }

  /** GET /api/v3/device/name/{name}; NotFound when absent. */
  async getDevice(name: string): Promise<Device> {
    return (await this.http.get<{ device: Device }>(`/api/v3/device/name/${enc(name)}`)).device;
  }

  /** GET /api/v3/device/service/name/{name}, every page. */
  getDevicesByService(serviceName: string): Promise<Device[]> {
    return getAllPages<Device>(this.http, `/api/v3/device/service/name/${enc(serviceName)}`, "devices");
  }

  /** GET /api/v3/device/all, every page. */
  getDevices(): Promise<Device[]> {
    return getAllPages<Device>(this.http, "/api/v3/device/all", "devices");
  }

  /** PATCH /api/v3/device; throws the item's error when it fails. */
  async updateDevice(update: DeviceUpdate): Promise<void> {
    throwOnBatchFailure(await batchRequest(this.http, "PATCH", "/api/v3/device", "device", [update]), { allowExisting: false });
  }

  /** DELETE /api/v3/device/name/{name}; NotFound when absent. */
  async deleteDevice(name: string): Promise<void> {
    await this.http.delete(`/api/v3/device/name/${enc(name)}`);
  }

  /** GET /api/v3/provisionwatcher/service/name/{name}, every page. */
  getProvisionWatchersByService(serviceName: string): Promise<ProvisionWatcher[]> {
    return getAllPages<ProvisionWatcher>(this.http, `/api/v3/provisionwatcher/service/name/${enc(serviceName)}`, "provisionWatchers");
  }
}
