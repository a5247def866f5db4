/**
 * A fake core-metadata on the service kit: just enough EdgeX v3 routes, with an in-memory device list, to test
 * the clients against a real HTTP server.
 */
import { API_VERSION, ErrorCode, ErrorKind, ServiceError, type Device } from "@brink/contracts";
import type { Router } from "express";
import { pageOf, parsePaging, pathParam, sendJson, type ServiceDefinition } from "../../src/index.js";

/** What the fake saw, for assertions. */
export interface FakeState {
  devices: Map<string, Device>;
  authorization: (string | undefined)[];
  events: string[];
  pageRequests: string[];
}

export function fakeMetadata(state: FakeState): ServiceDefinition {
  return {
    name: "core-metadata",
    version: "0.0.1",
    defaultPort: 59881,
    create: () => ({
      routes(router: Router) {
        router.use((req, _res, next) => {
          state.authorization.push(req.headers.authorization);
          next();
        });
        router.get("/api/v3/device/name/:name", (req, res) => {
          const device = state.devices.get(pathParam(req, "name"));
          if (!device) throw new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `device ${pathParam(req, "name")} not found`);
          sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, device });
        });
        router.delete("/api/v3/device/name/:name", (req, res) => {
          if (!state.devices.delete(pathParam(req, "name"))) {
            // an EdgeX-style error body: no kind, no code
            sendJson(res, 404, { apiVersion: API_VERSION, statusCode: 404, message: "device not found" });
            return;
          }
          sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200 });
        });
        router.get("/api/v3/device/all", (req, res) => {
          state.pageRequests.push(req.originalUrl);
          const all = [...state.devices.values()];
          // like EdgeX's MaxResultCount, the fake answers at most 2 items a page
          const { offset, limit } = parsePaging(req);
          const page = pageOf(all, { offset, limit: limit < 0 ? 2 : Math.min(limit, 2) });
          sendJson(res, 200, { apiVersion: API_VERSION, statusCode: 200, totalCount: all.length, devices: page });
        });
        router.post("/api/v3/device", (req, res) => {
          const items = req.body as { requestId: string; device: Device }[];
          const answers = items.map(({ requestId, device }) => {
            if (!device.name) return { apiVersion: API_VERSION, requestId, statusCode: 400, message: "name is required" };
            if (state.devices.has(device.name)) return { apiVersion: API_VERSION, requestId, statusCode: 409, message: `device ${device.name} exists` };
            state.devices.set(device.name, device);
            return { apiVersion: API_VERSION, requestId, statusCode: 201, id: `id-${device.name}` };
          });
          sendJson(res, 207, answers);
        });
        router.patch("/api/v3/device", (req, res) => {
          const items = req.body as { requestId: string; device: Partial<Device> & { name: string } }[];
          sendJson(
            res,
            207,
            items.map(({ requestId, device }) => {
              const existing = state.devices.get(device.name);
              if (!existing) return { apiVersion: API_VERSION, requestId, statusCode: 404, message: "no such device" };
              state.devices.set(device.name, { ...existing, ...device });
              return { apiVersion: API_VERSION, requestId, statusCode: 200 };
            }),
          );
        });
        router.post("/api/v3/event/:profile/:device/:source", (req, res) => {
          state.events.push(`${pathParam(req, "profile")}/${pathParam(req, "device")}/${pathParam(req, "source")}`);
          const { event } = req.body as { event: { id: string; origin: bigint } };
          if (typeof event.origin !== "bigint") throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.EventInvalid, "origin lost precision");
          sendJson(res, 201, { apiVersion: API_VERSION, statusCode: 201, id: event.id, origin: event.origin });
        });
        router.get("/api/v3/slow", () => new Promise<void>(() => undefined));
        router.get("/api/v3/not-json", (_req, res) => {
          res.status(502).type("text/plain").send("bad gateway");
        });
      },
    }),
  };
}

export function newFakeState(): FakeState {
  return { devices: new Map(), authorization: [], events: [], pageRequests: [] };
}
