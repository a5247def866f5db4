/**
 * The console's own API, under `/api/console/` (behind the token when one is set): the device list, health, profile
 * checks, and the live streams.
 */
import type { Request, Response, Router } from "express";
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, type DeviceProfile } from "@brink/contracts";
import { pathParam, sendJson, type HttpClient, type MetadataClient } from "@brink/service-kit";
import type { MessageBus } from "@brink/bus";
import { deviceList } from "./devices.js";
import { ConsoleErrorCode } from "./errors.js";
import { healthReport } from "./health.js";
import type { LiveHub } from "./live-hub.js";
import type { PeerDirectory } from "./peers.js";
import { checkProfileText, profileYaml } from "./profiles.js";
import { SseStream } from "./sse.js";

/** Path prefix of the console's own API. */
export const CONSOLE_API = "/api/console";

/** What the routes need. */
export interface ConsoleRoutesOptions {
  readonly metadata: MetadataClient;
  readonly data: HttpClient;
  readonly peers: PeerDirectory;
  readonly hub: LiveHub;
  readonly bus: MessageBus;
  readonly apiToken: string | undefined;
  readonly streamQueueFrames: number;
  readonly heartbeatMs: number;
  readonly maxStreams: number;
  readonly maxStreamDevices: number;
}

/** The `device` query parameters of a reading stream, each possibly a comma-separated list. */
function devicesOf(req: Request, max: number): string[] {
  const raw = req.query.device;
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === "string");
  const devices = [...new Set(values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== ""))];
  if (devices.length === 0) throw new ServiceError(ErrorKind.ContractInvalid, ConsoleErrorCode.StreamInvalid, "name at least one device: ?device=<name>");
  if (devices.length > max) {
    throw new ServiceError(ErrorKind.ContractInvalid, ConsoleErrorCode.StreamInvalid, `a stream follows at most ${max} devices, ${devices.length} asked`, {
      details: { max, asked: devices.length },
    });
  }
  return devices;
}

/** Mounts the routes. */
export function mountConsoleRoutes(router: Router, o: ConsoleRoutesOptions): void {
  const openStream = (res: Response): SseStream => {
    if (o.hub.streamCount >= o.maxStreams) {
      throw new ServiceError(ErrorKind.ServiceUnavailable, ConsoleErrorCode.StreamLimit, `${o.maxStreams} live streams are open already; close one and retry`, {
        details: { maxStreams: o.maxStreams },
      });
    }
    return new SseStream(res, { queueFrames: o.streamQueueFrames, heartbeatMs: o.heartbeatMs });
  };

  router.get(`${CONSOLE_API}/devices`, async (_req, res) => {
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, ...(await deviceList(o.metadata, o.data)) });
  });

  router.get(`${CONSOLE_API}/health`, async (_req, res) => {
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, ...(await healthReport(o.peers, o.bus, o.apiToken)) });
  });

  router.post(`${CONSOLE_API}/profile/validate`, (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== "string") {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "send the profile's YAML text as the body, with a text or YAML content type");
    }
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, ...checkProfileText(body) });
  });

  router.get(`${CONSOLE_API}/profile/:name/yaml`, async (req, res) => {
    const profile: DeviceProfile = await o.metadata.getProfile(pathParam(req, "name"));
    res.status(200).type("application/yaml; charset=utf-8").send(profileYaml(profile));
  });

  router.get(`${CONSOLE_API}/stream/readings`, (req, res) => {
    const devices = devicesOf(req, o.maxStreamDevices);
    o.hub.watchReadings(openStream(res), devices);
  });

  router.get(`${CONSOLE_API}/stream/devices`, (_req, res) => {
    o.hub.watchDeviceList(openStream(res));
  });

  router.get(`${CONSOLE_API}/stream/discovery/:service`, (req, res) => {
    o.hub.watchDiscovery(openStream(res), pathParam(req, "service"));
  });
}
