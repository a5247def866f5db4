/**
 * Device services, as EdgeX openapi/core-metadata.yaml:
 * - POST /api/v3/deviceservice: [AddDeviceServiceRequest] -> 207 (201 with id, 400, 409)
 * - PATCH /api/v3/deviceservice: [UpdateDeviceServiceRequest] -> 207 (200, 400, 404)
 * - GET /api/v3/deviceservice/all (offset, limit, labels): MultiDeviceServicesResponse
 * - GET /api/v3/deviceservice/name/{name}: DeviceServiceResponse
 * - DELETE /api/v3/deviceservice/name/{name}: 200, 404, 409 (devices or provision watchers use it)
 */
import type { Request, Response, Router } from "express";
import { validateDeviceService } from "@brink/contracts";
import { pathParam } from "@brink/service-kit";
import { applyPatch } from "../patch.js";
import { EntityKind } from "../store/metadata-store.js";
import { asRecord, labelsOf, mustGet, pagingOf, patchTarget, runBatch, sendOk, sendOne, sendPage, withIdentity } from "./common.js";
import type { RouteContext } from "./common.js";

const NOUN = "device service";

/** Mounts the device service routes. */
export function mountDeviceServiceRoutes(router: Router, { store, config }: RouteContext): void {
  router.post("/api/v3/deviceservice", (req: Request, res: Response) =>
    runBatch(req, res, "service", 201, async (dto) => (await store.add(EntityKind.DeviceService, validateDeviceService(dto))).id),
  );

  router.patch("/api/v3/deviceservice", (req: Request, res: Response) =>
    runBatch(req, res, "service", 200, async (dto) => {
      const target = patchTarget(store, EntityKind.DeviceService, asRecord(dto), NOUN);
      const merged = validateDeviceService(applyPatch(target, asRecord(dto)));
      await store.update(EntityKind.DeviceService, withIdentity<"deviceservice">(merged, target));
      return undefined;
    }),
  );

  router.get("/api/v3/deviceservice/all", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "services", store.query(EntityKind.DeviceService, { labels: labelsOf(req) }), paging);
  });

  router.get("/api/v3/deviceservice/name/:name", (req: Request, res: Response) => {
    sendOne(res, "service", mustGet(store, EntityKind.DeviceService, pathParam(req, "name"), NOUN));
  });

  router.delete("/api/v3/deviceservice/name/:name", async (req: Request, res: Response) => {
    await store.remove(EntityKind.DeviceService, pathParam(req, "name"));
    sendOk(res);
  });
}
