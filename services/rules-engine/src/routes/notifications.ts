/**
 * Notification and subscription REST API, after EdgeX's support-notifications:
 * - POST /api/v3/notification (batch `[{ apiVersion, notification }]`, 207)
 * - GET /api/v3/notification/all (offset, limit, and filters category, label, status, severity)
 * - GET /api/v3/notification/id/{id}, /category/{category}, /label/{label}, /status/{status}
 * - PUT /api/v3/notification/acknowledge/ids/{ids}, PUT /api/v3/notification/unacknowledge/ids/{ids} (comma-separated)
 * - DELETE /api/v3/notification/id/{id}
 * - POST /api/v3/subscription (batch `[{ apiVersion, subscription }]`, 207), PUT /api/v3/subscription/name/{name}
 * - GET /api/v3/subscription/all (offset, limit), GET /api/v3/subscription/name/{name}, DELETE /api/v3/subscription/name/{name}
 */
import { randomUUID } from "node:crypto";
import type { Request, Response, Router } from "express";
import { ErrorCode, ErrorKind, ServiceError, baseResponse, nowNanos } from "@brink/contracts";
import { pageOf, parsePaging, pathParam, queryString, sendJson } from "@brink/service-kit";
import type { NotificationCenter } from "../notifications/center.js";
import { NotificationStatus, type Subscription } from "../notifications/types.js";
import { validateNotification, validateSubscription } from "../notifications/validate.js";
import { Severity } from "../rule/types.js";
import type { DocumentStore } from "../store/document-store.js";
import type { NotificationFilter } from "../store/notification-store.js";
import { requestInvalid, runBatch } from "./common.js";

/** What the notification routes use. */
export interface NotificationRoutesContext {
  readonly center: NotificationCenter;
  readonly store: DocumentStore;
  /** Called after a subscription is added, replaced or deleted (delivery targets follow). */
  readonly onSubscriptionsChanged: () => void;
}

const STATUSES: readonly string[] = Object.values(NotificationStatus);
const SEVERITIES: readonly string[] = Object.values(Severity);

function status(text: string): NotificationStatus {
  const upper = text.toUpperCase();
  if (!STATUSES.includes(upper)) throw requestInvalid(`status must be one of ${STATUSES.join(", ")}`);
  return upper as NotificationStatus;
}

function filterOf(req: Request): NotificationFilter {
  const filter: { -readonly [K in keyof NotificationFilter]: NotificationFilter[K] } = {};
  const category = queryString(req, "category");
  const label = queryString(req, "label");
  const s = queryString(req, "status");
  const severity = queryString(req, "severity");
  if (category) filter.category = category;
  if (label) filter.label = label;
  if (s) filter.status = status(s);
  if (severity) {
    if (!SEVERITIES.includes(severity)) throw requestInvalid(`severity must be one of ${SEVERITIES.join(", ")}`);
    filter.severity = severity;
  }
  return filter;
}

function subscriptionNotFound(name: string): ServiceError {
  return new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `subscription ${name} does not exist`, { details: { name } });
}

/** Mounts the routes on `router` (full paths). */
export function mountNotificationRoutes(router: Router, ctx: NotificationRoutesContext): void {
  // ctx.center is read at each request: the service builds it after mounting the routes.
  const { store } = ctx;

  router.post("/api/v3/notification", async (req: Request, res: Response) => {
    await runBatch(req, res, "notification", async (dto) => (await ctx.center.create(validateNotification(dto))).id);
  });

  const list = (req: Request, res: Response, filter: NotificationFilter): void => {
    const paging = parsePaging(req);
    const page = ctx.center.list(filter, paging.offset, paging.limit);
    sendJson(res, 200, { ...baseResponse(200), totalCount: page.totalCount, notifications: page.items });
  };
  router.get("/api/v3/notification/all", (req: Request, res: Response) => list(req, res, filterOf(req)));
  router.get("/api/v3/notification/category/:category", (req: Request, res: Response) => list(req, res, { category: pathParam(req, "category") }));
  router.get("/api/v3/notification/label/:label", (req: Request, res: Response) => list(req, res, { label: pathParam(req, "label") }));
  router.get("/api/v3/notification/status/:status", (req: Request, res: Response) => list(req, res, { status: status(pathParam(req, "status")) }));

  router.get("/api/v3/notification/id/:id", (req: Request, res: Response) => {
    sendJson(res, 200, { ...baseResponse(200), notification: ctx.center.get(pathParam(req, "id")) });
  });

  for (const [path, acknowledged] of [["acknowledge", true], ["unacknowledge", false]] as const) {
    router.put(`/api/v3/notification/${path}/ids/:ids`, (req: Request, res: Response) => {
      const ids = pathParam(req, "ids").split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (ids.length === 0) throw requestInvalid("ids must list at least one notification id");
      ctx.center.acknowledge(ids, acknowledged);
      sendJson(res, 200, baseResponse(200));
    });
  }

  router.delete("/api/v3/notification/id/:id", (req: Request, res: Response) => {
    ctx.center.delete(pathParam(req, "id"));
    sendJson(res, 200, baseResponse(200));
  });

  const saveSubscription = async (dto: unknown, replace: boolean, expectedName?: string): Promise<{ id: string; created: boolean }> => {
    const input = validateSubscription(dto);
    if (expectedName !== undefined && input.name !== expectedName) throw requestInvalid(`the body's name must be ${JSON.stringify(expectedName)}, the name in the path`);
    const previous = store.subscription(input.name);
    if (previous && !replace) {
      throw new ServiceError(ErrorKind.DuplicateName, ErrorCode.DuplicateName, `subscription ${input.name} exists already`, { details: { name: input.name } });
    }
    const now = nowNanos();
    const sub: Subscription = { ...input, adminState: input.adminState ?? "UNLOCKED", id: previous?.id ?? randomUUID(), created: previous?.created ?? now, modified: now };
    await store.putSubscription(sub);
    ctx.onSubscriptionsChanged();
    return { id: sub.id, created: previous === undefined };
  };

  router.post("/api/v3/subscription", async (req: Request, res: Response) => {
    await runBatch(req, res, "subscription", async (dto) => (await saveSubscription(dto, false)).id);
  });

  router.put("/api/v3/subscription/name/:name", async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown> | undefined;
    const dto = body && body.subscription !== undefined && body.name === undefined ? body.subscription : body;
    const result = await saveSubscription(dto, true, pathParam(req, "name"));
    const code = result.created ? 201 : 200;
    sendJson(res, code, { ...baseResponse(code), id: result.id });
  });

  router.get("/api/v3/subscription/all", (req: Request, res: Response) => {
    const all = store.subscriptions();
    sendJson(res, 200, { ...baseResponse(200), totalCount: all.length, subscriptions: pageOf(all, parsePaging(req)) });
  });

  router.get("/api/v3/subscription/name/:name", (req: Request, res: Response) => {
    const name = pathParam(req, "name");
    const sub = store.subscription(name);
    if (!sub) throw subscriptionNotFound(name);
    sendJson(res, 200, { ...baseResponse(200), subscription: sub });
  });

  router.delete("/api/v3/subscription/name/:name", async (req: Request, res: Response) => {
    const name = pathParam(req, "name");
    if (!(await store.deleteSubscription(name))) throw subscriptionNotFound(name);
    ctx.onSubscriptionsChanged();
    sendJson(res, 200, baseResponse(200));
  });
}
