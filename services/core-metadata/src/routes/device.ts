/**
 * Devices, as EdgeX openapi/core-metadata.yaml:
 * - POST /api/v3/device: [AddDeviceRequest] -> 207 (201 with id, 400, 404 unknown service or profile, 409)
 * - PATCH /api/v3/device: [UpdateDeviceRequest] -> 207 (200, 400, 404); e.g. adminState LOCKED/UNLOCKED
 * - GET /api/v3/device/all (offset, limit, labels): MultiDevicesResponse
 * - GET /api/v3/device/name/{name}: DeviceResponse; GET /api/v3/device/id/{id}: DeviceResponse
 * - GET /api/v3/device/check/name/{name}: 200 or 404
 * - GET /api/v3/device/profile/name/{name}, /api/v3/device/service/name/{name} (offset, limit): MultiDevicesResponse
 * - DELETE /api/v3/device/name/{name}: 200, 404
 * EdgeX's `bypassValidation` and `force` parameters are accepted; core-metadata does not call device services to
 * validate a device, so both have nothing to change.
 */
import type { Request, Response, Router } from "express";
import { ErrorCode, ErrorKind, validateDevice } from "@brink/contracts";
import { pathParam } from "@brink/service-kit";
import { MetadataError } from "../errors.js";
import { applyPatch } from "../patch.js";
import { EntityKind } from "../store/metadata-store.js";
import { asRecord, labelsOf, mustGet, pagingOf, patchTarget, runBatch, sendOk, sendOne, sendPage, withIdentity } from "./common.js";
import type { RouteContext } from "./common.js";

const NOUN = "device";

/** Mounts the device routes. */
export function mountDeviceRoutes(router: Router, { store, config }: RouteContext): void {
  router.post("/api/v3/device", (req: Request, res: Response) =>
    runBatch(req, res, "device", 201, async (dto) => (await store.add(EntityKind.Device, validateDevice(dto))).id),
  );

  router.patch("/api/v3/device", (req: Request, res: Response) =>
    runBatch(req, res, "device", 200, async (dto) => {
      const target = patchTarget(store, EntityKind.Device, asRecord(dto), NOUN);
      const merged = validateDevice(applyPatch(target, asRecord(dto)));
      await store.update(EntityKind.Device, withIdentity<"device">(merged, target));
      return undefined;
    }),
  );

  router.get("/api/v3/device/all", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "devices", store.query(EntityKind.Device, { labels: labelsOf(req) }), paging);
  });

  router.get("/api/v3/device/name/:name", (req: Request, res: Response) => {
    sendOne(res, "device", mustGet(store, EntityKind.Device, pathParam(req, "name"), NOUN));
  });

  router.get("/api/v3/device/id/:id", (req: Request, res: Response) => {
    const id = pathParam(req, "id");
    const device = store.getById(EntityKind.Device, id);
    if (!device) throw new MetadataError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `device id "${id}" does not exist`, { details: { id } });
    sendOne(res, "device", device);
  });

  router.get("/api/v3/device/check/name/:name", (req: Request, res: Response) => {
    mustGet(store, EntityKind.Device, pathParam(req, "name"), NOUN);
    sendOk(res);
  });

  router.get("/api/v3/device/profile/name/:name", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "devices", store.query(EntityKind.Device, { where: { profile: pathParam(req, "name") } }), paging);
  });

  router.get("/api/v3/device/service/name/:name", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "devices", store.query(EntityKind.Device, { where: { service: pathParam(req, "name") } }), paging);
  });

  router.delete("/api/v3/device/name/:name", async (req: Request, res: Response) => {
    await store.remove(EntityKind.Device, pathParam(req, "name"));
    sendOk(res);
  });
}
