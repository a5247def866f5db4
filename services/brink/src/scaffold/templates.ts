/**
 * Files of a scaffolded driver package, apart from the driver itself (copied from the worked example of
 * docs/writing-a-driver.md, sdk/device-sdk/test/example/http-json-driver.ts).
 */

/** Names and paths a template is filled with. */
export interface ScaffoldNames {
  /** Short name, `acme`. */
  readonly name: string;
  /** Service name, `device-acme`. */
  readonly service: string;
  /** Package name, `@brink/device-acme`. */
  readonly pkg: string;
  /** Driver class, `AcmeDriver`. */
  readonly driverClass: string;
  /** Exported ServiceDefinition, `deviceAcmeService`. */
  readonly definition: string;
  readonly port: number;
  /** Relative path from the package to the repository root, `../..`. */
  readonly root: string;
}

export function packageJson(n: ScaffoldNames): string {
  return `${JSON.stringify(
    {
      name: n.pkg,
      version: "0.1.0",
      private: true,
      license: "Apache-2.0",
      type: "module",
      exports: { ".": { "brink-src": "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" } },
      scripts: { build: "tsc -b", test: "mocha 'test/**/*.test.ts'", start: "node dist/main.js" },
      dependencies: { "@brink/bus": "0.1.0", "@brink/contracts": "0.1.0", "@brink/device-sdk": "0.1.0", "@brink/service-kit": "0.1.0" },
    },
    null,
    2,
  )}\n`;
}

export function tsconfigJson(n: ScaffoldNames): string {
  const refs = ["contracts", "bus", "service-kit", "device-sdk"].map((p) => ({ path: `${n.root}/sdk/${p}` }));
  return `${JSON.stringify(
    {
      extends: `${n.root}/tsconfig.base.json`,
      compilerOptions: { rootDir: "src", outDir: "dist", tsBuildInfoFile: "dist/.tsbuildinfo" },
      include: ["src"],
      references: refs,
    },
    null,
    2,
  )}\n`;
}

export function mocharc(): string {
  return `${JSON.stringify({ "node-option": ["conditions=brink-src", "import=tsx"], extension: ["ts"], timeout: 20000, exit: true }, null, 2)}\n`;
}

export function serviceTs(n: ScaffoldNames): string {
  return `/**
 * ${n.service}: the ${n.driverClass} as an EdgeX-compatible device service. Profiles and devices in ../profiles and
 * ../devices are registered with core-metadata at start.
 */
import { fileURLToPath } from "node:url";
import { createDeviceService } from "@brink/device-sdk";
import { ${n.driverClass} } from "./driver.js";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The device service definition; runs embedded or alone (see main.ts). */
export const ${n.definition} = createDeviceService({
  name: "${n.service}",
  version: "0.1.0",
  defaultPort: ${n.port},
  driver: () => new ${n.driverClass}(),
  profilesDir: here("../profiles/"),
  devicesDir: here("../devices/"),
});
`;
}

export function mainTs(n: ScaffoldNames): string {
  return `/**
 * Runs ${n.service} alone on NATS: BRINK_BUS_URL (default nats://127.0.0.1:4222), config file as the first argument.
 */
import { NatsBus } from "@brink/bus";
import { createLogger, runUntilSignal, startService } from "@brink/service-kit";
import { ${n.definition} } from "./service.js";

const logger = createLogger();
const bus = new NatsBus({ servers: process.env.BRINK_BUS_URL ?? "nats://127.0.0.1:4222", name: "${n.service}", logger });
await bus.connect();
const service = await startService(${n.definition}, { bus, logger, configFile: process.argv[2] });
runUntilSignal([service], { logger, onStopped: () => bus.close() });
`;
}

export function indexTs(n: ScaffoldNames): string {
  return `export { ${n.driverClass} } from "./driver.js";
export { ${n.definition} } from "./service.js";
`;
}

export function profileYaml(n: ScaffoldNames): string {
  return `# An EdgeX v3 device profile for ${n.service}'s example sensor: each resource names its HTTP endpoint.
name: ${n.name}-sensor
manufacturer: Acme
model: JSON-1
labels: [${n.name}]
deviceResources:
  - name: temperature
    properties: { valueType: Float32, readWrite: R, units: degC }
    attributes: { path: /temperature }
  - name: setpoint
    properties: { valueType: Float64, readWrite: RW, minimum: 5, maximum: 35, units: degC }
    attributes: { path: /setpoint }
  - name: enabled
    properties: { valueType: Bool, readWrite: RW }
    attributes: { path: /enabled }
deviceCommands:
  - name: climate
    readWrite: R
    resourceOperations: [{ deviceResource: temperature }, { deviceResource: setpoint }]
  - name: power
    readWrite: RW
    resourceOperations: [{ deviceResource: enabled, mappings: { "true": "ON", "false": "OFF" } }]
`;
}

export function devicesYaml(n: ScaffoldNames): string {
  return `# Devices of ${n.service}; serviceName is filled in by the service. Point baseUrl at your sensor.
deviceList:
  - name: ${n.name}-sensor-1
    profileName: ${n.name}-sensor
    protocols:
      http: { baseUrl: "http://127.0.0.1:8080" }
    autoEvents:
      - { interval: 10s, sourceName: climate }
`;
}

export function driverTestTs(n: ScaffoldNames): string {
  return `/**
 * ${n.driverClass} against a real HTTP sensor, through the SDK's driver conformance suite.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Device, DeviceProfile } from "@brink/contracts";
import { driverConformanceSuite } from "@brink/device-sdk/testing";
import { ${n.driverClass} } from "../src/driver.js";

/** The peer: GET /<path> answers { value }, PUT /<path> { value } stores it. */
function startSensor(): Promise<Server> {
  const registers = new Map<string, unknown>([["/temperature", 21.5], ["/setpoint", 20], ["/enabled", true]]);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!registers.has(req.url ?? "")) return void res.writeHead(404).end();
      if (req.method === "PUT") registers.set(req.url!, (JSON.parse(Buffer.concat(chunks).toString()) as { value: unknown }).value);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: registers.get(req.url!) }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** A port nobody listens on: bind, read, close. */
function deadPort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) => probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  }));
}

const profile: DeviceProfile = {
  name: "${n.name}-sensor",
  deviceResources: [
    { name: "temperature", properties: { valueType: "Float32", readWrite: "R" }, attributes: { path: "/temperature" } },
    { name: "setpoint", properties: { valueType: "Float64", readWrite: "RW" }, attributes: { path: "/setpoint" } },
    { name: "enabled", properties: { valueType: "Bool", readWrite: "RW" }, attributes: { path: "/enabled" } },
  ],
};

function device(name: string): Device {
  return { name, adminState: "UNLOCKED", operatingState: "UP", serviceName: "${n.service}", profileName: profile.name, protocols: { http: { baseUrl: "http://127.0.0.1:1" } } };
}

describe("${n.driverClass} against a real HTTP sensor", () => {
  let server: Server;
  const sensor = device("sensor-1");
  const gone = device("sensor-gone");

  before(async () => {
    server = await startSensor();
    sensor.protocols.http!.baseUrl = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
    gone.protocols.http!.baseUrl = \`http://127.0.0.1:\${await deadPort()}\`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  driverConformanceSuite({
    name: "${n.driverClass}",
    createDriver: () => new ${n.driverClass}(),
    device: sensor,
    profile,
    readable: ["temperature", "setpoint", "enabled"],
    writable: [{ resource: "setpoint", value: 22.25 }, { resource: "enabled", value: false }],
    unreachableDevice: gone,
    unreachableTimeoutMs: 5000,
  });
});
`;
}

export function readme(n: ScaffoldNames): string {
  return `# ${n.service}

A Brink device service, scaffolded by \`brink new driver ${n.name}\`. It starts as the worked example of
docs/writing-a-driver.md: sensors that answer JSON over HTTP. Replace \`src/driver.ts\` with your protocol.

\`\`\`sh
npm install                 # from the repository root: links this workspace package
npx tsc -b ${n.root === "../.." ? `services/${n.service}` : "."}      # build
npm test                    # in this folder: the SDK's conformance suite against a real HTTP sensor
BRINK_BUS_URL=nats://127.0.0.1:4222 npm start   # run alone on NATS (port ${n.port})
\`\`\`
`;
}
