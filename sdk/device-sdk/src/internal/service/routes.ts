/**
 * The device service's REST API (EdgeX device-sdk OpenAPI, /api/v3): commands, discovery and profile scan. The kit
 * adds ping, version, config and metrics. Every route goes through the command pipeline or the discovery runner.
 */
import { randomUUID } from "node:crypto";
import type { Router } from "express";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, type Event } from "@brink/contracts";
import { parseJsonBody, pathParam, queryString, sendJson } from "@brink/service-kit";
import type { Logger } from "pino";
import type { ProtocolDriver } from "../../driver.js";
import { isDeviceInspector, isProfileScanner } from "../../driver.js";
import { DeviceSdkError, DeviceSdkErrorCode } from "../../errors.js";
import type { DeviceCache } from "../cache/device-cache.js";
import type { DiscoveryRunner } from "../discovery/discovery-runner.js";
import type { CommandPipeline } from "../pipeline/command-pipeline.js";
import type { ProfileScanMetadata } from "./profile-scan.js";
import { runProfileScan } from "./profile-scan.js";

/** What the routes need. */
export interface RoutesOptions {
  readonly pipeline: CommandPipeline;
  readonly driver: ProtocolDriver;
  readonly cache: DeviceCache;
  /** Undefined when the driver cannot discover. */
  readonly discovery: DiscoveryRunner | undefined;
  readonly metadata: ProfileScanMetadata;
  readonly serviceLocked: () => boolean;
  readonly logger: Logger;
}

function requestIdOf(body: unknown): string {
  const id = body !== null && typeof body === "object" ? (body as { requestId?: unknown }).requestId : undefined;
  return typeof id === "string" && id !== "" ? id : randomUUID();
}

function locked(): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.ServiceLocked, DeviceSdkErrorCode.Locked, "the device service is locked");
}

function notImplemented(code: DeviceSdkErrorCode, message: string): DeviceSdkError {
  return new DeviceSdkError(ErrorKind.NotImplemented, code, message);
}

/** Mounts the routes. */
export function mountRoutes(router: Router, o: RoutesOptions): void {
  const commandPath = "/api/v3/device/name/:name/:command";

  router.get(commandPath, async (req, res) => {
    const returnEvent = queryString(req, "ds-returnevent") !== "false";
    const event: Event | undefined = await o.pipeline.executeRead(pathParam(req, "name"), pathParam(req, "command"), {
      pushEvent: queryString(req, "ds-pushevent") === "true",
      returnEvent,
      regexCmd: queryString(req, "ds-regexcmd") !== "false",
    });
    sendJson(res, 200, event === undefined ? { apiVersion: API_VERSION, statusCode: 200 } : { apiVersion: API_VERSION, statusCode: 200, event });
  });

  router.put(commandPath, async (req, res) => {
    // EdgeX reads the settings as JSON whatever the content type (curl -d sends form-urlencoded)
    const body: unknown = typeof req.body === "string" ? parseJsonBody(req.body) : req.body;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the body must be a JSON object of settings (resource name -> value)");
    }
    await o.pipeline.executeWrite(pathParam(req, "name"), pathParam(req, "command"), body as Record<string, unknown>);
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200 });
  });

  /** The discovery runner; 501 DISCOVERY_NOT_SUPPORTED when the driver cannot discover. */
  const discovery = (): DiscoveryRunner => {
    if (o.discovery === undefined) throw notImplemented(DeviceSdkErrorCode.DiscoveryNotSupported, "this device service cannot discover devices");
    return o.discovery;
  };

  router.post("/api/v3/discovery", (req, res) => {
    const runner = discovery();
    if (o.serviceLocked()) throw locked();
    const requestId = requestIdOf(req.body);
    if (runner.running) throw new DeviceSdkError(ErrorKind.ServiceUnavailable, DeviceSdkErrorCode.DiscoveryRunning, "a device discovery is already running");
    runner.trigger(requestId).catch((err: unknown) => {
      if (err instanceof DeviceSdkError && err.code === DeviceSdkErrorCode.DiscoveryCancelled) o.logger.info({ requestId }, "device discovery cancelled");
      else o.logger.error({ err, requestId }, "device discovery failed");
    });
    sendJson(res, 202, { apiVersion: API_VERSION, requestId, statusCode: 202, message: "Device Discovery is triggered" });
  });

  // EdgeX: DELETE stops the discovery in progress (200 whether or not one runs); the requestId form answers 404 when
  // the id is not the running one's.
  router.delete("/api/v3/discovery", (_req, res) => {
    const runner = discovery();
    const stopped = runner.requestId;
    const cancelled = runner.cancel();
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, ...(cancelled ? { message: `discovery ${stopped} cancelled` } : { message: "no discovery is running" }) });
  });
  router.delete("/api/v3/discovery/requestId/:requestId", (req, res) => {
    const runner = discovery();
    const requestId = pathParam(req, "requestId");
    if (!runner.cancel(requestId)) {
      throw new DeviceSdkError(ErrorKind.EntityDoesNotExist, DeviceSdkErrorCode.DiscoveryNotFound, `no discovery with request id ${requestId} is running`, { details: { requestId } });
    }
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, message: `discovery ${requestId} cancelled` });
  });

  router.get("/api/v3/driver/device/name/:name", async (req, res) => {
    const driver = o.driver;
    if (!isDeviceInspector(driver)) throw notImplemented(DeviceSdkErrorCode.DeviceInspectionNotSupported, "this driver cannot describe devices");
    const name = pathParam(req, "name");
    const device = o.cache.device(name);
    if (device === undefined) throw new DeviceSdkError(ErrorKind.EntityDoesNotExist, DeviceSdkErrorCode.DeviceNotFound, `device ${name} not found`);
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, deviceName: name, driver: await driver.inspectDevice(device) });
  });

  router.post("/api/v3/profilescan", (req, res) => {
    const driver = o.driver;
    if (!isProfileScanner(driver)) throw notImplemented(DeviceSdkErrorCode.ProfileScanNotSupported, "this device service cannot scan profiles");
    if (o.serviceLocked()) throw locked();
    const body = (req.body ?? {}) as { deviceName?: unknown; profileName?: unknown; options?: unknown };
    if (typeof body.deviceName !== "string" || body.deviceName === "") {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "deviceName is required");
    }
    const device = o.cache.device(body.deviceName);
    if (device === undefined) throw new DeviceSdkError(ErrorKind.EntityDoesNotExist, DeviceSdkErrorCode.DeviceNotFound, `device ${body.deviceName} not found`);
    if (device.adminState === "LOCKED") throw locked();
    const profileName = typeof body.profileName === "string" && body.profileName !== "" ? body.profileName : `${device.name}_profile_${Math.floor(Date.now() / 1000)}`;
    const options = body.options !== null && typeof body.options === "object" ? (body.options as Record<string, unknown>) : undefined;
    const requestId = requestIdOf(req.body);
    runProfileScan(driver, device, { profileName, ...(options === undefined ? {} : { options }) }, o.metadata).then(
      () => o.logger.info({ requestId, device: device.name, profile: profileName }, "profile scan done"),
      (err: unknown) => o.logger.error({ err, requestId, device: device.name }, "profile scan failed"),
    );
    sendJson(res, 202, { apiVersion: API_VERSION, requestId, statusCode: 202, message: "Device ProfileScan is triggered" });
  });
}
