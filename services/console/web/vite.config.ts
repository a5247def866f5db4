/**
 * Builds the console's web bundle into services/console/web-dist: one hashed JS and CSS file, each with a .gz twin
 * that the console serves to browsers that accept gzip. Nothing in the bundle is fetched from elsewhere at run time.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = fileURLToPath(new URL("../web-dist", import.meta.url));
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/** Writes `<file>.gz` beside every compressible file of the bundle. */
function gzipTwins(): Plugin {
  return {
    name: "brink-gzip-twins",
    apply: "build",
    closeBundle() {
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (COMPRESSIBLE.test(entry.name)) writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
        }
      };
      walk(OUT_DIR);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
  plugins: [gzipTwins()],
});
