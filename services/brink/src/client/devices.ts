/** `brink devices list|show|lock|unlock`. */
import type { AdminState, CoreCommand, Device, DeviceProfile, Reading } from "@brink/contracts";
import { errorFromResponse } from "@brink/service-kit";
import type { BrinkClient } from "./brink-client.js";
import { ago, displayValue, jsonText, nsTime, renderFields, renderTable, type Output } from "./output.js";

const enc = encodeURIComponent;

/** A device as `GET /api/console/devices` lists it: with its newest event in core-data. */
export interface ListedDevice extends Device {
  lastEvent?: { origin: bigint; sourceName: string };
}

/** Filters of `devices list`. */
export interface DeviceFilter {
  readonly label?: string | undefined;
  readonly service?: string | undefined;
  readonly profile?: string | undefined;
}

/** Every device (filtered), with the time of its last reading. */
export async function listDevices(client: BrinkClient, filter: DeviceFilter = {}): Promise<{ devices: ListedDevice[]; dataError?: { code: string; message: string } }> {
  const body = await client.console().get<{ devices?: ListedDevice[]; dataError?: { code: string; message: string } }>("/api/console/devices");
  const devices = (body.devices ?? []).filter(
    (d) =>
      (filter.label === undefined || (d.labels ?? []).includes(filter.label)) &&
      (filter.service === undefined || d.serviceName === filter.service) &&
      (filter.profile === undefined || d.profileName === filter.profile),
  );
  return body.dataError ? { devices, dataError: body.dataError } : { devices };
}

/** `devices list`. */
export async function devicesList(client: BrinkClient, filter: DeviceFilter, json: boolean, output: Output): Promise<void> {
  const { devices, dataError } = await listDevices(client, filter);
  if (json) return output.out(jsonText(devices));
  const now = Date.now();
  output.out(
    renderTable(
      ["NAME", "SERVICE", "PROFILE", "STATE", "ADMIN", "LAST READING", "LABELS"],
      devices.map((d) => [d.name, d.serviceName, d.profileName, d.operatingState, d.adminState, ago(d.lastEvent?.origin, now), (d.labels ?? []).join(",")]),
    ),
  );
  if (dataError) output.err(`brink: last readings unknown: core-data did not answer (${dataError.code})\n`);
}

/** Everything `devices show` prints. */
export interface DeviceDetails {
  device: Device;
  profile?: DeviceProfile;
  commands: CoreCommand[];
  /** The newest stored reading of each resource. */
  latest: Reading[];
}

/** A device with its profile, commands and latest stored readings; parts other than the device are optional. */
export async function deviceDetails(client: BrinkClient, name: string): Promise<DeviceDetails> {
  const device = (await client.service("core-metadata").get<{ device: Device }>(`/api/v3/device/name/${enc(name)}`)).device;
  const [profile, commands, readings] = await Promise.all([
    client
      .service("core-metadata")
      .get<{ profile: DeviceProfile }>(`/api/v3/deviceprofile/name/${enc(device.profileName)}`)
      .then((b) => b.profile, () => undefined),
    client
      .service("core-command")
      .get<{ deviceCoreCommand?: { coreCommands?: CoreCommand[] } }>(`/api/v3/device/name/${enc(name)}`)
      .then((b) => b.deviceCoreCommand?.coreCommands ?? [], () => [] as CoreCommand[]),
    client
      .service("core-data")
      .get<{ readings?: Reading[] }>(`/api/v3/reading/device/name/${enc(name)}`, { query: { limit: 200 } })
      .then((b) => b.readings ?? [], () => [] as Reading[]),
  ]);
  const latest = new Map<string, Reading>();
  for (const r of readings) if (!latest.has(r.resourceName) || latest.get(r.resourceName)!.origin < r.origin) latest.set(r.resourceName, r);
  return { device, ...(profile ? { profile } : {}), commands, latest: [...latest.values()] };
}

function readingValue(r: Reading): string {
  if ("value" in r) return displayValue(r.valueType, r.value);
  if ("objectValue" in r) return displayValue("Object", r.objectValue);
  return `(${r.mediaType} binary)`;
}

/** `devices show <name>`. */
export async function devicesShow(client: BrinkClient, name: string, json: boolean, output: Output): Promise<void> {
  const details = await deviceDetails(client, name);
  if (json) return output.out(jsonText(details));
  const d = details.device;
  const protocols = Object.entries(d.protocols ?? {}).map(([p, props]) => `${p}: ${Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join(" ")}`);
  output.out(
    renderFields([
      ["Name", d.name],
      ["Service", d.serviceName],
      ["Profile", d.profileName],
      ["State", d.operatingState],
      ["Admin", d.adminState],
      ["Labels", (d.labels ?? []).join(", ")],
      ["Protocols", protocols.join("; ")],
      ["AutoEvents", (d.autoEvents ?? []).map((a) => `${a.sourceName} every ${a.interval}${a.onChange ? " on change" : ""}`).join(", ")],
      ...(d.description ? ([["Description", d.description]] as const) : []),
    ]),
  );
  const latest = new Map(details.latest.map((r) => [r.resourceName, r]));
  const resources = (details.profile?.deviceResources ?? []).filter((r) => !r.isHidden);
  if (resources.length > 0) {
    output.out("\n");
    output.out(
      renderTable(
        ["RESOURCE", "TYPE", "RW", "UNITS", "LATEST", "AT"],
        resources.map((r) => {
          const l = latest.get(r.name);
          return [r.name, r.properties.valueType, r.properties.readWrite, r.properties.units ?? "", l ? readingValue(l) : "", l ? nsTime(l.origin) : ""];
        }),
      ),
    );
  }
  if (details.commands.length > 0) {
    output.out("\n");
    output.out(
      renderTable(
        ["COMMAND", "GET", "SET", "PARAMETERS"],
        details.commands.map((c) => [c.name, c.get ? "yes" : "", c.set ? "yes" : "", (c.parameters ?? []).map((p) => `${p.resourceName}:${p.valueType}`).join(" ")]),
      ),
    );
  }
}

/** `devices lock|unlock <name>`: PATCH core-metadata's device adminState. */
export async function setAdminState(client: BrinkClient, name: string, adminState: AdminState, json: boolean, output: Output): Promise<void> {
  const answer = await client.service("core-metadata").patch<{ statusCode?: number; message?: string; code?: string; kind?: string }[]>("/api/v3/device", [
    { apiVersion: "v3", device: { name, adminState } },
  ]);
  const item = Array.isArray(answer.body) ? answer.body[0] : undefined;
  const status = item?.statusCode ?? answer.status;
  if (status >= 300) throw errorFromResponse(status, item, `core-metadata refused to set ${name} ${adminState}`);
  if (json) output.out(jsonText({ name, adminState }));
  else output.out(`${name}: ${adminState}\n`);
}
