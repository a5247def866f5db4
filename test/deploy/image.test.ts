/**
 * docker/Dockerfile checked without a Docker engine: its structure (multi-stage, per-architecture stages, non-root,
 * HEALTHCHECK), every file it copies, and its dependency step run for real: the production install it makes for
 * core-data, in a copy of the manifests, has better-sqlite3 and no node-opcua, and every package the bundle loads
 * from node_modules where the bundle finds it. The HEALTHCHECK and entry point scripts are run as the image runs them.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess } from "../harness/index.js";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { BUNDLE_SCRIPT, DOCKERFILE, ENTRYPOINT, HEALTHCHECK, ensureBundle, runHealthcheck } from "./local-compose.js";
import { EDGEX_PORTS, definitionOf, serviceFolders } from "./services.js";

const text = readFileSync(DOCKERFILE, "utf8");
const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
const stages = lines.reduce<string[][]>((acc, line) => {
  if (line.startsWith("FROM ")) acc.push([line]);
  else acc[acc.length - 1]?.push(line);
  return acc;
}, []);
const stageNamed = (name: string): string[] => stages.find((s) => (s[0] as string).endsWith(` AS ${name}`)) ?? [];
const ignored = readFileSync(join(REPO_ROOT, "docker/Dockerfile.dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));

function runScript(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "docker/image-workspaces.mjs"), ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the repository's manifests, as the Dockerfile's `manifests` stage keeps them. */
function manifestsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "brink-image-"));
  cpSync(join(REPO_ROOT, "package.json"), join(dir, "package.json"));
  cpSync(join(REPO_ROOT, "package-lock.json"), join(dir, "package-lock.json"));
  for (const group of ["sdk", "services"]) {
    for (const pkg of readdirSync(join(REPO_ROOT, group))) {
      const manifest = join(REPO_ROOT, group, pkg, "package.json");
      if (!existsSync(manifest)) continue;
      mkdirSync(join(dir, group, pkg), { recursive: true });
      cpSync(manifest, join(dir, group, pkg, "package.json"));
    }
  }
  return dir;
}

describe("docker/Dockerfile", function () {
  this.timeout(180_000);

  it("is multi-stage: compiles on the build machine's architecture, installs and runs on the target's", () => {
    assert.ok(stages.length >= 4, "at least four stages");
    assert.match(stageNamed("build")[0] ?? "", /--platform=\$BUILDPLATFORM/, "build stage runs natively");
    for (const target of ["deps", "assemble", "runtime"]) {
      assert.ok(stageNamed(target).length > 0, `stage ${target}`);
      assert.doesNotMatch(stageNamed(target)[0] as string, /--platform/, `${target} runs on the target platform (native modules)`);
    }
    assert.match((stages[stages.length - 1] as string[])[0] as string, / AS runtime$/, "the last stage is the image");
    assert.match(lines.find((l) => l.startsWith("ARG NODE_IMAGE=")) ?? "", /^ARG NODE_IMAGE=node:20-bookworm-slim$/, "a multi-arch Node 20 base (amd64 and arm64)");
  });

  it("installs production dependencies only, of the one service chosen by the SERVICE build argument", () => {
    const deps = stageNamed("deps").join("\n");
    assert.match(deps, /^ARG SERVICE$/m);
    assert.match(deps, /image-workspaces\.mjs prepare "\$SERVICE"/);
    assert.match(deps, /npm ci --omit=dev .*\$\(node docker\/image-workspaces\.mjs flags "\$SERVICE"\)/);
    assert.doesNotMatch(stageNamed("runtime").join("\n"), /npm (ci|install)/, "no install in the final image");
  });

  it("runs as the unprivileged node user with a HEALTHCHECK on ping and the brink entry point", () => {
    const runtime = stageNamed("runtime");
    assert.equal(runtime.filter((l) => l.startsWith("USER ")).at(-1), "USER node");
    const health = runtime.find((l) => l.startsWith("HEALTHCHECK ")) ?? "";
    assert.match(health, /CMD \["node", "\/app\/docker\/healthcheck\.mjs"\]/);
    assert.match(readFileSync(HEALTHCHECK, "utf8"), /\/api\/v3\/ping/);
    assert.equal(runtime.find((l) => l.startsWith("ENTRYPOINT ")), 'ENTRYPOINT ["/app/docker/entrypoint.sh"]');
    assert.ok(runtime.some((l) => l.includes("BRINK_SERVICE_HOST=0.0.0.0")), "listens on the container's interfaces");
    assert.ok(runtime.some((l) => l.startsWith("VOLUME ") && l.includes("/data")), "data volume");
  });

  it("bundles the compiled code in the build stage, keeps the bundle in the image and checks it finds its packages", () => {
    const build = stageNamed("build");
    const compile = build.findIndex((l) => l.startsWith("RUN ") && l.includes("npm run build"));
    const bundle = build.findIndex((l) => l.startsWith("RUN ") && l.includes("node docker/bundle.mjs") && !l.includes("verify"));
    assert.ok(compile >= 0 && bundle >= compile, "the bundle is made from the compiled code");
    const copyToOut = build.find((l) => l.includes("/out/$pkg")) ?? "";
    assert.match(copyToOut, /case "\$\{entry##\*\/\}" in ([^)]*)\)/, "the build stage copies each package's run-time files");
    const skipped = (/case "\$\{entry##\*\/\}" in ([^)]*)\)/.exec(copyToOut)?.[1] ?? "").split("|");
    assert.ok(!skipped.includes("bundle"), "services/brink/bundle goes into the image");
    assert.ok(stageNamed("assemble").some((l) => /node docker\/bundle\.mjs verify/.test(l)), "assemble verifies the bundle against the image's node_modules");
    assert.ok(ignored.includes("services/brink/bundle"), "a bundle made on this machine stays out of the build context");
    assert.match(readFileSync(ENTRYPOINT, "utf8"), /^exec node "\$BRINK_HOME\/services\/brink\/bundle\/brink\.js" "\$@"$/m, "the entry point runs the bundle");
  });

  it("copies only files that exist and that the build context does not ignore", () => {
    for (const line of lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from="))) {
      const parts = line.slice(5).split(/\s+/).filter((p) => !p.startsWith("--"));
      for (const src of parts.slice(0, -1)) {
        assert.ok(existsSync(join(REPO_ROOT, src)), `COPY source ${src} exists`);
        const top = src.replace(/\/$/, "");
        assert.ok(!ignored.includes(top) && !ignored.includes(`${top}/`), `${src} is not in Dockerfile.dockerignore`);
      }
    }
  });

  it("keeps only the chosen service in the brink command's dependencies, and refuses an unknown service", () => {
    const dir = manifestsCopy();
    try {
      const prepared = runScript(["prepare", "core-data"], dir);
      assert.equal(prepared.status, 0, prepared.stderr);
      const deps = Object.keys((JSON.parse(readFileSync(join(dir, "services/brink/package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);
      assert.ok(deps.includes("@brink/core-data") && deps.includes("commander"));
      for (const other of ["@brink/core-metadata", "@brink/core-command", "@brink/device-virtual"]) assert.ok(!deps.includes(other), `${other} dropped`);
      assert.equal(runScript(["flags", "core-data"], dir).stdout.trim(), "--workspace services/brink --workspace services/core-data");
      assert.equal(runScript(["flags", "all"], dir).stdout.trim(), "--workspace services/brink");
      const bad = runScript(["prepare", "no-such-service"], dir);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /unknown service "no-such-service"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("installs for core-data its production closure without node-opcua, and prunes the workspaces it does not use", () => {
    const dir = manifestsCopy();
    try {
      assert.equal(runScript(["prepare", "core-data"], dir).status, 0);
      const flags = runScript(["flags", "core-data"], dir).stdout.trim().split(" ");
      // The Dockerfile's install, from the npm cache CI filled (no install scripts: nothing is compiled here).
      const npm = spawnSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", ...flags], { cwd: dir, encoding: "utf8" });
      assert.equal(npm.status, 0, npm.stderr);
      const modules = readdirSync(join(dir, "node_modules"));
      assert.ok(modules.includes("better-sqlite3"), "core-data's SQLite driver");
      assert.ok(existsSync(join(dir, "node_modules/@nats-io/jetstream")), "JetStream client");
      assert.ok(existsSync(join(dir, "node_modules/commander")), "the brink command's own dependency");
      for (const heavy of ["node-opcua", "node-opcua-client", "serialport", "modbus-serial", "typescript", "mocha", "tsx"]) {
        assert.ok(!modules.includes(heavy), `${heavy} is not in the core-data image`);
      }
      assert.deepEqual(readdirSync(join(dir, "node_modules/@brink")).sort(), ["brink", "bus", "contracts", "core-data", "service-kit"]);
      const pruned = runScript(["prune"], dir);
      assert.equal(pruned.status, 0, pruned.stderr);
      assert.deepEqual(readdirSync(join(dir, "services")).sort(), ["brink", "core-data"]);
      // The assemble stage's check: what the bundle loads from node_modules is where the bundle looks for it.
      ensureBundle();
      cpSync(join(REPO_ROOT, "services/brink/bundle/manifest.json"), join(dir, "services/brink/bundle/manifest.json"));
      cpSync(BUNDLE_SCRIPT, join(dir, "docker/bundle.mjs"));
      const verified = spawnSync(process.execPath, [join(dir, "docker/bundle.mjs"), "verify"], { cwd: dir, encoding: "utf8" });
      assert.equal(verified.status, 0, verified.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a service folder for every image the compose and K3s files name, and an EdgeX port for each", async () => {
    for (const s of serviceFolders()) {
      assert.ok(EDGEX_PORTS[s] !== undefined, `${s} has an EdgeX port`);
      const def = await definitionOf(s);
      if (def !== undefined) assert.equal(def.defaultPort, EDGEX_PORTS[s], `${s}: definition's port`);
    }
  });
});

describe("docker/bundle.mjs verify", () => {
  it("fails on a package the bundle loads that is installed only where the bundle does not look, skips absent ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "brink-bundle-"));
    try {
      cpSync(BUNDLE_SCRIPT, join(dir, "docker/bundle.mjs"));
      mkdirSync(join(dir, "services/brink/bundle"), { recursive: true });
      const runTime = ["hoisted", "nested/data.json", "absent"];
      writeFileSync(join(dir, "services/brink/bundle/manifest.json"), JSON.stringify({ inputs: [], runTime }));
      for (const pkg of ["node_modules/hoisted", "services/core-data/node_modules/nested"]) {
        mkdirSync(join(dir, pkg), { recursive: true });
        writeFileSync(join(dir, pkg, "package.json"), "{}");
      }
      const r = spawnSync(process.execPath, [join(dir, "docker/bundle.mjs"), "verify"], { encoding: "utf8" });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /nested\/data\.json: installed at services\/core-data\/node_modules\/nested/);
      assert.doesNotMatch(r.stderr, /hoisted|absent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docker/healthcheck.mjs", () => {
  it("knows the same EdgeX port of every service", () => {
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", `import(${JSON.stringify(HEALTHCHECK)}).then((m) => process.stdout.write(JSON.stringify(m.DEFAULT_PORTS)))`], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(out.stdout) as unknown, { ...EDGEX_PORTS });
  });

  it("exits 0 when ping answers 200 on the service's port, 1 when nothing answers", async () => {
    const server = http.createServer((req, res) => res.writeHead(req.url === "/api/v3/ping" ? 200 : 404).end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      assert.equal(await runHealthcheck({ BRINK_IMAGE_SERVICE: "core-data", BRINK_CORE_DATA_SERVICE_PORT: String(port) }), 0);
      assert.equal(await runHealthcheck({ BRINK_IMAGE_SERVICE: "core-data", BRINK_SERVICE_PORT: String(port) }), 0);
      assert.equal(await runHealthcheck({ BRINK_IMAGE_SERVICE: "core-data", BRINK_CORE_DATA_SERVICE_PORT: String(await freePort()) }), 1);
      assert.equal(await runHealthcheck({ BRINK_HEALTHCHECK_SERVICES: "core-data,core-command", BRINK_CORE_DATA_SERVICE_PORT: String(port), BRINK_CORE_COMMAND_SERVICE_PORT: String(await freePort()) }), 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("docker/entrypoint.sh", () => {
  let home: string;

  before(() => {
    // A stand-in for the brink command that prints what it was given.
    home = mkdtempSync(join(tmpdir(), "brink-entry-"));
    mkdirSync(join(home, "services/brink/bundle"), { recursive: true });
    writeFileSync(join(home, "services/brink/bundle/brink.js"), "process.stdout.write(JSON.stringify({ args: process.argv.slice(2), token: process.env.BRINK_API_TOKEN, file: process.env.BRINK_API_TOKEN_FILE ?? null }));\n");
    writeFileSync(join(home, "token"), "s3cret\n");
  });

  after(() => rmSync(home, { recursive: true, force: true }));

  async function entry(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string }> {
    const p = await startProcess({ name: "entrypoint", cmd: "/bin/sh", args: [ENTRYPOINT, ...args], env: { BRINK_HOME: home, BRINK_API_TOKEN: undefined, BRINK_IMAGE_SERVICE: undefined, ...env } });
    const exit = await p.exited;
    return { code: exit.code, out: p.output() };
  }

  it("runs the image's service by default, `brink start` for the all-in-one image, and the given command otherwise", async () => {
    assert.deepEqual(JSON.parse((await entry({ BRINK_IMAGE_SERVICE: "core-data" })).out).args, ["run", "core-data"]);
    assert.deepEqual(JSON.parse((await entry({ BRINK_IMAGE_SERVICE: "all" })).out).args, ["start"]);
    assert.deepEqual(JSON.parse((await entry({ BRINK_IMAGE_SERVICE: "core-data" }, ["services"])).out).args, ["services"]);
  });

  it("turns BRINK_*_FILE secrets into their variables, and fails on an unreadable file", async () => {
    const ok = JSON.parse((await entry({ BRINK_API_TOKEN_FILE: join(home, "token") }, ["x"])).out) as { token: string; file: string | null };
    assert.equal(ok.token, "s3cret");
    assert.equal(ok.file, null, "the _FILE variable is not passed on");
    const direct = JSON.parse((await entry({ BRINK_API_TOKEN: "direct", BRINK_API_TOKEN_FILE: join(home, "token") }, ["x"])).out) as { token: string };
    assert.equal(direct.token, "direct");
    const missing = await entry({ BRINK_API_TOKEN_FILE: join(home, "absent") }, ["x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /BRINK_API_TOKEN_FILE names .*absent/);
  });
});
