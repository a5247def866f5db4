import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { freePort, httpJson, portAccepts, requireBinary, startNatsServer, startProcess, waitFor } from "./index.js";

describe("test harness", function () {
  this.timeout(20_000);

  describe("requireBinary", function () {
    it("returns the path of an installed program", function () {
      assert.match(requireBinary("node", "nodejs"), /\/node$/);
    });

    it("throws for a missing program, naming the Debian package to install", function () {
      assert.throws(() => requireBinary("brink-no-such-program", "brink-fake-package"), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(err.message, "brink-no-such-program not found: install the Debian package 'brink-fake-package' (apt-get install -y brink-fake-package)");
        return true;
      });
    });
  });

  describe("freePort", function () {
    it("gives a port that can be listened on", async function () {
      const port = await freePort();
      assert.ok(port > 0 && port < 65536);
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
      assert.equal(await portAccepts(port), true);
      await new Promise((resolve) => server.close(resolve));
      assert.equal(await portAccepts(port), false);
    });
  });

  describe("startProcess", function () {
    it("waits for a stdout line, captures output, and stops with SIGTERM", async function () {
      const p = await startProcess({
        cmd: process.execPath,
        args: ["-e", "console.error('to stderr'); setTimeout(() => console.log('READY ' + process.env.GREETING), 50); setInterval(() => {}, 1000)"],
        env: { GREETING: "hello" },
        readyWhen: { stdoutMatch: /READY hello/ },
        name: "child",
      });
      assert.ok(p.pid > 0);
      assert.ok(p.running());
      assert.match(p.output(), /to stderr/);
      const exit = await p.stop();
      assert.equal(exit.signal, "SIGTERM");
      assert.equal(p.running(), false);
    });

    it("kills a process that ignores SIGTERM after the grace period", async function () {
      const p = await startProcess({
        cmd: process.execPath,
        args: ["-e", "process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)"],
        readyWhen: { stdoutMatch: /up/ },
        stopGraceMs: 200,
      });
      const exit = await p.stop();
      assert.equal(exit.signal, "SIGKILL");
    });

    it("fails with the output when the process exits before it is ready", async function () {
      await assert.rejects(
        startProcess({ cmd: process.execPath, args: ["-e", "console.error('bad config'); process.exit(3)"], readyWhen: { stdoutMatch: /never/ }, name: "quitter" }),
        (err: unknown) => err instanceof Error && /quitter/.test(err.message) && /code 3/.test(err.message) && /bad config/.test(err.message),
      );
    });

    it("fails when the process is not ready in time, and kills it", async function () {
      await assert.rejects(
        startProcess({ cmd: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"], readyWhen: { stderrMatch: /never/ }, timeoutMs: 300 }),
        (err: unknown) => err instanceof Error && /not ready within 300 ms/.test(err.message),
      );
    });

    it("fails clearly when the command does not exist", async function () {
      await assert.rejects(startProcess({ cmd: "/nonexistent/brink-cmd" }), (err: unknown) => err instanceof Error && /cannot start \/nonexistent\/brink-cmd/.test(err.message));
    });
  });

  describe("startNatsServer", function () {
    it("starts on a free port, restarts on the same port, and stops", async function () {
      const nats = await startNatsServer({ jetstream: true });
      try {
        assert.equal(nats.url, `nats://127.0.0.1:${nats.port}`);
        assert.equal(await portAccepts(nats.port), true);
        const firstPid = nats.process().pid;
        await nats.restart();
        assert.notEqual(nats.process().pid, firstPid);
        assert.equal(await portAccepts(nats.port), true);
        assert.match(nats.output(), /JetStream/);
      } finally {
        await nats.stop();
      }
      assert.equal(await portAccepts(nats.port), false);
    });
  });

  describe("waitFor", function () {
    it("resolves with the first truthy value", async function () {
      let n = 0;
      assert.equal(await waitFor(() => (++n >= 3 ? `n=${n}` : undefined), { intervalMs: 1 }), "n=3");
    });

    it("times out with the message and the predicate's last error", async function () {
      await assert.rejects(
        waitFor(() => {
          throw new Error("not yet");
        }, { timeoutMs: 50, intervalMs: 5, message: "the thing" }),
        (err: unknown) => err instanceof Error && /the thing/.test(err.message) && /not yet/.test(err.message),
      );
    });
  });

  describe("httpJson", function () {
    it("sends JSON and reads JSON with exact int64 fields, text and empty bodies", async function () {
      const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
          if (req.url === "/json") {
            res.writeHead(201, { "content-type": "application/json" });
            res.end(`{"echo":${body},"origin":1700000000000000001,"auth":${JSON.stringify(req.headers.authorization ?? "")}}`);
          } else if (req.url === "/text") {
            res.writeHead(200, { "content-type": "text/plain" });
            res.end("plain");
          } else {
            res.writeHead(204);
            res.end();
          }
        });
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      try {
        const r = await httpJson<{ echo: { origin: bigint }; origin: bigint; auth: string }>("POST", `http://127.0.0.1:${port}/json`, { origin: 1_700_000_000_000_000_002n }, { authorization: "Bearer t" });
        assert.equal(r.status, 201);
        assert.equal(r.body.origin, 1_700_000_000_000_000_001n);
        assert.equal(r.body.echo.origin, 1_700_000_000_000_000_002n);
        assert.equal(r.body.auth, "Bearer t");
        assert.equal(r.headers["content-type"], "application/json");
        assert.equal((await httpJson("GET", `http://127.0.0.1:${port}/text`)).body, "plain");
        assert.equal((await httpJson("DELETE", `http://127.0.0.1:${port}/none`)).body, undefined);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
