/**
 * EdgeX v3 core-data event routes (`/api/v3/event/...`), as edgex-go__core-data.yaml defines them.
 */
import type { Request, Response, Router } from "express";
import {
  BASE_TOPIC, ErrorCode, ErrorKind, ServiceError, ValidationError, baseResponse, escapeToken, validateAddEventRequest,
  type AddEventRequest, type Event, type Problem, type Subject,
} from "@brink/contracts";
import { pathParam, queryBool, sendJson } from "@brink/service-kit";
import { eventWithNumericValues } from "./numeric.js";
import { pagedQuery, pathNanos, readPaging, timeRange } from "./params.js";
import type { RouteContext } from "./context.js";

const PREFIX = "/api/v3/event";

/** `edgex.events.core.<profile>.<device>.<source>`: where core-data republishes events added over REST, as EdgeX. */
export function coreEventSubject(profile: string, device: string, source: string): Subject<AddEventRequest> {
  return `${BASE_TOPIC}.events.core.${escapeToken(profile)}.${escapeToken(device)}.${escapeToken(source)}`;
}

/** The event of a POST body, validated, and checked against the names in its path. */
function eventOfRequest(req: Request): AddEventRequest {
  if (req.body === undefined) {
    throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the request body (an AddEventRequest) is required");
  }
  const request = validateAddEventRequest(req.body);
  const problems: Problem[] = [];
  for (const key of ["profileName", "deviceName", "sourceName"] as const) {
    const inPath = pathParam(req, key);
    if (request.event[key] !== inPath) problems.push({ path: `event.${key}`, message: `is ${JSON.stringify(request.event[key])} but the path says ${JSON.stringify(inPath)}` });
  }
  if (problems.length > 0) throw new ValidationError(ErrorCode.EventInvalid, "event does not match its path", problems);
  return request;
}

function presentEvents(req: Request, events: Event[]): Event[] {
  return queryBool(req, "numeric") ? events.map(eventWithNumericValues) : events;
}

/** Mounts the event routes. */
export function eventRoutes(router: Router, ctx: RouteContext): void {
  const { store } = ctx;

  const addEvent = async (req: Request, res: Response): Promise<void> => {
    const request = eventOfRequest(req);
    const { event } = request;
    if (ctx.persistData) await store.insert(event);
    ctx.bus.publish(coreEventSubject(event.profileName, event.deviceName, event.sourceName), request).catch((err: unknown) => {
      ctx.logger.warn({ err, eventId: event.id }, "could not republish an event added over REST");
    });
    sendJson(res, 201, { ...baseResponse(201, request.requestId), id: event.id });
  };
  // EdgeX v3.1+ puts the device service name first; v3.0 (and Brink's DataClient) leave it out.
  router.post(`${PREFIX}/:serviceName/:profileName/:deviceName/:sourceName`, addEvent);
  router.post(`${PREFIX}/:profileName/:deviceName/:sourceName`, addEvent);

  router.get(`${PREFIX}/all`, (req, res) => {
    const paging = readPaging(req, ctx.maxResultCount);
    const { totalCount, items } = pagedQuery(paging, () => store.countEvents(), (page) => store.events({}, page));
    sendJson(res, 200, { ...baseResponse(200), totalCount, events: presentEvents(req, items) });
  });

  router.get(`${PREFIX}/count`, (_req, res) => {
    sendJson(res, 200, { ...baseResponse(200), count: store.countEvents() });
  });

  router.get(`${PREFIX}/count/device/name/:name`, (req, res) => {
    sendJson(res, 200, { ...baseResponse(200), count: store.countEvents({ deviceName: pathParam(req, "name") }) });
  });

  router.get(`${PREFIX}/id/:id`, (req, res) => {
    const id = pathParam(req, "id");
    const event = store.eventById(id);
    if (event === undefined) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no event with id ${id}`, { details: { id } });
    const [shown] = presentEvents(req, [event]);
    sendJson(res, 200, { ...baseResponse(200), event: shown });
  });

  router.delete(`${PREFIX}/id/:id`, (req, res) => {
    const id = pathParam(req, "id");
    if (!store.deleteEventById(id)) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `no event with id ${id}`, { details: { id } });
    sendJson(res, 200, baseResponse(200));
  });

  router.get(`${PREFIX}/device/name/:name`, (req, res) => {
    const filter = { deviceName: pathParam(req, "name") };
    const paging = readPaging(req, ctx.maxResultCount);
    const { totalCount, items } = pagedQuery(paging, () => store.countEvents(filter), (page) => store.events(filter, page));
    sendJson(res, 200, { ...baseResponse(200), totalCount, events: presentEvents(req, items) });
  });

  router.delete(`${PREFIX}/device/name/:name`, async (req, res) => {
    const deviceName = pathParam(req, "name");
    const removed = await store.deleteByDevice(deviceName);
    ctx.logger.info({ deviceName, ...removed }, "deleted the events and readings of a device");
    sendJson(res, 202, baseResponse(202));
  });

  router.get(`${PREFIX}/start/:start/end/:end`, (req, res) => {
    const filter = timeRange(req);
    const paging = readPaging(req, ctx.maxResultCount);
    const { totalCount, items } = pagedQuery(paging, () => store.countEvents(filter), (page) => store.events(filter, page));
    sendJson(res, 200, { ...baseResponse(200), totalCount, events: presentEvents(req, items) });
  });

  router.delete(`${PREFIX}/age/:age`, async (req, res) => {
    const age = pathNanos(req, "age");
    if (age < 0n) throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "age must not be negative", { details: { age: age.toString() } });
    const removed = await store.deleteByAge(age);
    ctx.logger.info({ ageNs: age, ...removed }, "deleted events and readings by age");
    sendJson(res, 202, baseResponse(202));
  });
}
