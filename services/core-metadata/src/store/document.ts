/**
 * The shape of `metadata.json` and the check run on it at start. The check is structural only (what the indexes need:
 * objects with unique string names and ids, int64 timestamps); the entities were validated when they were stored.
 */
import type { Device, DeviceProfile, DeviceService, ProvisionWatcher } from "@brink/contracts";
import type { StoredEntity } from "./indexed-collection.js";

/** An entity as stored: id, created and modified are always set. */
export type Stored<T> = Omit<T, "id" | "created" | "modified" | "apiVersion"> & StoredEntity;

export type StoredDeviceService = Stored<DeviceService>;
export type StoredDeviceProfile = Stored<DeviceProfile>;
export type StoredDevice = Stored<Device>;
export type StoredProvisionWatcher = Stored<ProvisionWatcher>;

/** The whole metadata file. */
export interface MetadataDocument {
  deviceServices: StoredDeviceService[];
  deviceProfiles: StoredDeviceProfile[];
  devices: StoredDevice[];
  provisionWatchers: StoredProvisionWatcher[];
}

/** The document keys, in the order they are written. */
export const DOCUMENT_KEYS = ["deviceServices", "deviceProfiles", "devices", "provisionWatchers"] as const;

/** A new, empty document. */
export function emptyDocument(): MetadataDocument {
  return { deviceServices: [], deviceProfiles: [], devices: [], provisionWatchers: [] };
}

/** Fields the secondary indexes read, per collection: [path, required]. */
const INDEXED_FIELDS: Readonly<Record<(typeof DOCUMENT_KEYS)[number], readonly (readonly [readonly string[], boolean])[]>> = {
  deviceServices: [],
  deviceProfiles: [[["manufacturer"], false], [["model"], false]],
  devices: [[["serviceName"], true], [["profileName"], false]],
  provisionWatchers: [[["serviceName"], true], [["discoveredDevice", "profileName"], false]],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Lists what is wrong with a parsed document (empty when it has the expected shape). */
export function documentProblems(value: unknown): string[] {
  if (!isObject(value)) return ["(root): must be an object"];
  const problems: string[] = [];
  for (const key of DOCUMENT_KEYS) {
    const list = value[key];
    if (!Array.isArray(list)) {
      problems.push(`${key}: must be an array`);
      continue;
    }
    const names = new Set<string>();
    const ids = new Set<string>();
    list.forEach((item: unknown, i) => {
      const at = `${key}[${i}]`;
      if (!isObject(item)) {
        problems.push(`${at}: must be an object`);
        return;
      }
      if (typeof item.name !== "string" || item.name === "") problems.push(`${at}.name: must be a non-empty string`);
      else if (names.has(item.name)) problems.push(`${at}.name: duplicate name "${item.name}"`);
      else names.add(item.name);
      if (typeof item.id !== "string" || item.id === "") problems.push(`${at}.id: must be a non-empty string`);
      else if (ids.has(item.id)) problems.push(`${at}.id: duplicate id "${item.id}"`);
      else ids.add(item.id);
      for (const field of ["created", "modified"] as const) {
        if (typeof item[field] !== "bigint") problems.push(`${at}.${field}: must be an integer timestamp`);
      }
      if (item.labels !== undefined && !(Array.isArray(item.labels) && item.labels.every((l) => typeof l === "string"))) {
        problems.push(`${at}.labels: must be an array of strings`);
      }
      for (const [path, required] of INDEXED_FIELDS[key]) {
        const field = path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), item);
        if (field === undefined ? required : typeof field !== "string") problems.push(`${at}.${path.join(".")}: must be a string`);
      }
    });
  }
  return problems;
}
