/**
 * Structural checks of the K3s manifests in docker/k8s/: one Deployment and one Service per compose service, images
 * docker/Dockerfile builds, ports, probes on ping, every ConfigMap, Secret key and PersistentVolumeClaim referenced
 * exists, every environment variable is one the service reads, and pods run unprivileged with memory limits.
 */
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { loadCompose } from "./compose.js";
import { allowedEnv } from "./env-names.js";
import { brinkImageService } from "./local-compose.js";
import { EDGEX_PORTS, embeddedServices, serviceFolders } from "./services.js";

const DIR = join(REPO_ROOT, "docker/k8s");

// Manifests are loosely typed YAML; the checks read the fields they need.
type Obj = Record<string, any>;

const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();
const docs: (Obj & { file: string })[] = [];
for (const f of files) {
  for (const d of parseAllDocuments(readFileSync(join(DIR, f), "utf8"))) {
    if (d.errors.length > 0) throw new Error(`${f}: ${d.errors[0]?.message}`);
    const value = d.toJS() as Obj | null;
    if (value) docs.push({ ...value, file: f });
  }
}
const ofKind = (kind: string): (Obj & { file: string })[] => docs.filter((d) => d.kind === kind);
const named = (kind: string, name: string): Obj | undefined => ofKind(kind).find((d) => d.metadata?.name === name);
const kustomization = ofKind("Kustomization")[0] as Obj;
const compose = loadCompose(join(REPO_ROOT, "docker/compose.yml"), {});

function containersOf(workload: Obj): Obj[] {
  return workload.spec?.template?.spec?.containers ?? [];
}

describe("docker/k8s (K3s manifests)", () => {
  it("parses, and the kustomization lists every manifest", () => {
    assert.ok(kustomization, "kustomization.yaml");
    const listed = [...(kustomization.resources as string[])].sort();
    assert.deepEqual(listed, files.filter((f) => f !== "kustomization.yaml"));
  });

  it("has a Deployment and a ClusterIP Service for every long-running compose service, and a Job for the one-shot", () => {
    for (const s of Object.values(compose.services)) {
      if (s.ports.length === 0) {
        assert.ok(named("Job", s.name), `Job ${s.name}`);
        continue;
      }
      const deployment = named("Deployment", s.name);
      const service = named("Service", s.name);
      assert.ok(deployment, `Deployment ${s.name}`);
      assert.ok(service, `Service ${s.name}`);
      assert.equal(service.spec.type, "ClusterIP", `${s.name}: not exposed outside the cluster`);
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      for (const [k, v] of Object.entries(service.spec.selector as Record<string, string>)) assert.equal(labels[k], v, `${s.name}: selector ${k}`);
      assert.deepEqual(deployment.spec.selector.matchLabels, service.spec.selector, `${s.name}: Deployment selector`);
      const container = containersOf(deployment)[0] as Obj;
      const ports = (container.ports as Obj[]).map((p) => p.containerPort as number);
      assert.equal(ports[0], s.ports[0]?.containerPort, `${s.name}: container port as in compose`);
      for (const p of service.spec.ports as Obj[]) {
        const target = (container.ports as Obj[]).find((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
        assert.ok(target, `${s.name}: Service targets a container port`);
        assert.equal(p.port, target.containerPort, `${s.name}: Service port`);
      }
    }
  });

  it("runs images docker/Dockerfile builds, each with `run <its name>` on its EdgeX port, probed on ping", () => {
    const folders = serviceFolders();
    for (const d of [...ofKind("Deployment"), ...ofKind("Job")]) {
      for (const c of containersOf(d)) {
        assert.match(c.image, /:[\w.-]+$/, `${c.name}: pinned image`);
        assert.doesNotMatch(c.image, /:latest$/);
        const built = brinkImageService(c.image as string);
        if (built === undefined) {
          assert.match(c.image, /^nats:2\.\d+/, `${c.name}: known upstream image`);
          continue;
        }
        assert.ok(folders.includes(built), `${c.name}: ${c.image} is SERVICE=${built}`);
        if (d.kind === "Job") continue;
        assert.equal(built, d.metadata.name, `${d.metadata.name} runs its own image`);
        assert.deepEqual(c.args, ["run", built], `${built}: args`);
        assert.equal(c.ports[0].containerPort, EDGEX_PORTS[built], `${built}: port`);
        for (const probe of ["readinessProbe", "livenessProbe"]) {
          assert.equal(c[probe]?.httpGet?.path, "/api/v3/ping", `${built}: ${probe} on ping`);
          assert.equal(c[probe]?.httpGet?.port, c.ports[0].name, `${built}: ${probe} port`);
        }
      }
    }
  });

  it("references only ConfigMaps, Secret keys, volumes and claims that exist", () => {
    const secrets = new Map<string, Set<string>>();
    for (const g of (kustomization.secretGenerator ?? []) as Obj[]) {
      secrets.set(g.name as string, new Set((g.files as string[]).map((f) => f.split("=")[0] as string)));
    }
    for (const d of [...ofKind("Deployment"), ...ofKind("Job")]) {
      const spec = d.spec.template.spec as Obj;
      const volumes = new Map<string, Obj>(((spec.volumes ?? []) as Obj[]).map((v) => [v.name as string, v]));
      for (const v of volumes.values()) {
        if (v.persistentVolumeClaim) assert.ok(named("PersistentVolumeClaim", v.persistentVolumeClaim.claimName), `${d.metadata.name}: PVC ${v.persistentVolumeClaim.claimName}`);
        if (v.configMap) assert.ok(named("ConfigMap", v.configMap.name), `${d.metadata.name}: ConfigMap ${v.configMap.name}`);
      }
      for (const c of spec.containers as Obj[]) {
        for (const m of (c.volumeMounts ?? []) as Obj[]) assert.ok(volumes.has(m.name), `${d.metadata.name}: volume ${m.name} declared`);
        for (const from of (c.envFrom ?? []) as Obj[]) assert.ok(named("ConfigMap", from.configMapRef?.name), `${d.metadata.name}: envFrom ${from.configMapRef?.name}`);
        for (const e of (c.env ?? []) as Obj[]) {
          const secret = e.valueFrom?.secretKeyRef;
          if (secret) assert.ok(secrets.get(secret.name)?.has(secret.key), `${d.metadata.name}: secret ${secret.name}/${secret.key} is generated`);
          const cm = e.valueFrom?.configMapKeyRef;
          if (cm) assert.ok(named("ConfigMap", cm.name)?.data?.[cm.key] !== undefined, `${d.metadata.name}: ConfigMap ${cm.name} has ${cm.key}`);
        }
      }
    }
    for (const pvc of ofKind("PersistentVolumeClaim")) {
      const used = ofKind("Deployment").some((d) => ((d.spec.template.spec.volumes ?? []) as Obj[]).some((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name));
      assert.ok(used, `PVC ${pvc.metadata.name} is mounted`);
    }
  });

  it("keeps data on a PersistentVolumeClaim at /data wherever compose keeps it on a volume", () => {
    for (const s of Object.values(compose.services)) {
      if (!s.mounts.some((m) => m.kind === "volume") || s.ports.length === 0) continue;
      const d = named("Deployment", s.name) as Obj;
      const spec = d.spec.template.spec as Obj;
      const mount = ((containersOf(d)[0] as Obj).volumeMounts as Obj[]).find((m) => m.mountPath === "/data");
      assert.ok(mount, `${s.name}: /data mounted`);
      const volume = (spec.volumes as Obj[]).find((v) => v.name === mount.name);
      assert.ok(volume?.persistentVolumeClaim, `${s.name}: /data is a PVC`);
    }
  });

  it("sets only environment variables the services read, including those from the shared ConfigMap", async () => {
    const shared = Object.keys((named("ConfigMap", "brink-env") as Obj).data as Record<string, string>);
    for (const d of ofKind("Deployment")) {
      const c = containersOf(d)[0] as Obj;
      const built = brinkImageService(c.image as string);
      if (built === undefined) continue;
      const { names } = await allowedEnv(built, embeddedServices());
      const set = [...((c.env ?? []) as Obj[]).map((e) => e.name as string), ...((c.envFrom ?? []).length > 0 ? shared : [])];
      // BRINK_GATEWAY in the shared ConfigMap is for nats-server.
      for (const name of set.filter((n) => n !== "BRINK_GATEWAY")) assert.ok(names.has(name), `${built}: ${name}`);
    }
  });

  it("configures nats-server with docker/nats/nats.conf unchanged, and gives it every variable the file reads", () => {
    const cm = named("ConfigMap", "nats-config") as Obj;
    assert.equal(cm.data["nats.conf"], readFileSync(join(REPO_ROOT, "docker/nats/nats.conf"), "utf8"));
    const nats = containersOf(named("Deployment", "nats") as Obj)[0] as Obj;
    const provided = new Set(((nats.env ?? []) as Obj[]).map((e) => e.name as string));
    const text = (cm.data["nats.conf"] as string).replace(/#.*$/gm, "");
    for (const m of text.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)) assert.ok(provided.has(m[1] as string), `nats: $${m[1]}`);
    assert.deepEqual(nats.args.slice(-2), ["--store_dir", "/data"]);
  });

  it("runs pods as non-root with a read-only root file system, no privileges and a memory limit", () => {
    for (const d of [...ofKind("Deployment"), ...ofKind("Job")]) {
      const spec = d.spec.template.spec as Obj;
      assert.equal(spec.securityContext?.runAsNonRoot, true, `${d.metadata.name}: runAsNonRoot`);
      for (const c of spec.containers as Obj[]) {
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${c.name}: no privilege escalation`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${c.name}: read-only root`);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], `${c.name}: capabilities dropped`);
        assert.match(String(c.resources?.limits?.memory ?? ""), /^\d+Mi$/, `${c.name}: memory limit`);
      }
    }
  });
});
