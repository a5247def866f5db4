/**
 * Runs core commands: looks the device and its profile up (through the {@link DeviceCache}), checks that the device
 * may be commanded and that the command exists for the method, then asks the owning device service over bus
 * request/reply on `edgex.device.command.request.<service>.<device>.<command>.<get|set>`.
 */
import {
  AdminState, ErrorCode, ErrorKind, ServiceError, commandRequestSubject,
  type CommandMethod, type CommandReplyPayload, type CommandRequestPayload, type CoreCommand, type Device, type DeviceCoreCommand, type DeviceProfile, type Event,
} from "@brink/contracts";
import { BusError, type MessageBus } from "@brink/bus";
import { buildCoreCommands, resolveCommand } from "./core-commands.js";
import type { DeviceCache } from "./device-cache.js";
import { CoreCommandErrorCode } from "./errors.js";

/** Options of {@link CommandExecutor}. */
export interface CommandExecutorOptions {
  readonly bus: MessageBus;
  readonly cache: DeviceCache;
  /** How long a device service may take to answer a command, ms. */
  readonly commandTimeoutMs: number;
}

/** One command call, as the REST layer hands it over. */
export interface CommandCall {
  readonly deviceName: string;
  readonly commandName: string;
  /** Query parameters passed on to the device service (`ds-pushevent`, `ds-returnevent`, `jsonObject`, ...). */
  readonly queryParams: Readonly<Record<string, string>>;
  /** Correlation ID carried in the bus envelope; the bus makes one when absent. */
  readonly correlationID?: string;
}

/** Core commands by profile object: built once per profile version the cache hands out (names and methods only). */
const commandsByProfile = new WeakMap<DeviceProfile, CoreCommand[]>();

function commandsOf(profile: DeviceProfile): CoreCommand[] {
  let commands = commandsByProfile.get(profile);
  if (!commands) {
    commands = buildCoreCommands("", "", profile);
    commandsByProfile.set(profile, commands);
  }
  return commands;
}

/** Reads and writes device commands over the bus. */
export class CommandExecutor {
  private readonly bus: MessageBus;
  private readonly cache: DeviceCache;
  private readonly commandTimeoutMs: number;

  constructor(options: CommandExecutorOptions) {
    this.bus = options.bus;
    this.cache = options.cache;
    this.commandTimeoutMs = options.commandTimeoutMs;
  }

  /** The core commands of one device; `serviceUrl` is where callers reach core-command. */
  async deviceCoreCommand(deviceName: string, serviceUrl: string): Promise<DeviceCoreCommand> {
    const { device, profile } = await this.cache.deviceWithProfile(deviceName);
    return this.coreCommandOf(device, serviceUrl, profile);
  }

  /** The core commands of a device already fetched (as from a device list). */
  async deviceCoreCommandOf(device: Device, serviceUrl: string): Promise<DeviceCoreCommand> {
    return this.coreCommandOf(device, serviceUrl, await this.cache.profile(device.profileName));
  }

  /**
   * Issues a GET command. Resolves with the device service's reply: the event, unless `ds-returnevent=false`.
   * @throws ServiceError 404 (device or command unknown), 405 (not readable), 423 (LOCKED), 503 (DEVICE_DOWN from the device service),
   *   503 (TIMEOUT, NO_RESPONDERS), or the device service's own error with its kind and code
   */
  async read(call: CommandCall): Promise<CommandReplyPayload> {
    const device = await this.prepare(call, "get");
    const reply = await this.send(device, call, "get", {});
    return checkReply(reply, device.serviceName);
  }

  /**
   * Issues a PUT command with its settings (resource name -> value).
   * @throws ServiceError as {@link read}, and 405 when the command is not writable
   */
  async write(call: CommandCall, settings: CommandRequestPayload): Promise<void> {
    const device = await this.prepare(call, "set");
    checkReply(await this.send(device, call, "set", settings), device.serviceName);
  }

  private coreCommandOf(device: Device, serviceUrl: string, profile: DeviceProfile): DeviceCoreCommand {
    return { deviceName: device.name, profileName: device.profileName, coreCommands: buildCoreCommands(device.name, serviceUrl, profile) };
  }

  private async prepare(call: CommandCall, method: CommandMethod): Promise<Device> {
    const { device, profile } = await this.cache.deviceWithProfile(call.deviceName);
    if (device.adminState === AdminState.Locked) {
      throw new ServiceError(ErrorKind.ServiceLocked, ErrorCode.Locked, `device ${device.name} is locked`, { details: { deviceName: device.name } });
    }
    // A DOWN device is not refused here: its device service decides, re-probing it at a bounded rate so it can
    // come back UP, and failing fast (503 DEVICE_DOWN) in between.
    resolveCommand(commandsOf(profile), device.name, call.commandName, method, call.queryParams["ds-regexcmd"] !== "false");
    return device;
  }

  private async send(device: Device, call: CommandCall, method: CommandMethod, payload: CommandRequestPayload): Promise<unknown> {
    const subject = commandRequestSubject(device.serviceName, device.name, call.commandName, method);
    try {
      const options = { timeoutMs: this.commandTimeoutMs, queryParams: { ...call.queryParams } };
      return await this.bus.request<unknown, unknown>(subject, payload, call.correlationID ? { ...options, correlationID: call.correlationID } : options);
    } catch (err) {
      throw unreachable(err, device.serviceName, this.commandTimeoutMs);
    }
  }
}

/**
 * Names the device service in the bus's own Timeout / NO_RESPONDERS errors (kind and code kept). Errors the device
 * service answered with arrive as plain ServiceErrors and pass as they are.
 */
function unreachable(err: unknown, serviceName: string, timeoutMs: number): ServiceError {
  const error = ServiceError.from(err);
  if (!(err instanceof BusError)) return error;
  if (error.code === ErrorCode.Timeout) {
    return new ServiceError(error.kind, error.code, `device service ${serviceName} did not answer within ${timeoutMs} ms`, {
      details: { serviceName, timeoutMs },
      cause: err,
    });
  }
  if (error.code === ErrorCode.NoResponders) {
    return new ServiceError(error.kind, error.code, `device service ${serviceName} is not running (no responders)`, { details: { serviceName }, cause: err });
  }
  return error;
}

/** Checks that a reply is a command reply: an object whose `event`, when present, looks like an EdgeX event. */
function checkReply(reply: unknown, serviceName: string): CommandReplyPayload {
  const fail = (why: string): ServiceError =>
    new ServiceError(ErrorKind.Server, CoreCommandErrorCode.ReplyInvalid, `device service ${serviceName} sent an invalid command reply: ${why}`, {
      details: { serviceName },
    });
  if (reply === undefined || reply === null) return {};
  if (typeof reply !== "object" || Array.isArray(reply)) throw fail("not an object");
  const event = (reply as { event?: unknown }).event;
  if (event === undefined || event === null) return {};
  if (typeof event !== "object" || Array.isArray(event)) throw fail("event is not an object");
  const e = event as Partial<Record<keyof Event, unknown>>;
  if (typeof e.deviceName !== "string" || typeof e.sourceName !== "string" || !Array.isArray(e.readings)) {
    throw fail("event lacks deviceName, sourceName or readings");
  }
  return { event: event as Event };
}
