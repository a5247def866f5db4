/**
 * core-command's REST API, as EdgeX's openapi/core-command.yaml:
 * - GET /api/v3/device/all (offset, limit): MultiDeviceCoreCommandsResponse
 * - GET /api/v3/device/name/{name}: DeviceCoreCommandResponse
 * - GET /api/v3/device/name/{name}/{command} (ds-pushevent, ds-returnevent): EventResponse
 * - PUT /api/v3/device/name/{name}/{command} (body: settings): BaseResponse
 */
import type { Request, Response, Router } from "express";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, baseResponse, type CommandRequestPayload, type Device, type EventResponse } from "@brink/contracts";
import { parsePaging, pathParam, queryBool, sendJson } from "@brink/service-kit";
import type { CommandCall, CommandExecutor } from "./command-executor.js";

/** One page of devices, as core-metadata's `GET /device/all` gives it. */
export interface DevicePage {
  readonly devices: readonly Device[];
  readonly totalCount: number;
}

/** What the routes need besides the executor. */
export interface CommandRoutesOptions {
  readonly executor: CommandExecutor;
  /** A page of every device, from core-metadata (416 when `offset` is past the end, as core-metadata answers). */
  readonly allDevices: (paging: { offset: number; limit: number }) => Promise<DevicePage>;
  /** Base URL of core-command put in each core command's `url` when the request has no Host header. */
  readonly fallbackUrl: string;
}

/** Query parameters that core-command reads itself and passes on to the device service. */
const BOOLEAN_PARAMS = ["ds-pushevent", "ds-returnevent", "ds-regexcmd"] as const;

/** Mounts the routes on `router` (full paths). */
export function mountCommandRoutes(router: Router, options: CommandRoutesOptions): void {
  const { executor } = options;
  const serviceUrl = (req: Request): string => {
    const host = req.get("host");
    return host ? `${req.protocol}://${host}` : options.fallbackUrl;
  };

  router.get("/api/v3/device/all", async (req: Request, res: Response) => {
    const paging = parsePaging(req);
    const page = await options.allDevices(paging);
    const url = serviceUrl(req);
    const deviceCoreCommands = await Promise.all(page.devices.map((d) => executor.deviceCoreCommandOf(d, url)));
    sendJson(res, 200, { ...baseResponse(200), totalCount: page.totalCount, deviceCoreCommands });
  });

  router.get("/api/v3/device/name/:name", async (req: Request, res: Response) => {
    const deviceCoreCommand = await executor.deviceCoreCommand(pathParam(req, "name"), serviceUrl(req));
    sendJson(res, 200, { ...baseResponse(200), deviceCoreCommand });
  });

  router.get("/api/v3/device/name/:name/:command", async (req: Request, res: Response) => {
    const reply = await executor.read(callOf(req, res));
    const body: EventResponse = { apiVersion: API_VERSION, statusCode: 200 };
    if (reply.event) body.event = reply.event;
    sendJson(res, 200, body);
  });

  router.put("/api/v3/device/name/:name/:command", async (req: Request, res: Response) => {
    await executor.write(callOf(req, res), settingsOf(req.body));
    sendJson(res, 200, baseResponse(200));
  });
}

function callOf(req: Request, res: Response): CommandCall {
  // queryBool throws 400 REQUEST_INVALID for anything but true/false.
  for (const name of BOOLEAN_PARAMS) queryBool(req, name);
  const queryParams: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (typeof value === "string") queryParams[key] = value;
  }
  const call = { deviceName: pathParam(req, "name"), commandName: pathParam(req, "command"), queryParams };
  const correlationID: unknown = res.locals.correlationId;
  return typeof correlationID === "string" && correlationID !== "" ? { ...call, correlationID } : call;
}

/** The body of a PUT: a JSON object of resource name -> value (EdgeX's SettingRequest). */
function settingsOf(body: unknown): CommandRequestPayload {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the body must be a JSON object of resource name -> value", {
      details: { bodyType: body === null ? "null" : Array.isArray(body) ? "array" : typeof body },
    });
  }
  return body as CommandRequestPayload;
}
