/**
 * Provision watchers, as EdgeX openapi/core-metadata.yaml:
 * - POST /api/v3/provisionwatcher: [AddProvisionWatcherRequest] -> 207 (201 with id, 400, 404, 409)
 * - PATCH /api/v3/provisionwatcher: [UpdateProvisionWatcherRequest] -> 207 (200, 400, 404); `discoveredDevice` is
 *   patched field by field
 * - GET /api/v3/provisionwatcher/all (offset, limit, labels): MultiProvisionWatchersResponse
 * - GET /api/v3/provisionwatcher/name/{name}: ProvisionWatcherResponse
 * - GET /api/v3/provisionwatcher/profile/name/{name}, /service/name/{name} (offset, limit): MultiProvisionWatchersResponse
 * - DELETE /api/v3/provisionwatcher/name/{name}: 200, 404
 */
import type { Request, Response, Router } from "express";
import { validateProvisionWatcher } from "@brink/contracts";
import { pathParam } from "@brink/service-kit";
import { applyPatch } from "../patch.js";
import { EntityKind } from "../store/metadata-store.js";
import { asRecord, labelsOf, mustGet, pagingOf, patchTarget, runBatch, sendOk, sendOne, sendPage, withIdentity } from "./common.js";
import type { RouteContext } from "./common.js";

const NOUN = "provision watcher";

/** Mounts the provision watcher routes. */
export function mountProvisionWatcherRoutes(router: Router, { store, config }: RouteContext): void {
  router.post("/api/v3/provisionwatcher", (req: Request, res: Response) =>
    runBatch(req, res, "provisionwatcher", 201, async (dto) => (await store.add(EntityKind.ProvisionWatcher, validateProvisionWatcher(dto))).id),
  );

  router.patch("/api/v3/provisionwatcher", (req: Request, res: Response) =>
    runBatch(req, res, "provisionwatcher", 200, async (dto) => {
      const target = patchTarget(store, EntityKind.ProvisionWatcher, asRecord(dto), NOUN);
      const merged = validateProvisionWatcher(applyPatch(target, asRecord(dto), ["discoveredDevice"]));
      await store.update(EntityKind.ProvisionWatcher, withIdentity<"provisionwatcher">(merged, target));
      return undefined;
    }),
  );

  router.get("/api/v3/provisionwatcher/all", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "provisionWatchers", store.query(EntityKind.ProvisionWatcher, { labels: labelsOf(req) }), paging);
  });

  router.get("/api/v3/provisionwatcher/name/:name", (req: Request, res: Response) => {
    sendOne(res, "provisionWatcher", mustGet(store, EntityKind.ProvisionWatcher, pathParam(req, "name"), NOUN));
  });

  router.get("/api/v3/provisionwatcher/profile/name/:name", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "provisionWatchers", store.query(EntityKind.ProvisionWatcher, { where: { profile: pathParam(req, "name") } }), paging);
  });

  router.get("/api/v3/provisionwatcher/service/name/:name", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "provisionWatchers", store.query(EntityKind.ProvisionWatcher, { where: { service: pathParam(req, "name") } }), paging);
  });

  router.delete("/api/v3/provisionwatcher/name/:name", async (req: Request, res: Response) => {
    await store.remove(EntityKind.ProvisionWatcher, pathParam(req, "name"));
    sendOk(res);
  });
}
