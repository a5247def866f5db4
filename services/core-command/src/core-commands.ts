/**
 * A device's core commands, built from its profile as EdgeX's `BuildCoreCommands` does: every visible device
 * command, then every visible device resource that no command of the same name already covers. `R` in `readWrite`
 * makes a command readable (GET), `W` writable (PUT).
 */
import { ErrorCode, ErrorKind, anchoredRegExp, ServiceError, type CoreCommand, type DeviceProfile, type ValueType } from "@brink/contracts";
import { CoreCommandErrorCode } from "./errors.js";

/** The REST path of a core command: `/api/v3/device/name/{device}/{command}` (names URL-encoded). */
export function commandPath(deviceName: string, commandName: string): string {
  return `/api/v3/device/name/${encodeURIComponent(deviceName)}/${encodeURIComponent(commandName)}`;
}

/**
 * The core commands of a device, in profile order (device commands first). `serviceUrl` is where core-command is
 * reached, such as `http://localhost:59882`.
 * @throws ServiceError kind ServerError, code PROFILE_INVALID, when a command names a resource the profile lacks
 *   (core-metadata refuses such profiles, so only a damaged store gets here)
 */
export function buildCoreCommands(deviceName: string, serviceUrl: string, profile: DeviceProfile): CoreCommand[] {
  const resources = new Map(profile.deviceResources.map((r) => [r.name, r]));
  const commands = new Map<string, CoreCommand>();
  const build = (name: string, readWrite: string, parameters: CoreCommand["parameters"]): CoreCommand => ({
    name,
    get: readWrite.includes("R"),
    set: readWrite.includes("W"),
    path: commandPath(deviceName, name),
    url: serviceUrl,
    parameters,
  });
  for (const command of profile.deviceCommands ?? []) {
    if (command.isHidden) continue;
    const parameters = command.resourceOperations.map((op) => {
      const resource = resources.get(op.deviceResource);
      if (!resource) {
        throw new ServiceError(
          ErrorKind.Server,
          ErrorCode.ProfileInvalid,
          `profile ${profile.name}: command ${command.name} names resource ${op.deviceResource}, which the profile does not have`,
          { details: { profileName: profile.name, command: command.name, deviceResource: op.deviceResource } },
        );
      }
      return { resourceName: resource.name, valueType: resource.properties.valueType };
    });
    commands.set(command.name, build(command.name, command.readWrite, parameters));
  }
  for (const resource of profile.deviceResources) {
    if (resource.isHidden || commands.has(resource.name)) continue;
    const parameters: { resourceName: string; valueType: ValueType }[] = [{ resourceName: resource.name, valueType: resource.properties.valueType }];
    commands.set(resource.name, build(resource.name, resource.properties.readWrite, parameters));
  }
  return [...commands.values()];
}

/** How a request names what to run: one core command, or (GET only) a regular expression over resource names. */
export type CommandTarget = { readonly kind: "command"; readonly command: CoreCommand } | { readonly kind: "pattern"; readonly matches: readonly CoreCommand[] };

/**
 * Finds the core command a GET or PUT addresses. For GET, when no command has the exact name and `regex` is true
 * (EdgeX's `ds-regexcmd`, default true), the name is tried as a regular expression over the whole of each readable
 * resource command's name, and the device service answers with one reading per match.
 * @throws ServiceError 404 COMMAND_NOT_FOUND, 405 COMMAND_NOT_READABLE / COMMAND_NOT_WRITABLE
 */
export function resolveCommand(commands: readonly CoreCommand[], deviceName: string, name: string, method: "get" | "set", regex: boolean): CommandTarget {
  const command = commands.find((c) => c.name === name);
  if (command) {
    if (method === "get" && !command.get) {
      throw new ServiceError(ErrorKind.NotAllowed, CoreCommandErrorCode.CommandNotReadable, `command ${name} of device ${deviceName} is not readable`, {
        details: { deviceName, command: name },
      });
    }
    if (method === "set" && !command.set) {
      throw new ServiceError(ErrorKind.NotAllowed, CoreCommandErrorCode.CommandNotWritable, `command ${name} of device ${deviceName} is not writable`, {
        details: { deviceName, command: name },
      });
    }
    return { kind: "command", command };
  }
  if (method === "get" && regex) {
    const pattern = anchoredRegExp(name);
    const matches = pattern ? commands.filter((c) => c.get && c.parameters.length === 1 && c.parameters[0]!.resourceName === c.name && pattern.test(c.name)) : [];
    if (matches.length > 0) return { kind: "pattern", matches };
  }
  throw new ServiceError(ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound, `device ${deviceName} has no command ${name}`, {
    details: { deviceName, command: name },
  });
}
