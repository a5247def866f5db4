/**
 * Serves the built web bundle: `index.html` at `/`, hashed assets under `/assets/` cached for a year, and the
 * `.gz` twin of a file (written at build time) to clients that accept gzip. Nothing is fetched from elsewhere.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { RequestHandler } from "express";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { ConsoleErrorCode } from "./errors.js";

/** Where `npm run build` writes the bundle: services/console/web-dist (one level up from src/ and from dist/). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../web-dist/", import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/** The page may load and call only its own origin: nothing is fetched from elsewhere at run time. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** True when `dir` holds a built bundle. */
export function hasBundle(dir: string): boolean {
  return existsSync(join(dir, "index.html"));
}

/** The static-file handler for `dir`. `/` without a bundle answers 503 BUNDLE_MISSING. */
export function staticFiles(dir: string): RequestHandler {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const path = req.path === "/" ? "/index.html" : req.path;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return next();
    }
    const file = normalize(join(root, decoded));
    // A path that climbs out of the bundle folder is not ours to serve.
    if (!file.startsWith(root) || decoded.includes("\0")) return next();
    const type = TYPES[extname(file)];
    if (type === undefined || !isFile(file)) {
      if (path !== "/index.html") return next();
      return next(new ServiceError(ErrorKind.ServiceUnavailable, ConsoleErrorCode.BundleMissing, `the console's web bundle is not built (no ${file}): run \`npm run build\``, {
        details: { webDir: root },
      }));
    }
    const gzip = `${file}.gz`;
    const useGzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && isFile(gzip);
    const sent = useGzip ? gzip : file;
    res.status(200);
    res.setHeader("Content-Type", type);
    res.setHeader("Content-Length", statSync(sent).size);
    res.setHeader("Vary", "Accept-Encoding");
    res.setHeader("Cache-Control", decoded.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (type.startsWith("text/html")) res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    if (useGzip) res.setHeader("Content-Encoding", "gzip");
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(sent).on("error", (err) => res.destroy(err)).pipe(res);
  };
}
