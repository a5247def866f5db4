/**
 * Device profiles, as EdgeX openapi/core-metadata.yaml:
 * - POST /api/v3/deviceprofile: [AddDeviceProfileRequest] -> 207 (201 with id, 400, 409)
 * - PUT /api/v3/deviceprofile: [UpdateDeviceProfileRequest] -> 207 (200, 400, 404); 423 when strict
 * - POST /api/v3/deviceprofile/uploadfile (multipart `file`, YAML): 201 with id, 400 (problems with lines), 409
 * - PUT /api/v3/deviceprofile/uploadfile: 200, 400, 404, 423 when strict
 * - PATCH /api/v3/deviceprofile/basicinfo: [DeviceProfileBasicInfoRequest] -> 207 (200, 400, 404)
 * - GET /api/v3/deviceprofile/all, /basicinfo/all (offset, limit, labels)
 * - GET /api/v3/deviceprofile/name/{name}; DELETE the same (409 while devices or provision watchers use it)
 * - GET /api/v3/deviceprofile/manufacturer/{m}, /model/{m}, /manufacturer/{m}/model/{m} (offset, limit)
 * - GET /api/v3/deviceresource/profile/{profileName}/resource/{resourceName}: DeviceResourceResponse
 */
import type { Request, Response, Router } from "express";
import { API_VERSION, ErrorCode, ErrorKind, baseResponse, parseProfile, validateProfile } from "@brink/contracts";
import type { DeviceProfile } from "@brink/contracts";
import { pathParam, readMultipartFile, sendJson } from "@brink/service-kit";
import { MetadataError, MetadataErrorCode } from "../errors.js";
import { applyPatch } from "../patch.js";
import { EntityKind } from "../store/metadata-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import type { StoredDeviceProfile } from "../store/document.js";
import { asRecord, labelsOf, mustGet, pagingOf, patchTarget, runBatch, sendOk, sendOne, sendPage, withIdentity } from "./common.js";
import type { RouteContext } from "./common.js";

const NOUN = "device profile";

/** Fields a basic info update may change. */
const BASIC_INFO_FIELDS = ["description", "manufacturer", "model", "labels"] as const;

function locked(what: string, option: string): MetadataError {
  return new MetadataError(ErrorKind.ServiceLocked, MetadataErrorCode.ProfileLocked, `device profile ${what} is not allowed while ${option} is on`, {
    details: { option },
  });
}

/** EdgeX DeviceProfileBasicInfo of a profile, with its number of devices. */
function basicInfoOf(store: MetadataStore, p: StoredDeviceProfile): Record<string, unknown> {
  const info: Record<string, unknown> = { id: p.id, name: p.name };
  for (const key of BASIC_INFO_FIELDS) if (p[key] !== undefined) info[key] = p[key];
  info.linkedDeviceCount = store.count(EntityKind.Device, "profile", p.name);
  return info;
}

/** Mounts the device profile and device resource routes. */
export function mountDeviceProfileRoutes(router: Router, { store, config }: RouteContext): void {
  const assertChangesAllowed = (): void => {
    if (config.strictDeviceProfileChanges) throw locked("change", "strictDeviceProfileChanges");
  };
  const update = async (profile: DeviceProfile): Promise<void> => {
    await store.update(EntityKind.DeviceProfile, profile);
  };

  router.post("/api/v3/deviceprofile", (req: Request, res: Response) =>
    runBatch(req, res, "profile", 201, async (dto) => (await store.add(EntityKind.DeviceProfile, validateProfile(dto))).id),
  );

  router.put("/api/v3/deviceprofile", (req: Request, res: Response) => {
    assertChangesAllowed();
    return runBatch(req, res, "profile", 200, async (dto) => {
      await update(validateProfile(dto));
      return undefined;
    });
  });

  router.post("/api/v3/deviceprofile/uploadfile", async (req: Request, res: Response) => {
    const file = await readMultipartFile(req, "file");
    const added = await store.add(EntityKind.DeviceProfile, parseProfile(file.text));
    sendJson(res, 201, { ...baseResponse(201), id: added.id });
  });

  router.put("/api/v3/deviceprofile/uploadfile", async (req: Request, res: Response) => {
    const file = await readMultipartFile(req, "file");
    assertChangesAllowed();
    await update(parseProfile(file.text));
    sendOk(res);
  });

  router.patch("/api/v3/deviceprofile/basicinfo", (req: Request, res: Response) =>
    runBatch(req, res, "basicinfo", 200, async (dto) => {
      const info = asRecord(dto);
      const target = patchTarget(store, EntityKind.DeviceProfile, info, NOUN);
      const fields: Record<string, unknown> = {};
      for (const key of BASIC_INFO_FIELDS) if (info[key] !== undefined) fields[key] = info[key];
      await update(withIdentity<"deviceprofile">(validateProfile(applyPatch(target, fields)), target));
      return undefined;
    }),
  );

  router.get("/api/v3/deviceprofile/all", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "profiles", store.query(EntityKind.DeviceProfile, { labels: labelsOf(req) }), paging);
  });

  router.get("/api/v3/deviceprofile/basicinfo/all", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "profiles", store.query(EntityKind.DeviceProfile, { labels: labelsOf(req) }), paging, (p) => basicInfoOf(store, p));
  });

  router.get("/api/v3/deviceprofile/name/:name", (req: Request, res: Response) => {
    sendOne(res, "profile", mustGet(store, EntityKind.DeviceProfile, pathParam(req, "name"), NOUN));
  });

  router.delete("/api/v3/deviceprofile/name/:name", async (req: Request, res: Response) => {
    const name = pathParam(req, "name");
    mustGet(store, EntityKind.DeviceProfile, name, NOUN);
    if (config.strictDeviceProfileDeletes) throw locked("deletion", "strictDeviceProfileDeletes");
    await store.remove(EntityKind.DeviceProfile, name);
    sendOk(res);
  });

  router.get("/api/v3/deviceprofile/manufacturer/:manufacturer/model/:model", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    const where = { manufacturer: pathParam(req, "manufacturer"), model: pathParam(req, "model") };
    sendPage(res, "profiles", store.query(EntityKind.DeviceProfile, { where }), paging);
  });

  router.get("/api/v3/deviceprofile/manufacturer/:manufacturer", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "profiles", store.query(EntityKind.DeviceProfile, { where: { manufacturer: pathParam(req, "manufacturer") } }), paging);
  });

  router.get("/api/v3/deviceprofile/model/:model", (req: Request, res: Response) => {
    const paging = pagingOf(req, config.maxResultCount);
    sendPage(res, "profiles", store.query(EntityKind.DeviceProfile, { where: { model: pathParam(req, "model") } }), paging);
  });

  router.get("/api/v3/deviceresource/profile/:profileName/resource/:resourceName", (req: Request, res: Response) => {
    const profile = mustGet(store, EntityKind.DeviceProfile, pathParam(req, "profileName"), NOUN);
    const resourceName = pathParam(req, "resourceName");
    const resource = (profile.deviceResources ?? []).find((r) => r.name === resourceName);
    if (!resource) {
      throw new MetadataError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `device resource "${resourceName}" does not exist in profile "${profile.name}"`, {
        details: { profileName: profile.name, resourceName },
      });
    }
    sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, resource });
  });
}
