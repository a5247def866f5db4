/**
 * Compress: gzip or deflate the data (events and records are written as JSON first) and set `ctx.contentEncoding`.
 */
import { promisify } from "node:util";
import { deflate, gzip } from "node:zlib";
import type { FunctionFactory } from "../../types.js";
import { toBytes } from "../data.js";
import { ParamReader } from "../params.js";

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

/** Params: `algorithm` (gzip | deflate, default gzip), `level` (1..9, default zlib's 6). */
export const compress: FunctionFactory = (params) => {
  const name = "Compress";
  const r = new ParamReader(name, params);
  const algorithm = r.choice("algorithm", ["gzip", "deflate"] as const, "gzip");
  const level = r.number("level", { def: 6, min: 1, max: 9, integer: true }) ?? 6;
  r.done();
  const run = algorithm === "gzip" ? gzipAsync : deflateAsync;
  return {
    name,
    async process(ctx, data) {
      const out = await run(toBytes(ctx, data), { level });
      ctx.contentEncoding = algorithm;
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
};
