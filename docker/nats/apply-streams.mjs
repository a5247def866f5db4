#!/usr/bin/env node
// @ts-check
/**
 * Creates or updates the JetStream streams of docker/nats/streams.json on one NATS server, idempotently.
 *
 *   node docker/nats/apply-streams.mjs edge --server nats://nats:4222 [--token T]
 *   node docker/nats/apply-streams.mjs hub  --server nats://hub:4222  [--token T] --gateway gw-042
 *
 * `edge` runs on a gateway (compose runs it once at start); `hub` runs on the cloud hub for each gateway that joins,
 * creating the stream that sources the gateway's streams across its leaf link. The token defaults to
 * BRINK_BUS_TOKEN (or the content of the file BRINK_BUS_TOKEN_FILE), the gateway name to BRINK_GATEWAY, the file to streams.json beside this script. The server is
 * retried for --wait-ms (default 60000) so the script can start alongside it. Exit code 0 when every stream is in
 * place, 1 otherwise (each failure is printed).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";

const here = dirname(fileURLToPath(import.meta.url));

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg.startsWith("--")) {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      opts[arg.slice(2)] = value;
      i++;
    } else positional.push(arg);
  }
  return { side: positional[0], opts };
}

/**
 * The stream configs of one side, `{gateway}` replaced.
 * @param {unknown} doc @param {string} side @param {string} gateway
 * @returns {Record<string, any>[]}
 */
function streamsOf(doc, side, gateway) {
  const list = /** @type {Record<string, unknown>} */ (doc)[side];
  if (!Array.isArray(list)) throw new Error(`streams file has no "${side}" list`);
  const text = JSON.stringify(list).replaceAll("{gateway}", gateway);
  return JSON.parse(text);
}

/** @param {string[]} servers @param {string | undefined} token @param {number} waitMs */
async function connectWithin(servers, token, waitMs) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await connect({ servers, name: "brink-apply-streams", ...(token ? { token } : {}) });
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function main() {
  const { side, opts } = parseArgs(process.argv.slice(2));
  if (side !== "edge" && side !== "hub") throw new Error("usage: apply-streams.mjs <edge|hub> --server URL [--token T] [--gateway NAME] [--file F]");
  const gateway = opts.gateway ?? process.env.BRINK_GATEWAY ?? "";
  if (side === "hub" && !/^[A-Za-z0-9_-]+$/.test(gateway)) throw new Error("hub streams need --gateway <name> (the gateway's JetStream domain: letters, digits, - and _)");
  const servers = (opts.server ?? process.env.BRINK_BUS_URL ?? "nats://127.0.0.1:4222").split(",").map((s) => s.trim());
  const tokenFile = process.env.BRINK_BUS_TOKEN_FILE;
  const token = opts.token ?? process.env.BRINK_BUS_TOKEN ?? (tokenFile ? readFileSync(tokenFile, "utf8").trim() : undefined);
  const streams = streamsOf(JSON.parse(readFileSync(opts.file ?? join(here, "streams.json"), "utf8")), side, gateway);

  const nc = await connectWithin(servers, token, Number(opts["wait-ms"] ?? 60_000));
  let failed = 0;
  try {
    const jsm = await jetstreamManager(nc);
    for (const config of streams) {
      try {
        let exists = await jsm.streams.info(config.name).then(() => true, () => false);
        if (!exists) {
          // Another process (core-data, app-service) may create it at the same moment: then update what it made.
          exists = await jsm.streams.add(config).then(() => false, async (err) => {
            if (await jsm.streams.info(config.name).then(() => true, () => false)) return true;
            throw err;
          });
        }
        if (exists) await jsm.streams.update(config.name, config);
        process.stdout.write(`${exists ? "updated" : "created"} stream ${config.name}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(`stream ${config.name}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  } finally {
    await nc.close();
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`apply-streams: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
