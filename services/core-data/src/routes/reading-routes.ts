/**
 * EdgeX v3 core-data reading routes (`/api/v3/reading/...`), as edgex-go__core-data.yaml defines them, with the
 * `numeric` and `aggregateFunc` query parameters.
 */
import type { Request, Response, Router } from "express";
import { ErrorCode, ErrorKind, ServiceError, baseResponse, type Reading } from "@brink/contracts";
import { pathParam, queryBool, queryString, sendJson } from "@brink/service-kit";
import { AggregateFunc, type ReadingFilter } from "../store/queries.js";
import type { RouteContext } from "./context.js";
import { withNumericValue } from "./numeric.js";
import { pagedQuery, readPaging, timeRange } from "./params.js";

const PREFIX = "/api/v3/reading";
const AGGREGATE_FUNCS: ReadonlySet<string> = new Set(Object.values(AggregateFunc));

function invalid(message: string, details: Record<string, unknown>): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message, { details });
}

/** `aggregateFunc`, upper-cased; undefined when absent; 400 when not MIN, MAX, COUNT, SUM or AVG. */
function aggregateFuncOf(req: Request): AggregateFunc | undefined {
  const raw = queryString(req, "aggregateFunc");
  if (raw === undefined || raw === "") return undefined;
  const func = raw.toUpperCase();
  if (!AGGREGATE_FUNCS.has(func)) throw invalid(`aggregateFunc must be one of ${[...AGGREGATE_FUNCS].join(", ")}, got ${JSON.stringify(raw)}`, { aggregateFunc: raw });
  return func as AggregateFunc;
}

/** The optional body of the device + time range query: `{ "resourceNames": ["a", "b"] }`. */
function resourceNamesOf(req: Request): string[] | undefined {
  const body: unknown = req.body;
  if (body === undefined) return undefined;
  const names = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).resourceNames : undefined;
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
    throw invalid("resourceNames must be an array of strings", { resourceNames: names });
  }
  return names as string[];
}

/** Mounts the reading routes. */
export function readingRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;

  /** Answers a reading query: aggregated when `aggregateFunc` is given, otherwise paged. */
  const answer = (req: Request, res: Response, filter: ReadingFilter): void => {
    const func = aggregateFuncOf(req);
    if (func !== undefined) {
      sendJson(res, 200, { ...baseResponse(200), aggregateFunc: func, readings: store.aggregateReadings(filter, func) });
      return;
    }
    const paging = readPaging(req, ctx.maxResultCount);
    const { totalCount, items } = pagedQuery(paging, () => store.countReadings(filter), (page) => store.readings(filter, page));
    const readings: Reading[] = queryBool(req, "numeric") ? items.map(withNumericValue) : items;
    sendJson(res, 200, { ...baseResponse(200), totalCount, readings });
  };

  router.get(`${PREFIX}/all`, (req, res) => answer(req, res, {}));

  router.get(`${PREFIX}/count`, (_req, res) => {
    sendJson(res, 200, { ...baseResponse(200), count: store.countReadings() });
  });

  router.get(`${PREFIX}/count/device/name/:name`, (req, res) => {
    sendJson(res, 200, { ...baseResponse(200), count: store.countReadings({ deviceName: pathParam(req, "name") }) });
  });

  router.get(`${PREFIX}/device/name/:name`, (req, res) => answer(req, res, { deviceName: pathParam(req, "name") }));

  router.get(`${PREFIX}/resourceName/:resourceName`, (req, res) => answer(req, res, { resourceName: pathParam(req, "resourceName") }));

  router.get(`${PREFIX}/device/name/:deviceName/resourceName/:resourceName`, (req, res) =>
    answer(req, res, { deviceName: pathParam(req, "deviceName"), resourceName: pathParam(req, "resourceName") }),
  );

  router.get(`${PREFIX}/start/:start/end/:end`, (req, res) => answer(req, res, timeRange(req)));

  router.get(`${PREFIX}/resourceName/:resourceName/start/:start/end/:end`, (req, res) =>
    answer(req, res, { resourceName: pathParam(req, "resourceName"), ...timeRange(req) }),
  );

  router.get(`${PREFIX}/device/name/:deviceName/resourceName/:resourceName/start/:start/end/:end`, (req, res) =>
    answer(req, res, { deviceName: pathParam(req, "deviceName"), resourceName: pathParam(req, "resourceName"), ...timeRange(req) }),
  );

  router.get(`${PREFIX}/device/name/:deviceName/start/:start/end/:end`, (req, res) => {
    const resourceNames = resourceNamesOf(req);
    answer(req, res, { deviceName: pathParam(req, "deviceName"), ...timeRange(req), ...(resourceNames === undefined ? {} : { resourceNames }) });
  });
}
