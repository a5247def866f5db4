/**
 * Provision watchers: which discovered devices a watcher accepts, and the Device it makes of them
 * (device-sdk-go `autodiscovery` + `provisionwatcher`).
 *
 * A watcher matches a discovered device when it is UNLOCKED, every `identifiers` entry (protocol property name ->
 * regular expression) matches the value of that property in one of the device's protocol blocks — as an anchored
 * full match, so `10\.0\.0\.1` does not accept `10.0.0.12` — and no `blockingIdentifiers` entry (property name ->
 * exact values) equals the value of that property in any block. A pattern that does not compile matches nothing.
 */
import { anchoredRegExp, type Device, type ProvisionWatcher } from "@brink/contracts";
import type { DiscoveredDeviceInfo } from "../../driver.js";

const compiled = new Map<string, RegExp | null>();

function regexOf(pattern: string): RegExp | undefined {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = anchoredRegExp(pattern) ?? null;
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re ?? undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return undefined;
}

/** Every value the device's protocol blocks give for `property`, as text. */
function valuesOf(info: DiscoveredDeviceInfo, property: string): string[] {
  const out: string[] = [];
  for (const block of Object.values(info.protocols ?? {})) {
    if (block === null || typeof block !== "object") continue;
    if (!Object.prototype.hasOwnProperty.call(block, property)) continue;
    const t = text(block[property]);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** True when the watcher accepts the discovered device (see the module comment). */
export function watcherMatches(watcher: ProvisionWatcher, info: DiscoveredDeviceInfo): boolean {
  if (watcher.adminState === "LOCKED") return false;
  const identifiers = Object.entries(watcher.identifiers ?? {});
  if (identifiers.length === 0) return false;
  for (const [property, pattern] of identifiers) {
    const re = regexOf(String(pattern));
    if (re === undefined) return false;
    if (!valuesOf(info, property).some((v) => re.test(v))) return false;
  }
  for (const [property, blocked] of Object.entries(watcher.blockingIdentifiers ?? {})) {
    const list = Array.isArray(blocked) ? blocked.map(String) : [];
    if (valuesOf(info, property).some((v) => list.includes(v))) return false;
  }
  return true;
}

/** The first watcher (in the given order) that accepts the device. */
export function findWatcher(watchers: readonly ProvisionWatcher[], info: DiscoveredDeviceInfo): ProvisionWatcher | undefined {
  return watchers.find((w) => watcherMatches(w, info));
}

/** The Device to add for a discovered device accepted by `watcher`. */
export function deviceFromDiscovery(info: DiscoveredDeviceInfo, watcher: ProvisionWatcher, serviceName: string): Device {
  const dd = watcher.discoveredDevice;
  const device: Device = {
    name: info.name,
    adminState: dd?.adminState ?? "UNLOCKED",
    operatingState: "UP",
    serviceName,
    profileName: dd?.profileName ?? "",
    protocols: JSON.parse(JSON.stringify(info.protocols)) as Device["protocols"],
  };
  if (info.description !== undefined) device.description = info.description;
  const labels = info.labels ?? watcher.labels;
  if (labels !== undefined && labels.length > 0) device.labels = [...labels];
  if (dd?.autoEvents !== undefined && dd.autoEvents.length > 0) device.autoEvents = dd.autoEvents.map((a) => ({ ...a }));
  const properties = { ...(info.properties ?? {}), ...(dd?.properties ?? {}) };
  if (Object.keys(properties).length > 0) device.properties = properties;
  return device;
}
