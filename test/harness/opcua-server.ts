/**
 * A real OPC UA server for tests and benchmarks, run in a child process (node-opcua's server) so a test can kill,
 * restart it on the same port with the same certificate, and ask it what it sees.
 *
 * Address space (namespace `urn:brink:test-server:nodes` is ns=2, Prosys' simulation namespace is ns=3):
 * - `ns=2;s=Scalars.<Type>`: one writable variable per scalar DataType (Boolean, SByte, Byte, Int16, UInt16, Int32,
 *   UInt32, Int64, UInt64, Float, Double, String, DateTime, ByteString, Guid, LocalizedText);
 * - `ns=2;s=Arrays.<Type>`: one writable array variable per numeric type, Boolean and String;
 * - `ns=2;s=ReadOnly.Int32` (read only), `ns=2;s=Status.Uncertain` (UncertainInitialValue),
 *   `ns=2;s=Status.Bad` (BadSensorFailure), `ns=2;g=...` and `ns=2;b=...` (GUID and opaque node ids);
 * - `ns=2;s=Methods` with `ns=2;s=Methods.Multiply` (Double a, Double b -> Double) and `ns=2;s=Methods.Reset`;
 * - `ns=3;i=1001` Constant (Double, writable), `ns=3;i=1002` Counter (Int32), `ns=3;i=1003` Random (Double): the
 *   nodes of EdgeX's OPCUA-Server reference profile (Prosys simulation server);
 * - `ns=2;s=Bench.<nnnn>`: `benchNodes` Double variables, changed every `tickMs` when ticking.
 * Endpoints: None, and Basic256Sha256 and Aes128_Sha256_RsaOaep with Sign and SignAndEncrypt. Users: anonymous, and
 * the username/password pairs of `users`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ISessionContext, UAVariable, Variant } from "node-opcua";
import { freePort } from "./ports.js";

/** Options of {@link startOpcuaServer}. */
export interface OpcuaServerOptions {
  /** TCP port. @default a free port */
  port?: number;
  /** Folder of the server's PKI (its certificate survives restarts). @default a new temporary folder */
  pkiDir?: string;
  /** username -> password. @default { operator: "secret" } */
  users?: Record<string, string>;
  /** Number of `Bench.<nnnn>` Double variables. @default 0 */
  benchNodes?: number;
  /** Period of the changes of Counter, Random and the Bench variables, ms; 0 for none. @default 100 */
  tickMs?: number;
  /** minimumSamplingInterval of every variable, ms. @default 50 */
  minimumSamplingIntervalMs?: number;
  /** Allow security mode None. @default true */
  allowNone?: boolean;
}

/** What the server reports about its clients. */
export interface OpcuaServerStats {
  sessions: number;
  subscriptions: number;
  monitoredItems: number;
  /** Service requests received since start or the last reset, by request type name (`ReadRequest`, ...). */
  requests: Record<string, number>;
  /** Changes made by the ticker since start or the last reset (every variable change counts once). */
  ticks: number;
}

/** A running test server. */
export interface OpcuaServer {
  readonly port: number;
  /** `opc.tcp://127.0.0.1:<port>/UA/Brink` */
  readonly endpoint: string;
  readonly pkiDir: string;
  /** The server certificate (PEM file): copy it into a client's trusted folder to trust the server. */
  readonly certificateFile: string;
  readonly pid: number;
  stats(): Promise<OpcuaServerStats>;
  resetStats(): Promise<void>;
  /** Sets a variable's value (as the server's own process would), `dataType` a node-opcua DataType name. */
  setValue(nodeId: string, dataType: string, value: unknown): Promise<void>;
  /** Stops ticking (`true`) or resumes it. */
  pause(paused: boolean): Promise<void>;
  /** SIGKILLs the server (a crash), leaving the port free. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and PKI (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** Stops the server; removes the PKI folder when the harness created it. */
  stop(): Promise<void>;
}

interface ServerConfig {
  port: number;
  pkiDir: string;
  users: Record<string, string>;
  benchNodes: number;
  tickMs: number;
  minimumSamplingIntervalMs: number;
  allowNone: boolean;
}

type ToChild = { id: number; op: "stats" | "reset" | "pause" | "set"; nodeId?: string; dataType?: string; value?: unknown; paused?: boolean };
type FromChild = { type: "ready"; certificateFile: string } | { type: "reply"; id: number; result?: unknown; error?: string } | { type: "error"; error: string };

const SELF = fileURLToPath(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const live = new Set<ChildProcess>();
let netInstalled = false;

function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Starts the server in a child process and resolves when it listens. */
export async function startOpcuaServer(options: OpcuaServerOptions = {}): Promise<OpcuaServer> {
  installSafetyNet();
  const ownPki = options.pkiDir === undefined;
  const config: ServerConfig = {
    port: options.port ?? (await freePort()),
    pkiDir: options.pkiDir ?? mkdtempSync(join(tmpdir(), "brink-opcua-server-pki-")),
    users: options.users ?? { operator: "secret" },
    benchNodes: options.benchNodes ?? 0,
    tickMs: options.tickMs ?? 100,
    minimumSamplingIntervalMs: options.minimumSamplingIntervalMs ?? 50,
    allowNone: options.allowNone ?? true,
  };
  let child: ChildProcess | undefined;
  let certificateFile = "";
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const launch = async (): Promise<void> => {
    let output = "";
    const c = fork(SELF, [], {
      cwd: REPO_ROOT,
      execArgv: ["--import", "tsx"],
      env: { ...process.env, BRINK_OPCUA_TEST_SERVER: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    live.add(c);
    c.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    c.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    c.on("message", (m: FromChild) => {
      if (m.type !== "reply") return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    c.once("exit", () => {
      live.delete(c);
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error("the OPC UA test server exited"));
      }
    });
    child = c;
    certificateFile = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`OPC UA test server not ready in 30 s\n${output}`)), 30_000);
      c.on("message", (m: FromChild) => {
        if (m.type === "ready") {
          clearTimeout(timer);
          resolve(m.certificateFile);
        } else if (m.type === "error") {
          clearTimeout(timer);
          reject(new Error(`OPC UA test server failed: ${m.error}\n${output}`));
        }
      });
      c.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`OPC UA test server exited (code ${code}, signal ${signal}) before it was ready\n${output}`));
      });
    }).catch(async (err: unknown) => {
      c.kill("SIGKILL");
      throw err;
    });
  };

  const call = (msg: Omit<ToChild, "id">): Promise<unknown> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return Promise.reject(new Error("the OPC UA test server is not running"));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      c.send({ ...msg, id });
    });
  };

  const end = (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      c.once("exit", () => resolve());
      c.kill(signal);
      setTimeout(() => c.kill("SIGKILL"), 5000).unref();
    });
  };

  await launch();
  return {
    port: config.port,
    endpoint: `opc.tcp://127.0.0.1:${config.port}/UA/Brink`,
    pkiDir: config.pkiDir,
    get certificateFile() {
      return certificateFile;
    },
    get pid() {
      return child?.pid ?? -1;
    },
    stats: async () => (await call({ op: "stats" })) as OpcuaServerStats,
    resetStats: async () => void (await call({ op: "reset" })),
    setValue: async (nodeId, dataType, value) => void (await call({ op: "set", nodeId, dataType, value })),
    pause: async (paused) => void (await call({ op: "pause", paused })),
    kill: () => end("SIGKILL"),
    restart: async () => {
      await end("SIGKILL");
      await launch();
    },
    stop: async () => {
      await end("SIGTERM");
      if (ownPki) rmSync(config.pkiDir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] === SELF && process.env.BRINK_OPCUA_TEST_SERVER !== undefined) {
  runServer(JSON.parse(process.env.BRINK_OPCUA_TEST_SERVER) as ServerConfig).catch((err: unknown) => {
    process.send?.({ type: "error", error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
}

/** The child process: builds the address space and answers the parent's messages. node-opcua loads only here. */
async function runServer(config: ServerConfig): Promise<void> {
  const ua = await import("node-opcua");
  const { DataType, Variant, VariantArrayType, StatusCodes, MessageSecurityMode, SecurityPolicy } = ua;
  const certificateManager = new ua.OPCUACertificateManager({ rootFolder: config.pkiDir, automaticallyAcceptUnknownCertificate: true });
  await certificateManager.initialize();
  const server = new ua.OPCUAServer({
    port: config.port,
    hostname: "127.0.0.1",
    resourcePath: "/UA/Brink",
    serverCertificateManager: certificateManager,
    securityPolicies: [...(config.allowNone ? [SecurityPolicy.None] : []), SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep],
    securityModes: [...(config.allowNone ? [MessageSecurityMode.None] : []), MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
    userManager: { isValidUser: (user: string, password: string) => config.users[user] === password },
    nodeset_filename: [ua.nodesets.standard],
    serverInfo: { applicationUri: "urn:brink:test-server", productUri: "urn:brink:test-server", applicationName: { text: "Brink OPC UA test server" } },
    buildInfo: { productName: "Brink OPC UA test server", buildNumber: "1", manufacturerName: "Brink" },
    serverCapabilities: { maxSessions: 200, operationLimits: { maxNodesPerRead: 20_000, maxNodesPerWrite: 20_000, maxMonitoredItemsPerCall: 20_000, maxNodesPerBrowse: 20_000 } },
    maxConnectionsPerEndpoint: 200,
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  const ns = addressSpace.registerNamespace("urn:brink:test-server:nodes");
  const sim = addressSpace.registerNamespace("http://www.prosysopc.com/OPCUA/SimulationNodes/");
  const objects = addressSpace.rootFolder.objects;
  const minimumSamplingInterval = config.minimumSamplingIntervalMs;
  const RW = "CurrentRead | CurrentWrite";
  type Parent = Parameters<typeof ns.addFolder>[0];
  type VariantValue = ConstructorParameters<typeof Variant>[0];

  const addVar = (parent: Parent, nodeId: string, browseName: string, dataType: string, value: VariantValue, access = RW, valueRank = -1) =>
    ns.addVariable({
      componentOf: parent as never,
      nodeId,
      browseName,
      dataType,
      valueRank,
      accessLevel: access,
      userAccessLevel: access,
      minimumSamplingInterval,
      value: new Variant(value),
    });

  const root = ns.addFolder(objects, { browseName: "Brink", nodeId: "s=Brink" });
  const scalars = ns.addFolder(root, { browseName: "Scalars", nodeId: "s=Scalars" });
  const int64 = (v: bigint): [number, number] => [Number((BigInt.asUintN(64, v) >> 32n) & 0xffffffffn), Number(BigInt.asUintN(64, v) & 0xffffffffn)];
  const SCALARS: [string, number, unknown][] = [
    ["Boolean", DataType.Boolean, true],
    ["SByte", DataType.SByte, -5],
    ["Byte", DataType.Byte, 200],
    ["Int16", DataType.Int16, -1234],
    ["UInt16", DataType.UInt16, 54_321],
    ["Int32", DataType.Int32, -123_456],
    ["UInt32", DataType.UInt32, 4_000_000_000],
    ["Int64", DataType.Int64, int64(-9_007_199_254_740_993n)],
    ["UInt64", DataType.UInt64, int64(18_446_744_073_709_551_615n)],
    ["Float", DataType.Float, 1.5],
    ["Double", DataType.Double, -2.25e100],
    ["String", DataType.String, "hello"],
    ["DateTime", DataType.DateTime, new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))],
    ["ByteString", DataType.ByteString, Buffer.from([0, 1, 2, 254, 255])],
    ["Guid", DataType.Guid, "72962B91-FA75-4AE6-8D28-B404DC7DAF63"],
    ["LocalizedText", DataType.LocalizedText, { text: "Grüße", locale: "de" }],
  ];
  for (const [name, dataType, value] of SCALARS) {
    addVar(scalars, `s=Scalars.${name}`, name, DataType[dataType]!, { dataType, arrayType: VariantArrayType.Scalar, value });
  }

  const arrays = ns.addFolder(root, { browseName: "Arrays", nodeId: "s=Arrays" });
  const ARRAYS: [string, number, unknown[]][] = [
    ["Boolean", DataType.Boolean, [true, false, true]],
    ["SByte", DataType.SByte, [-128, 0, 127]],
    ["Byte", DataType.Byte, [0, 128, 255]],
    ["Int16", DataType.Int16, [-32_768, 0, 32_767]],
    ["UInt16", DataType.UInt16, [0, 65_535]],
    ["Int32", DataType.Int32, [-2_147_483_648, 0, 2_147_483_647]],
    ["UInt32", DataType.UInt32, [0, 4_294_967_295]],
    ["Int64", DataType.Int64, [int64(-1n), int64(9_223_372_036_854_775_807n)]],
    ["UInt64", DataType.UInt64, [int64(0n), int64(18_446_744_073_709_551_615n)]],
    ["Float", DataType.Float, [1.5, -0.25]],
    ["Double", DataType.Double, [1e-300, -2.5, 0]],
    ["String", DataType.String, ["a", "b", "c"]],
  ];
  for (const [name, dataType, value] of ARRAYS) {
    addVar(arrays, `s=Arrays.${name}`, name, DataType[dataType]!, { dataType, arrayType: VariantArrayType.Array, value }, RW, 1);
  }

  const special = ns.addFolder(root, { browseName: "Special", nodeId: "s=Special" });
  addVar(special, "s=ReadOnly.Int32", "ReadOnlyInt32", "Int32", { dataType: DataType.Int32, value: 42 }, "CurrentRead");
  const uncertain = addVar(special, "s=Status.Uncertain", "Uncertain", "Double", { dataType: DataType.Double, value: 7.5 }, "CurrentRead");
  uncertain.setValueFromSource({ dataType: DataType.Double, value: 7.5 }, StatusCodes.UncertainInitialValue);
  const bad = addVar(special, "s=Status.Bad", "Bad", "Double", { dataType: DataType.Double, value: 0 }, "CurrentRead");
  bad.setValueFromSource({ dataType: DataType.Double, value: 0 }, StatusCodes.BadSensorFailure);
  addVar(special, "g=5C2A4D10-8B1E-4F6A-9C3D-2E7F1A0B9C88", "GuidNode", "Int32", { dataType: DataType.Int32, value: 11 });
  addVar(special, `b=${Buffer.from("brink-opaque").toString("base64")}`, "OpaqueNode", "Int32", { dataType: DataType.Int32, value: 22 });

  const methods = ns.addObject({ organizedBy: root, browseName: "Methods", nodeId: "s=Methods" });
  const multiply = ns.addMethod(methods, {
    browseName: "Multiply",
    nodeId: "s=Methods.Multiply",
    inputArguments: [
      { name: "a", dataType: DataType.Double, valueRank: -1 },
      { name: "b", dataType: DataType.Double, valueRank: -1 },
    ],
    outputArguments: [{ name: "product", dataType: DataType.Double, valueRank: -1 }],
  });
  multiply.bindMethod(async (inputs: Variant[], _context: ISessionContext) => ({
    statusCode: StatusCodes.Good,
    outputArguments: [{ dataType: DataType.Double, value: Number(inputs[0]!.value) * Number(inputs[1]!.value) }],
  }));
  let resets = 0;
  const reset = ns.addMethod(methods, {
    browseName: "Reset",
    nodeId: "s=Methods.Reset",
    inputArguments: [],
    outputArguments: [{ name: "resets", dataType: DataType.UInt32, valueRank: -1 }],
  });
  reset.bindMethod(async (_inputs: Variant[], _context: ISessionContext) => ({ statusCode: StatusCodes.Good, outputArguments: [{ dataType: DataType.UInt32, value: ++resets }] }));

  // EdgeX's OPCUA-Server reference profile addresses Prosys' simulation server: ns=3;i=1001..1003.
  const simulation = sim.addFolder(objects, { browseName: "Simulation", nodeId: "i=1000" });
  const simVar = (id: number, name: string, dataType: string, value: VariantValue, access: string) =>
    sim.addVariable({ componentOf: simulation as never, nodeId: `i=${id}`, browseName: name, dataType, accessLevel: access, userAccessLevel: access, minimumSamplingInterval, value: new Variant(value) });
  simVar(1001, "Constant", "Double", { dataType: DataType.Double, value: 1.5 }, RW);
  const counter = simVar(1002, "Counter", "Int32", { dataType: DataType.Int32, value: 0 }, "CurrentRead");
  const random = simVar(1003, "Random", "Double", { dataType: DataType.Double, value: 0 }, "CurrentRead");

  const benchFolder = ns.addFolder(root, { browseName: "Bench", nodeId: "s=Bench" });
  const bench = Array.from({ length: config.benchNodes }, (_, i) => {
    const name = String(i).padStart(4, "0");
    return addVar(benchFolder, `s=Bench.${name}`, `B${name}`, "Double", { dataType: DataType.Double, value: 0 }, "CurrentRead");
  });

  let requests: Record<string, number> = {};
  let ticks = 0;
  let paused = false;
  server.on("request", (request: { schema?: { name?: string } }) => {
    const name = request.schema?.name ?? "unknown";
    requests[name] = (requests[name] ?? 0) + 1;
  });
  let count = 0;
  if (config.tickMs > 0) {
    setInterval(() => {
      if (paused) return;
      count++;
      counter.setValueFromSource({ dataType: DataType.Int32, value: count });
      random.setValueFromSource({ dataType: DataType.Double, value: Math.random() });
      for (const v of bench) v.setValueFromSource({ dataType: DataType.Double, value: count });
      ticks += 2 + bench.length;
    }, config.tickMs);
  }

  process.on("message", (m: ToChild) => {
    const reply = (result?: unknown, error?: string) => process.send?.({ type: "reply", id: m.id, result, error });
    try {
      switch (m.op) {
        case "stats": {
          let subscriptions = 0;
          let monitoredItems = 0;
          for (const session of server.engine.getSessions()) {
            for (const s of session.publishEngine.subscriptions) {
              subscriptions++;
              monitoredItems += s.monitoredItemCount;
            }
          }
          reply({ sessions: server.currentSessionCount, subscriptions, monitoredItems, requests, ticks } satisfies OpcuaServerStats);
          return;
        }
        case "reset":
          requests = {};
          ticks = 0;
          reply();
          return;
        case "pause":
          paused = m.paused === true;
          reply();
          return;
        case "set": {
          const node = addressSpace.findNode(m.nodeId!);
          if (node === null || node.nodeClass !== ua.NodeClass.Variable) throw new Error(`no variable ${m.nodeId}`);
          const dataType = DataType[m.dataType as keyof typeof DataType] as number;
          (node as UAVariable).setValueFromSource({ dataType, value: m.value });
          reply();
          return;
        }
      }
    } catch (err) {
      reply(undefined, err instanceof Error ? err.message : String(err));
    }
  });
  process.on("SIGTERM", () => {
    server.shutdown(0).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });

  await server.start();
  process.send?.({ type: "ready", certificateFile: server.certificateFile });
}
