#!/usr/bin/env node
// @ts-check
/**
 * Bundles what the images run: the `brink` command (services/brink/dist/launch.js, compiled by `npm run build`) with
 * every workspace and pure-JavaScript package it reaches, into services/brink/bundle/brink.js and its chunks. The
 * chunks are ES modules with whitespace and syntax minified (names kept, so stack traces and the `type` pino logs for
 * an error read as before), split at each `import()`: a process loads only the chunks of what it runs (its service,
 * the SDKs it uses, express, pino, nats.js, ...), a dozen files instead of ~440 modules, which saves about 2 MiB of
 * memory per service process (docs/deployment.md, Sizing). docker/Dockerfile builds it; docker/entrypoint.sh runs it;
 * test/deploy runs it through the entry point as the images do.
 *
 *   node docker/bundle.mjs              build services/brink/bundle/ (replaced as a whole)
 *   node docker/bundle.mjs --if-stale   build only when a compiled input is newer than the bundle, or it is missing
 *   node docker/bundle.mjs verify       check that every package the bundle loads from node_modules is found from
 *                                       the bundle (run in an image: packages not installed at all are skipped)
 *
 * What stays in node_modules and is loaded from there at run time:
 * - packages with native code or files read relative to their own folder (EXTERNAL below);
 * - packages loaded on first use through lazyRequire() (yaml, busboy, jsonata, sparkplug-payload): a bundler does
 *   not follow createRequire, and they stay unpaid for until used;
 * - JSON files that packages require() (mime-db's database, ...) and RUN_TIME_MODULES: parsed from JSON, data costs
 *   its objects only; inside the bundle it would also stay in memory as source text.
 * `import.meta.url` of each bundled ES module and `__dirname`/`__filename` of each CommonJS one keep naming the
 * original file, so the console's web-dist/, the device profiles and lazyRequire's resolution are found where they
 * were: the bundle works only in a tree laid out like the repository (services/brink/bundle/ beside the packages'
 * non-code files and node_modules), as the images are.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRY = join(ROOT, "services/brink/dist/launch.js");
const OUTDIR = join(ROOT, "services/brink/bundle");
/** Written last into the bundle: its inputs (to tell a stale bundle) and the packages it loads at run time. */
const MANIFEST = "manifest.json";

/**
 * Left out of the bundle: native addons (better-sqlite3, serialport's bindings), and node-opcua, which reads
 * certificates, schemas and nodesets from files beside its modules (and loads in device-opcua alone).
 */
export const EXTERNAL = ["better-sqlite3", "serialport", "@serialport/*", "node-opcua", "node-opcua-*"];

/**
 * Modules of bundled packages still required from node_modules, by package path: iconv-lite's encoding tables
 * (about 480 kB of code that iconv-lite requires on the first decode of a charset other than UTF-8).
 */
export const RUN_TIME_MODULES = ["iconv-lite/encodings/index.js"];

/** @typedef {{ inputs: string[], runTime: string[] }} Manifest */

/** `<pkg>/<sub>` of a file under node_modules (the last one on its path), or undefined. @param {string} file */
function packagePath(file) {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  return at < 0 ? undefined : file.slice(at + marker.length).split(sep).join("/");
}

/** The package name of a bare specifier: `@scope/name/sub` -> `@scope/name`. @param {string} specifier */
function packageName(specifier) {
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** @param {string} file */
function isCommonJs(file) {
  if (file.endsWith(".cjs")) return true;
  if (file.endsWith(".mjs")) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, "utf8"));
    if (typeof json.name === "string" || json.type !== undefined) return json.type !== "module";
  }
  return true;
}

/** An expression for the URL of `file`, in a chunk of `outdir` (whose own URL the banner keeps in __brinkChunkUrl). */
function urlOf(/** @type {string} */ file, /** @type {string} */ outdir) {
  return `new URL(${JSON.stringify(relative(outdir, file).split(sep).join("/"))}, __brinkChunkUrl).href`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(
  ("default await break case catch class const continue debugger delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements " +
    "interface package private protected public arguments eval").split(" "),
);

/**
 * esbuild plugins keeping the bundled code's meaning. `outdir` is where the chunks are written; it must sit where
 * services/brink/bundle/ does (paths to the original files are relative to it).
 * @param {string} outdir @returns {import("esbuild").Plugin[]}
 */
function plugins(outdir) {
  const fromBundle = createRequire(join(outdir, "brink.js"));
  return [
    {
      // JSON files and RUN_TIME_MODULES that bundled CommonJS code require()s: left as require() of the package path,
      // when the bundle finds the very same file under that name (one version of the package, hoisted).
      name: "brink-run-time-modules",
      setup(build) {
        build.onResolve({ filter: /.*/ }, async (args) => {
          if (args.kind !== "require-call" || args.pluginData === "brink-run-time-modules") return undefined;
          const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "brink-run-time-modules" });
          if (resolved.errors.length > 0 || resolved.external) return undefined;
          const bare = packagePath(resolved.path);
          if (bare === undefined || !(bare.endsWith(".json") || RUN_TIME_MODULES.includes(bare))) return undefined;
          let found;
          try {
            found = fromBundle.resolve(bare);
          } catch {
            found = undefined;
          }
          return found === resolved.path ? { path: bare, external: true } : undefined;
        });
      },
    },
    {
      // `import.meta.url` is replaced (define below) by __brinkModuleUrl, which each module using it declares as its
      // original file's URL; CommonJS modules get their original __dirname and __filename. Both go on the module's
      // first line, so the lines of the rest stay where they were.
      name: "brink-module-location",
      setup(build) {
        build.onLoad({ filter: /\.(c|m)?js$/ }, (args) => {
          const text = readFileSync(args.path, "utf8");
          const usesMeta = text.includes("import.meta");
          const usesDir = /\b__(dirname|filename)\b/.test(text) && isCommonJs(args.path);
          if (!usesMeta && !usesDir) return undefined;
          let prefix = usesMeta ? `var __brinkModuleUrl = ${urlOf(args.path, outdir)};` : "";
          if (usesDir) {
            prefix += `var __filename = require("node:url").fileURLToPath(${urlOf(args.path, outdir)}), __dirname = require("node:path").dirname(__filename);`;
          }
          return { contents: prefix + text, loader: "js" };
        });
      },
    },
    {
      // `import("pkg")` of a CommonJS package must yield its named exports, as in Node. With code splitting esbuild
      // gives a chunk exporting only `default` there (evanw/esbuild#3245: an ES module cannot export names known only
      // at run time; nats.js failed with "connect is not a function"), so the import goes through a module that names
      // the package's exports, listed by loading the package once here.
      name: "brink-commonjs-dynamic-import",
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.kind !== "dynamic-import") return undefined;
          const resolved = await build.resolve(args.path, { kind: "import-statement", resolveDir: args.resolveDir, importer: args.importer });
          if (resolved.errors.length > 0 || resolved.external || !isCommonJs(resolved.path)) return undefined;
          return { path: args.path, namespace: "brink-commonjs-import", pluginData: { file: resolved.path, resolveDir: args.resolveDir } };
        });
        build.onLoad({ filter: /.*/, namespace: "brink-commonjs-import" }, (args) => {
          const { file, resolveDir } = args.pluginData;
          const names = Object.keys(createRequire(file)(file)).filter((n) => IDENTIFIER.test(n) && !RESERVED.has(n));
          const contents = `const m = require(${JSON.stringify(args.path)});\nexport default m;\n` + (names.length > 0 ? `export const { ${names.join(", ")} } = m;\n` : "");
          return { contents, resolveDir, loader: "js" };
        });
      },
    },
  ];
}

/** Builds the bundle into a fresh folder and puts it in place of services/brink/bundle/. @returns {Promise<Manifest>} */
export async function bundle() {
  const esbuild = await import("esbuild");
  // A sibling folder: the same relative paths to the original files, and the old bundle stays whole until replaced.
  const temp = `${OUTDIR}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      entryPoints: { brink: ENTRY },
      outdir: temp,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: "none",
      external: EXTERNAL,
      define: { "import.meta.url": "__brinkModuleUrl" },
      // Each chunk keeps its own URL, and a `require` for the bundled CommonJS code's requires of Node's modules and
      // of the packages loaded at run time.
      banner: { js: 'import{createRequire as __brinkCreateRequire}from"node:module";const __brinkChunkUrl=import.meta.url,require=__brinkCreateRequire(__brinkChunkUrl);' },
      plugins: plugins(OUTDIR),
      metafile: true,
      logLevel: "warning",
    });
    const runTime = new Set();
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      for (const i of output.imports) if (i.external && !i.path.startsWith("node:") && !builtinModules.includes(i.path)) runTime.add(i.path);
      // import.meta.url is taken care of; its other members would name the chunk instead of the original module.
      const other = /\bimport\.meta\.(dirname|filename|resolve)\b/.exec(readFileSync(resolve(file), "utf8"));
      if (other !== null) throw new Error(`${file}: ${other[0]} in a bundled module; make its package EXTERNAL, or use import.meta.url`);
    }
    const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes(":")).map((p) => relative(ROOT, resolve(p)).split(sep).join("/"));
    /** @type {Manifest} */
    const manifest = { inputs: inputs.sort(), runTime: [...runTime].sort() };
    writeFileSync(join(temp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    rmSync(OUTDIR, { recursive: true, force: true });
    renameSync(temp, OUTDIR);
    return manifest;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** @returns {Manifest | undefined} */
function readManifest() {
  const file = join(OUTDIR, MANIFEST);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/**
 * Files whose change makes the bundle stale besides its inputs: this script, and the install records (npm keeps the
 * packages' own file times, often from 1985, so an upgraded dependency shows only there).
 */
const ALSO_DEPENDS_ON = ["docker/bundle.mjs", "package-lock.json", "node_modules/.package-lock.json"];

/** True when the bundle exists and none of its inputs changed since it was built. */
export function bundleIsFresh() {
  const manifest = readManifest();
  if (manifest === undefined) return false;
  const built = statSync(join(OUTDIR, MANIFEST)).mtimeMs;
  const changed = (/** @type {string} */ p) => !existsSync(join(ROOT, p)) || statSync(join(ROOT, p)).mtimeMs > built;
  return !manifest.inputs.some(changed) && !ALSO_DEPENDS_ON.filter((p) => existsSync(join(ROOT, p))).some(changed);
}

/** Folders of every installed copy of package `name` under `dir`'s node_modules trees. */
function installedCopies(/** @type {string} */ dir, /** @type {string} */ name, depth = 0) {
  /** @type {string[]} */
  const found = [];
  const modules = join(dir, "node_modules");
  if (!existsSync(modules) || depth > 8) return found;
  if (existsSync(join(modules, name, "package.json"))) found.push(join(modules, name));
  for (const entry of readdirSync(modules)) {
    const sub = entry.startsWith("@") ? readdirSync(join(modules, entry)).map((e) => join(modules, entry, e)) : [join(modules, entry)];
    for (const pkg of sub) found.push(...installedCopies(pkg, name, depth + 1));
  }
  return found;
}

/**
 * Problems with the packages the bundle loads at run time: one that is installed (for the image's service) but that
 * the bundle would not find, because npm nested it in a package's or workspace's own node_modules.
 * @returns {string[]}
 */
export function verify() {
  const manifest = readManifest();
  if (manifest === undefined) return [`no ${relative(ROOT, join(OUTDIR, MANIFEST))}: build the bundle first`];
  const problems = [];
  const workspaces = ["sdk", "services"].flatMap((d) => (existsSync(join(ROOT, d)) ? readdirSync(join(ROOT, d)).map((w) => join(ROOT, d, w)) : []));
  for (const specifier of manifest.runTime) {
    const name = packageName(specifier);
    // Where Node looks for a bare name: node_modules/<name> in the bundle's folder and each folder above it.
    let found = false;
    for (let dir = OUTDIR; !found && dir !== dirname(dir); dir = dirname(dir)) found = existsSync(join(dir, "node_modules", name, "package.json"));
    if (found) continue;
    const copies = [ROOT, ...workspaces].flatMap((d) => installedCopies(d, name));
    if (copies.length > 0) problems.push(`${specifier}: installed at ${copies.map((c) => relative(ROOT, c)).join(", ")}, not found from ${relative(ROOT, OUTDIR)}`);
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command] = process.argv.slice(2);
  if (command === "verify") {
    const problems = verify();
    for (const p of problems) process.stderr.write(`bundle: ${p}\n`);
    process.exit(problems.length === 0 ? 0 : 1);
  } else if (command === undefined || command === "--if-stale") {
    if (command === undefined || !bundleIsFresh()) await bundle();
  } else {
    process.stderr.write(`usage: node docker/bundle.mjs [--if-stale | verify]\n`);
    process.exit(2);
  }
}
