/**
 * Structural checks of docker/compose.yml and docker/compose.embedded.yml: every image is one docker/Dockerfile
 * builds (or a pinned upstream image), every port is its service's, every volume and secret is declared and used,
 * every environment variable is one the service reads, and every service has a restart policy and a memory limit.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { loadCompose, type ComposeFile, type ComposeService } from "./compose.js";
import { allowedEnv } from "./env-names.js";
import { brinkImageService, imageEnv } from "./local-compose.js";
import { EDGEX_PORTS, embeddedServices, serviceFolders } from "./services.js";

const FILES = ["docker/compose.yml", "docker/compose.embedded.yml"];
const DOCKERFILE = readFileSync(join(REPO_ROOT, "docker/Dockerfile"), "utf8");
const DEPLOYMENT_DOC = join(REPO_ROOT, "docs/deployment.md");

/** `$NAME` references of a nats-server config file and the files it includes. */
function natsConfigVariables(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/#.*$/gm, "");
  const out = new Set([...text.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] as string));
  for (const m of text.matchAll(/^\s*include\s+["']?([^"'\s]+)/gm)) {
    for (const v of natsConfigVariables(join(file, "..", m[1] as string))) out.add(v);
  }
  return out;
}

for (const relative of FILES) {
  describe(relative, () => {
    const file = join(REPO_ROOT, relative);
    // As a user runs it: nothing set but what the file needs.
    const compose: ComposeFile = loadCompose(file, {});
    const services = Object.values(compose.services);
    const brink = services.filter((s) => brinkImageService(s.image) !== undefined);

    it("uses images docker/Dockerfile builds, or pinned upstream images", () => {
      const folders = serviceFolders();
      for (const s of services) {
        assert.match(s.image, /:[\w.-]+$/, `${s.name}: image ${s.image} has a tag`);
        assert.doesNotMatch(s.image, /:latest$/, `${s.name}: image ${s.image} is pinned`);
        const built = brinkImageService(s.image);
        if (built === undefined) assert.match(s.image, /^nats:2\.\d+/, `${s.name}: ${s.image} is a known upstream image`);
        else assert.ok(built === "all" || folders.includes(built), `${s.name}: image ${s.image} is SERVICE=${built}, a services/ folder`);
      }
    });

    it("runs each Brink service with `run <its name>` (or `start` all-in-one), or a script the image ships", () => {
      for (const s of brink) {
        const built = brinkImageService(s.image) as string;
        if (s.entrypoint !== undefined) {
          const script = s.entrypoint.find((a) => a.startsWith("/app/"));
          assert.ok(script, `${s.name}: entrypoint runs a file of the image`);
          const inRepo = (script as string).replace(/^\/app\//, "");
          assert.ok(existsSync(join(REPO_ROOT, inRepo)), `${s.name}: ${inRepo} exists`);
          assert.ok(DOCKERFILE.includes(inRepo), `${s.name}: docker/Dockerfile copies ${inRepo} into the image`);
        } else if (built === "all") assert.deepEqual(s.command, ["start"], s.name);
        else assert.deepEqual(s.command, ["run", s.name], `${s.name}: command`);
        if (built !== "all" && s.entrypoint === undefined) assert.equal(built, s.name, `${s.name}: runs the image built for it`);
      }
    });

    it("publishes each service's own port, on 127.0.0.1 unless BRINK_BIND says otherwise", () => {
      for (const s of services) {
        for (const p of s.ports) {
          assert.equal(p.hostIp, "127.0.0.1", `${s.name}: ${p.containerPort} is bound to 127.0.0.1 by default`);
          assert.equal(p.hostPort, p.containerPort, `${s.name}: host port = container port`);
        }
        const built = brinkImageService(s.image);
        if (built === undefined || s.ports.length === 0) continue;
        const own = built === "all" ? Object.values(EDGEX_PORTS) : [EDGEX_PORTS[built]];
        for (const p of s.ports) assert.ok(own.includes(p.containerPort), `${s.name}: ${p.containerPort} is a port of ${built}`);
        if (built === "all") {
          for (const e of embeddedServices()) assert.ok(s.ports.some((p) => p.containerPort === EDGEX_PORTS[e]), `${e} (in brink start) is published`);
        } else assert.equal(s.ports[0]?.containerPort, EDGEX_PORTS[built], `${s.name}: publishes ${EDGEX_PORTS[built]}`);
      }
    });

    it("declares every volume and secret it uses, uses every one it declares, and keeps data under the image's data directory", () => {
      const dataDir = imageEnv({ SERVICE: "x" }).BRINK_DATA_DIR;
      assert.equal(dataDir, "/data");
      const usedVolumes = new Set<string>();
      const usedSecrets = new Set<string>();
      for (const s of services) {
        for (const m of s.mounts) {
          if (m.kind === "volume") {
            assert.ok(compose.volumes.includes(m.source), `${s.name}: volume ${m.source} is declared`);
            usedVolumes.add(m.source);
            if (brinkImageService(s.image) !== undefined) assert.equal(m.target, dataDir, `${s.name}: ${m.source} holds the data directory`);
          } else assert.ok(existsSync(m.source), `${s.name}: bind source ${m.source} exists`);
        }
        for (const name of s.secrets) {
          assert.ok(name in compose.secrets, `${s.name}: secret ${name} is declared`);
          usedSecrets.add(name);
        }
        for (const [k, v] of Object.entries(s.environment)) {
          const m = /^\/run\/secrets\/(.+)$/.exec(v);
          if (m) assert.ok(s.secrets.includes(m[1] as string), `${s.name}: ${k} names secret ${m[1]}, which it mounts`);
        }
      }
      assert.deepEqual([...usedVolumes].sort(), [...compose.volumes].sort(), "every declared volume is used");
      assert.deepEqual([...usedSecrets].sort(), Object.keys(compose.secrets).sort(), "every declared secret is used");
      for (const [name, path] of Object.entries(compose.secrets)) assert.match(path, /\/docker\/secrets\/[a-z_]+$/, `secret ${name} lives in docker/secrets/`);
    });

    it("sets only environment variables the services (or the scripts they run) read", async () => {
      for (const s of brink) {
        const built = brinkImageService(s.image) as string;
        const script = s.entrypoint?.find((a) => a.startsWith("/app/"));
        const names =
          script === undefined
            ? (await allowedEnv(built === "all" ? "all" : s.name, embeddedServices())).names
            : new Set([...readFileSync(join(REPO_ROOT, script.replace(/^\/app\//, "")), "utf8").matchAll(/process\.env\.([A-Z_0-9]+)/g)].map((m) => m[1]));
        for (const key of Object.keys(s.environment)) assert.ok(names.has(key), `${s.name}: ${key} is read by ${script ?? built}`);
      }
    });

    it("gives nats-server every variable its config file reads", () => {
      for (const s of services.filter((x) => x.image.startsWith("nats:"))) {
        const provided = new Set(Object.keys(s.environment));
        // The entry point fills the token from the secret file.
        for (const m of (s.entrypoint ?? []).join(" ").matchAll(/([A-Z_][A-Z0-9_]*)="(?:\\")?\$\(cat /g)) provided.add(m[1] as string);
        for (const config of ["nats.conf", "leaf.conf"]) {
          for (const v of natsConfigVariables(join(REPO_ROOT, "docker/nats", config))) assert.ok(provided.has(v), `${s.name}: ${config} reads $${v}`);
        }
      }
    });

    it("restarts long-running services, limits every service's memory and depends only on services it has", () => {
      for (const s of services) {
        const oneShot = s.ports.length === 0;
        assert.equal(s.restart, oneShot ? "on-failure" : "unless-stopped", `${s.name}: restart policy`);
        assert.match(s.memoryLimit ?? "", /^\d+[MG]$/, `${s.name}: memory limit`);
        for (const d of Object.keys(s.dependsOn)) assert.ok(d in compose.services, `${s.name} depends on ${d}, which exists`);
      }
    });

    it("documents every variable it interpolates in docs/deployment.md", () => {
      const doc = readFileSync(DEPLOYMENT_DOC, "utf8");
      for (const v of compose.variables) assert.ok(doc.includes(v), `${v} is documented`);
    });

    it("runs Brink containers unprivileged with a read-only root file system", () => {
      for (const s of brink.filter((x: ComposeService) => x.ports.length > 0)) {
        assert.equal(s.raw.read_only, true, `${s.name}: read_only`);
        assert.deepEqual(s.raw.cap_drop, ["ALL"], `${s.name}: cap_drop`);
      }
    });
  });
}
