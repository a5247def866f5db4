/**
 * The docs' example driver, run through the conformance suite against a real HTTP peer (a small sensor server).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Device, DeviceProfile } from "@brink/contracts";
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { freePort } from "../../../../test/harness/index.js";
import { HttpJsonDriver } from "./http-json-driver.js";

/** A sensor: GET /<name> answers { value }, PUT /<name> { value } stores it. */
function startSensor(): Promise<Server> {
  const registers = new Map<string, unknown>([
    ["/temperature", 21.5],
    ["/uptime", "9007199254740993"],
    ["/setpoint", 20],
    ["/enabled", true],
  ]);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!registers.has(req.url ?? "")) {
        res.writeHead(404).end();
        return;
      }
      if (req.method === "PUT") registers.set(req.url!, (JSON.parse(Buffer.concat(chunks).toString()) as { value: unknown }).value);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: registers.get(req.url!) }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const profile: DeviceProfile = {
  name: "http-sensor",
  deviceResources: [
    { name: "temperature", properties: { valueType: "Float32", readWrite: "R", units: "degC" }, attributes: { path: "/temperature" } },
    { name: "uptime", properties: { valueType: "Uint64", readWrite: "R" }, attributes: { path: "/uptime" } },
    { name: "setpoint", properties: { valueType: "Float64", readWrite: "RW" }, attributes: { path: "/setpoint" } },
    { name: "enabled", properties: { valueType: "Bool", readWrite: "RW" }, attributes: { path: "/enabled" } },
  ],
};

function device(name: string, baseUrl: string): Device {
  return { name, adminState: "UNLOCKED", operatingState: "UP", serviceName: "device-http", profileName: "http-sensor", protocols: { http: { baseUrl } } };
}

describe("docs example: HttpJsonDriver against a real HTTP sensor", () => {
  let server: Server;
  const sensor: Device = device("sensor-1", "http://127.0.0.1:1");
  const gone: Device = device("sensor-gone", "http://127.0.0.1:1");

  before(async () => {
    server = await startSensor();
    sensor.protocols.http!.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // a free port: nobody listens there, so the driver must reject
    gone.protocols.http!.baseUrl = `http://127.0.0.1:${await freePort()}`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  driverConformanceSuite({
    name: "HttpJsonDriver (docs example)",
    createDriver: () => new HttpJsonDriver(),
    device: sensor,
    profile,
    readable: ["temperature", "uptime", "setpoint", "enabled"],
    writable: [
      { resource: "setpoint", value: 22.25 },
      { resource: "enabled", value: false },
    ],
    unreachableDevice: gone,
    unreachableTimeoutMs: 5000,
  });
});
