/**
 * TLS on the bus, as docs/deployment.md (Security) tells a user to set it up: docker/nats/nats.conf with its `tls`
 * block uncommented (the certificate, key and CA paths pointed at a throwaway CA's files), JetStream on, the token
 * required; the services (`brink run`) reach it at a `tls://` URL and trust the private CA through
 * NODE_EXTRA_CA_CERTS. Readings must flow from device-virtual into core-data through JetStream over TLS; a client
 * that does not trust the CA, or that will not do TLS, must be refused.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort, httpJson, makeTestCerts, startNatsServer, startProcess, waitFor, type NatsServer, type TestCerts } from "../harness/index.js";
import { BRINK_BIN, BRINK_LAUNCHER_ENV, BRINK_NODE_FLAGS, REPO_ROOT, startBrink, tempDataDir } from "../e2e/brink-process.js";

const TOKEN = "7tls-test-token";

/** docker/nats/nats.conf with its tls block uncommented and pointed at `certs`. */
function natsConfWithTls(certs: TestCerts): string {
  const text = readFileSync(join(REPO_ROOT, "docker/nats/nats.conf"), "utf8");
  const block = /^# tls \{\n(?:#.*\n)*?# \}\n?/m.exec(text);
  assert.ok(block, "docker/nats/nats.conf has a commented tls block");
  const tls = block[0]
    .replace(/^# ?/gm, "")
    .replace("/etc/nats/tls/server.pem", certs.serverCertFile)
    .replace("/etc/nats/tls/server-key.pem", certs.serverKeyFile)
    .replace("/etc/nats/tls/ca.pem", certs.caFile);
  assert.doesNotMatch(tls, /\/etc\/nats/, "every path of the tls block is replaced");
  return text.replace(block[0], tls);
}

/** The first line a NATS server sends on a plain TCP connection (its INFO), parsed. */
async function serverInfo(port: number): Promise<Record<string, unknown>> {
  const socket = net.connect(port, "127.0.0.1");
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buf = "";
      socket.on("data", (d) => {
        buf += d.toString("utf8");
        if (buf.includes("\r\n")) resolve(buf.slice(0, buf.indexOf("\r\n")));
      });
      socket.on("error", reject);
    });
    assert.match(line, /^INFO /);
    return JSON.parse(line.slice(5)) as Record<string, unknown>;
  } finally {
    socket.destroy();
  }
}

describe("NATS with TLS, configured as docs/deployment.md says", function () {
  this.timeout(90_000);
  let dir: string;
  let certs: TestCerts;
  let nats: NatsServer;
  let tlsUrl: string;
  const procs: Array<{ stop(): Promise<unknown> }> = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "brink-nats-tls-"));
    certs = makeTestCerts(dir);
    const conf = join(dir, "nats.conf");
    writeFileSync(conf, natsConfWithTls(certs));
    nats = await startNatsServer({ configFile: conf, jetstream: true, args: ["-m", String(await freePort())], env: { BRINK_GATEWAY: "tls-test", BRINK_BUS_TOKEN: `"${TOKEN}"` } });
    tlsUrl = `tls://127.0.0.1:${nats.port}`;
    const streams = spawnSync(process.execPath, [join(REPO_ROOT, "docker/nats/apply-streams.mjs"), "edge", "--server", tlsUrl], {
      encoding: "utf8",
      env: { ...process.env, BRINK_BUS_TOKEN: TOKEN, BRINK_GATEWAY: "tls-test", NODE_EXTRA_CA_CERTS: certs.caFile },
    });
    assert.equal(streams.status, 0, `apply-streams over TLS: ${streams.stderr}`);
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("requires TLS of every client", async () => {
    const info = await serverInfo(nats.port);
    assert.equal(info.tls_required, true);
    assert.equal(info.auth_required, true);
  });

  it("refuses a client that does not trust the server's CA, and one that does but will not do TLS", async () => {
    await assert.rejects(connect({ servers: tlsUrl, token: TOKEN, reconnect: false, timeout: 5000 }), (err: Error) => /certificate|self[- ]signed|verify/i.test(`${err.message} ${String(err.cause)}`));
    const plain = await connect({ servers: `nats://127.0.0.1:${nats.port}`, token: TOKEN, reconnect: false, timeout: 5000, tls: null }).then(
      async (nc) => {
        await nc.close();
        return "connected";
      },
      (err: Error) => err.message,
    );
    assert.notEqual(plain, "connected");
    const trusting = await connect({ servers: tlsUrl, token: TOKEN, reconnect: false, tls: { caFile: certs.caFile } });
    await trusting.flush();
    await trusting.close();
  });

  it("carries readings from device-virtual into core-data through JetStream when the services trust the CA", async () => {
    const ports = { metadata: await freePort(), data: await freePort(), virtual: await freePort() };
    const env = {
      BRINK_BUS_URL: tlsUrl,
      BRINK_BUS_TOKEN: TOKEN,
      NODE_EXTRA_CA_CERTS: certs.caFile,
      BRINK_DATA_DIR: tempDataDir("brink-nats-tls-"),
      BRINK_CORE_METADATA_SERVICE_PORT: String(ports.metadata),
      BRINK_CORE_DATA_SERVICE_PORT: String(ports.data),
      BRINK_DEVICE_VIRTUAL_SERVICE_PORT: String(ports.virtual),
      BRINK_CLIENTS_CORE_METADATA_URL: `http://127.0.0.1:${ports.metadata}`,
      BRINK_CLIENTS_CORE_DATA_URL: `http://127.0.0.1:${ports.data}`,
      BRINK_CORE_DATA_INGEST_JETSTREAM_ENABLED: "true",
    };
    procs.push(await startBrink(["run", "core-metadata"], env, ports.metadata, "core-metadata (TLS)"));
    procs.push(await startBrink(["run", "core-data"], env, ports.data, "core-data (TLS)"));
    procs.push(await startBrink(["run", "device-virtual"], env, ports.virtual, "device-virtual (TLS)"));
    const count = async (): Promise<number> => (await httpJson<{ count: number }>("GET", `http://127.0.0.1:${ports.data}/api/v3/event/count`)).body.count;
    await waitFor(async () => (await count()) >= 5, { timeoutMs: 30_000, intervalMs: 250, message: "events from device-virtual in core-data over TLS" });
  });

  it("stops a service that does not trust the CA with an error naming the certificate", async () => {
    const port = await freePort();
    const handle = await startProcess({
      name: "core-metadata (no CA)",
      cmd: process.execPath,
      args: [...BRINK_NODE_FLAGS, BRINK_BIN, "run", "core-metadata"],
      env: { ...BRINK_LAUNCHER_ENV, BRINK_BUS_URL: tlsUrl, BRINK_BUS_TOKEN: TOKEN, BRINK_DATA_DIR: tempDataDir("brink-nats-tls-"), BRINK_CORE_METADATA_SERVICE_PORT: String(port), NODE_EXTRA_CA_CERTS: undefined, BRINK_LOG_LEVEL: "warn" },
      cwd: REPO_ROOT,
    });
    procs.push(handle);
    const exit = await Promise.race([handle.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000))]);
    assert.ok(exit !== undefined, `core-metadata kept running without trusting the CA: ${handle.output()}`);
    assert.notEqual(exit.code, 0);
    assert.match(handle.output(), /certificate|self[- ]signed/i);
  });
});
