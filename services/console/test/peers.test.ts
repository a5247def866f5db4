/** Finding services by name: config first, then device services registered in core-metadata, briefly cached. */
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MetadataClient } from "@brink/service-kit";
import { PeerDirectory, PeerKind } from "../src/peers.js";
import { ConsoleErrorCode } from "../src/errors.js";

describe("PeerDirectory", () => {
  let server: Server;
  let asked = 0;
  let services: { name: string; baseAddress: string }[] = [];
  let metadata: MetadataClient;
  let now = 0;

  before(async () => {
    server = createServer((req, res) => {
      asked++;
      assert.equal(req.url, "/api/v3/deviceservice/all?limit=-1");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ apiVersion: "v3", statusCode: 200, totalCount: services.length, services }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    metadata = new MetadataClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const directory = (): PeerDirectory =>
    new PeerDirectory({
      fixed: [
        { name: "core-data", kind: PeerKind.Core, url: "http://127.0.0.1:59880/" },
        { name: "rules-engine", kind: PeerKind.Rules, url: "http://127.0.0.1:59720" },
      ],
      aliases: { "support-notifications": "rules-engine" },
      metadata,
      cacheMs: 1000,
      now: () => now,
    });

  it("answers configured services and aliases without asking core-metadata", async () => {
    asked = 0;
    const d = directory();
    assert.deepEqual(await d.resolve("core-data"), { name: "core-data", kind: "core", url: "http://127.0.0.1:59880" });
    assert.equal((await d.resolve("support-notifications")).name, "rules-engine");
    assert.equal(asked, 0);
  });

  it("finds device services at their registered address, and asks again once the cache is stale", async () => {
    asked = 0;
    now = 0;
    services = [{ name: "device-modbus", baseAddress: "http://10.0.0.5:59901/" }];
    const d = directory();
    assert.deepEqual(await d.resolve("device-modbus"), { name: "device-modbus", kind: "device", url: "http://10.0.0.5:59901" });
    services = [{ name: "device-modbus", baseAddress: "http://10.0.0.6:59901" }];
    now = 999;
    assert.equal((await d.resolve("device-modbus")).url, "http://10.0.0.5:59901");
    now = 1000;
    assert.equal((await d.resolve("device-modbus")).url, "http://10.0.0.6:59901");
    assert.equal(asked, 2);
  });

  it("rejects an unknown name with NotFound PEER_UNKNOWN", async () => {
    services = [];
    await assert.rejects(directory().resolve("device-nope"), (err: { code?: string; kind?: string }) => err.code === ConsoleErrorCode.PeerUnknown && err.kind === "NotFound");
  });

  it("lists every peer, configured ones first, and only those when core-metadata is away", async () => {
    services = [{ name: "device-b", baseAddress: "http://h:2" }, { name: "device-a", baseAddress: "http://h:1" }, { name: "no-address", baseAddress: "" }];
    assert.deepEqual((await directory().all()).map((p) => p.name), ["core-data", "rules-engine", "device-a", "device-b"]);
    const away = new PeerDirectory({ fixed: [{ name: "core-data", kind: PeerKind.Core, url: "http://x" }], metadata: new MetadataClient({ baseUrl: "http://127.0.0.1:1", timeoutMs: 500 }), cacheMs: 0 });
    assert.deepEqual((await away.all()).map((p) => p.name), ["core-data"]);
  });
});
