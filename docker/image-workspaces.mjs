#!/usr/bin/env node
// @ts-check
/**
 * Chooses what goes into the image of one Brink service (docker/Dockerfile runs it; test/deploy checks it).
 *
 * The `brink` command (services/brink) lists every service as a dependency so `brink start` can run them all, and
 * `npm ci -w services/brink` would install every protocol library (node-opcua, serialport, ...) into every image.
 * For a one-service image the command's manifest keeps only that service, so `npm ci --omit=dev` installs the
 * production closure of `brink` + the one service, at the versions of package-lock.json.
 *
 *   node docker/image-workspaces.mjs prepare <service|all>   trim services/brink/package.json for the image
 *   node docker/image-workspaces.mjs flags <service|all>     print the npm workspace flags of the install
 *   node docker/image-workspaces.mjs prune                   delete workspace folders the install did not link
 *
 * Run from the root of a copy of the repository (never on a working checkout: `prepare` edits a manifest).
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ALL = "all";
const CLI = "services/brink";

/** @param {string} file @returns {Record<string, any>} */
function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** @param {string} root @returns {Map<string, string>} package name -> workspace folder, for every services/* package */
function servicePackages(root) {
  const out = new Map();
  for (const dir of readdirSync(join(root, "services"))) {
    const manifest = join(root, "services", dir, "package.json");
    if (existsSync(manifest)) out.set(readJson(manifest).name, `services/${dir}`);
  }
  return out;
}

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`image-workspaces: ${message}\n`);
  process.exit(2);
}

/** @param {string} root @param {string} service */
function checkService(root, service) {
  if (service === ALL) return;
  if (!/^[a-z0-9-]+$/.test(service) || service === "brink" || !existsSync(join(root, "services", service, "package.json"))) {
    const known = [...servicePackages(root).values()].map((w) => w.slice("services/".length)).filter((s) => s !== "brink");
    fail(`unknown service ${JSON.stringify(service)}; one of: ${ALL}, ${known.join(", ")}`);
  }
}

/**
 * Removes from the brink command's dependencies every service workspace but `service` (none for `all`).
 * @param {string} root @param {string} service @returns {string[]} the removed package names
 */
function prepare(root, service) {
  checkService(root, service);
  if (service === ALL) return [];
  const file = join(root, CLI, "package.json");
  const manifest = readJson(file);
  const services = servicePackages(root);
  const removed = [];
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const workspace = services.get(name);
    if (workspace !== undefined && workspace !== `services/${service}`) {
      delete manifest.dependencies[name];
      removed.push(name);
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return removed;
}

/** @param {string} root @param {string} service @returns {string[]} */
function flags(root, service) {
  checkService(root, service);
  return service === ALL ? ["--workspace", CLI] : ["--workspace", CLI, "--workspace", `services/${service}`];
}

/**
 * Deletes the sdk/* and services/* folders that `npm ci` did not link into node_modules/@brink: code the image
 * never loads. @param {string} root @returns {string[]} the deleted folders
 */
function prune(root) {
  const linked = new Set(existsSync(join(root, "node_modules/@brink")) ? readdirSync(join(root, "node_modules/@brink")) : []);
  const deleted = [];
  for (const group of ["sdk", "services"]) {
    for (const dir of readdirSync(join(root, group))) {
      const manifest = join(root, group, dir, "package.json");
      const name = existsSync(manifest) ? String(readJson(manifest).name) : "";
      if (!linked.has(name.replace(/^@brink\//, ""))) {
        rmSync(join(root, group, dir), { recursive: true, force: true });
        deleted.push(`${group}/${dir}`);
      }
    }
  }
  return deleted;
}

const [command, service] = process.argv.slice(2);
const root = process.cwd();
if (command === "prepare" && service !== undefined) {
  const removed = prepare(root, service);
  process.stdout.write(`brink command trimmed for ${service}${removed.length > 0 ? `; dropped ${removed.join(", ")}` : ""}\n`);
} else if (command === "flags" && service !== undefined) {
  process.stdout.write(`${flags(root, service).join(" ")}\n`);
} else if (command === "prune") {
  const deleted = prune(root);
  process.stdout.write(`pruned ${deleted.length > 0 ? deleted.join(", ") : "nothing"}\n`);
} else {
  fail("usage: image-workspaces.mjs prepare <service|all> | flags <service|all> | prune");
}
