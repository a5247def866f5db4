/** `brink read <device> <command>` and `brink write <device> <command> key=value...`, through core-command. */
import { ErrorKind, ServiceError, parseJson, type Event, type Reading } from "@brink/contracts";
import type { BrinkClient } from "./brink-client.js";
import { ClientErrorCode } from "./errors.js";
import { displayValue, jsonText, nsTime, renderTable, type Output } from "./output.js";

const enc = encodeURIComponent;

/** Options of `read`. */
export interface ReadOptions {
  /** Also publish the event on the bus (EdgeX `ds-pushevent=true`), so core-data stores it and streams show it. */
  readonly push?: boolean;
}

/** GET a command: the event the device answered. */
export async function readCommand(client: BrinkClient, device: string, command: string, options: ReadOptions = {}): Promise<Event | undefined> {
  const body = await client
    .service("core-command")
    .get<{ event?: Event }>(`/api/v3/device/name/${enc(device)}/${enc(command)}`, { query: options.push ? { "ds-pushevent": "true" } : {} });
  return body.event;
}

function cells(r: Reading): string[] {
  const value = "value" in r ? displayValue(r.valueType, r.value) : "objectValue" in r ? displayValue("Object", r.objectValue) : `(${r.mediaType} binary)`;
  return [r.resourceName, value, r.valueType, r.units ?? "", nsTime(r.origin)];
}

/** `read`. */
export async function read(client: BrinkClient, device: string, command: string, options: ReadOptions, json: boolean, output: Output): Promise<void> {
  const event = await readCommand(client, device, command, options);
  if (json) return output.out(jsonText(event ?? null));
  output.out(renderTable(["RESOURCE", "VALUE", "TYPE", "UNITS", "ORIGIN"], (event?.readings ?? []).map(cells)));
}

/**
 * Parses `key=value` settings. A value that starts with `{` is sent as a JSON object (Object resources); every other
 * value is sent as the EdgeX string it is (`28.5`, `true`, `[1, 2]`).
 * @throws ServiceError ContractInvalid ARGUMENT_INVALID for a setting without `=`, an empty key, or bad JSON.
 */
export function parseSettings(args: readonly string[]): Record<string, unknown> {
  if (args.length === 0) throw new ServiceError(ErrorKind.ContractInvalid, ClientErrorCode.ArgumentInvalid, "give at least one setting: resource=value");
  const settings: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new ServiceError(ErrorKind.ContractInvalid, ClientErrorCode.ArgumentInvalid, `"${arg}" is not resource=value`, { details: { argument: arg } });
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (value.trimStart().startsWith("{")) {
      try {
        settings[key] = parseJson(value);
      } catch (err) {
        throw new ServiceError(ErrorKind.ContractInvalid, ClientErrorCode.ArgumentInvalid, `the value of ${key} starts with "{" but is not JSON: ${(err as Error).message}`, {
          details: { argument: arg },
        });
      }
    } else settings[key] = value;
  }
  return settings;
}

/** `write`: PUT the settings to the command. */
export async function write(client: BrinkClient, device: string, command: string, args: readonly string[], json: boolean, output: Output): Promise<void> {
  const settings = parseSettings(args);
  await client.service("core-command").put(`/api/v3/device/name/${enc(device)}/${enc(command)}`, settings);
  if (json) output.out(jsonText({ device, command, settings }));
  else output.out(`${device} ${command}: written ${Object.entries(settings).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")}\n`);
}
