import assert from "node:assert/strict";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { InProcessBus } from "@brink/bus";
import type { ServiceError } from "@brink/contracts";
import { ServiceKitErrorCode, createLogger, runUntilSignal, startService, stopAll, type RunningService } from "../src/index.js";
import { LogSink, newProbe, startTestService, testDefinition } from "./support/service.js";

/** Resolves true when something accepts TCP connections on the port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const quietLogger = () => createLogger({ level: "silent", destination: new LogSink() });

describe("startService", () => {
  it("listens on a free port when asked for port 0 and starts the component", async () => {
    const probe = newProbe();
    const service = await startTestService(probe);
    try {
      assert.ok(service.port > 0);
      assert.equal(service.url, `http://127.0.0.1:${service.port}`);
      assert.equal(service.name, "core-data");
      assert.equal(probe.started, 1);
      assert.equal((await fetch(`${service.url}/api/v3/ping`)).status, 200);
    } finally {
      await service.stop();
    }
  });

  it("stops the component, then closes the port, even with an idle keep-alive connection", async () => {
    const probe = newProbe();
    const service = await startTestService(probe);
    const socket = connect(service.port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const closed = new Promise((r) => socket.once("close", r));
    socket.on("data", () => undefined);
    socket.write(`GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    await new Promise((r) => socket.once("data", r));
    await service.stop();
    await closed;
    assert.equal(probe.stopped, 1);
    assert.equal(probe.stopForce, false);
    assert.equal(await isListening(service.port), false);
    await service.stop();
    assert.equal(probe.stopped, 1, "a second stop does nothing more");
  });

  it("passes force to the component", async () => {
    const probe = newProbe();
    const service = await startTestService(probe);
    await service.stop({ force: true });
    assert.equal(probe.stopForce, true);
    assert.equal(await isListening(service.port), false);
  });

  it("closes the server and rethrows when the component fails to start", async () => {
    const probe = newProbe();
    probe.failStart = true;
    const port = await freePort();
    await assert.rejects(startTestService(probe, { overrides: { service: { port } } }), (err: ServiceError) => err.code === "TEST_START_FAILED");
    assert.equal(probe.started, 1);
    assert.equal(await isListening(port), false);
  });

  it("fails with LISTEN_FAILED when the port is taken, before starting the component", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const { port } = blocker.address() as AddressInfo;
    const probe = newProbe();
    try {
      await assert.rejects(startTestService(probe, { overrides: { service: { port } } }), (err: ServiceError) => err.code === ServiceKitErrorCode.ListenFailed);
      assert.equal(probe.started, 0);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it("rejects an invalid config before creating anything", async () => {
    let created = false;
    const def = { ...testDefinition(newProbe()), create: () => ((created = true), {}) };
    await assert.rejects(
      startService(def, { bus: new InProcessBus(), env: { BRINK_SERVICE_PORT: "x" }, logger: quietLogger() }),
      (err: ServiceError) => err.code === "CONFIG_INVALID",
    );
    assert.equal(created, false);
  });

  it("gives the component its context: config, child logger, bus and metrics registry", async () => {
    const sink = new LogSink();
    const bus = new InProcessBus();
    let seen: { name?: string; bus?: unknown; port?: number; hasRegistry?: boolean } = {};
    const def = {
      ...testDefinition(newProbe(), "core-metadata"),
      create: (ctx: Parameters<ReturnType<typeof testDefinition>["create"]>[0]) => {
        seen = { name: ctx.name, bus: ctx.bus, port: ctx.config.service.port, hasRegistry: typeof ctx.metrics.metrics === "function" };
        ctx.logger.info("hello");
        return {};
      },
    };
    const service = await startService(def, { bus, env: {}, overrides: { service: { port: 0 } }, logger: createLogger({ destination: sink }) });
    await service.stop();
    assert.deepEqual(seen, { name: "core-metadata", bus, port: 0, hasRegistry: true });
    assert.ok(sink.lines.some((l) => l.msg === "hello" && l.service === "core-metadata"));
  });
});

/** A RunningService double that records stop calls. */
function fakeService(name: string, log: string[], behaviour: "ok" | "fail" | "hang" = "ok"): RunningService {
  return {
    name,
    port: 1,
    url: "http://127.0.0.1:1",
    stop: (options) => {
      log.push(`${name}${options?.force ? ":force" : ""}`);
      if (behaviour === "fail") return Promise.reject(new Error("stop failed"));
      if (behaviour === "hang" && !options?.force) return new Promise(() => undefined);
      return Promise.resolve();
    },
  };
}

describe("stopAll and runUntilSignal", () => {
  it("stops services in reverse order", async () => {
    const log: string[] = [];
    const ok = await stopAll([fakeService("a", log), fakeService("b", log), fakeService("c", log)], { logger: quietLogger() });
    assert.equal(ok, true);
    assert.deepEqual(log, ["c", "b", "a"]);
  });

  it("forces a service that misses the deadline and reports failure", async () => {
    const log: string[] = [];
    const ok = await stopAll([fakeService("a", log), fakeService("b", log, "hang")], { logger: quietLogger(), deadlineMs: 20 });
    assert.equal(ok, false);
    assert.deepEqual(log, ["b", "b:force", "a"]);
  });

  it("on the signal stops all services in reverse, runs onStopped, and exits 0", async () => {
    const log: string[] = [];
    let code: number | undefined;
    const exited = new Promise<void>((resolve) => {
      const dispose = runUntilSignal([fakeService("a", log), fakeService("b", log)], {
        logger: quietLogger(),
        signals: ["SIGUSR2"],
        onStopped: async () => {
          log.push("bus closed");
        },
        exit: (c) => {
          code = c;
          dispose();
          resolve();
        },
      });
    });
    process.emit("SIGUSR2", "SIGUSR2");
    await exited;
    assert.equal(code, 0);
    assert.deepEqual(log, ["b", "a", "bus closed"]);
  });

  it("exits non-zero when a stop fails, still stopping the others", async () => {
    const log: string[] = [];
    let code: number | undefined;
    const exited = new Promise<void>((resolve) => {
      const dispose = runUntilSignal([fakeService("a", log), fakeService("b", log, "fail")], {
        logger: quietLogger(),
        signals: ["SIGUSR2"],
        exit: (c) => {
          code = c;
          dispose();
          resolve();
        },
      });
    });
    process.emit("SIGUSR2", "SIGUSR2");
    await exited;
    assert.equal(code, 1);
    assert.deepEqual(log, ["b", "a"]);
  });

  it("stops real services so their ports close", async () => {
    const services = [await startTestService(newProbe()), await startTestService(newProbe())];
    const ok = await stopAll(services, { logger: quietLogger() });
    assert.equal(ok, true);
    for (const s of services) assert.equal(await isListening(s.port), false);
  });
});

