/**
 * `brink new driver <name>`: scaffolds a driver package that builds and passes its tests, starting from the worked
 * example of docs/writing-a-driver.md.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { BrinkErrorCode } from "../errors.js";
import * as t from "./templates.js";

/** The repository this `brink` belongs to (services/brink/{src,dist}/scaffold -> root). */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));

/** The worked example the driver is copied from. */
export const EXAMPLE_DRIVER = join(REPO_ROOT, "sdk/device-sdk/test/example/http-json-driver.ts");

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** First port tried for scaffolded services, above Brink's own. */
export const DEFAULT_SCAFFOLD_PORT = 59990;

export interface NewDriverOptions {
  /** Short name, lower-case kebab (`acme`, `acme-scale`). */
  readonly name: string;
  /** Target folder. @default `<repo>/services/device-<name>` */
  readonly dir?: string;
  /** @default 59990 */
  readonly port?: number;
}

const pascal = (s: string): string => s.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");

/** Writes the package; resolves with its folder and the files written (relative). Refuses an existing folder. */
export async function scaffoldDriver(options: NewDriverOptions): Promise<{ dir: string; files: string[] }> {
  const name = options.name.replace(/^device-/, "");
  if (!NAME.test(name)) {
    throw new ServiceError(ErrorKind.ContractInvalid, BrinkErrorCode.ScaffoldNameInvalid, `driver name "${options.name}" must be lower-case letters, digits and single dashes, starting with a letter`);
  }
  const dir = resolve(options.dir ?? join(REPO_ROOT, "services", `device-${name}`));
  if (existsSync(dir)) throw new ServiceError(ErrorKind.DuplicateName, BrinkErrorCode.ScaffoldExists, `${dir} already exists`);
  const n: t.ScaffoldNames = {
    name,
    service: `device-${name}`,
    pkg: `@brink/device-${name}`,
    driverClass: `${pascal(name)}Driver`,
    definition: `device${pascal(name)}Service`,
    port: options.port ?? DEFAULT_SCAFFOLD_PORT,
    root: relative(dir, REPO_ROOT).split("\\").join("/") || ".",
  };
  const example = await readFile(EXAMPLE_DRIVER, "utf8");
  const driver = example
    .replace(/^\/\*\*[\s\S]*?\*\/\n/, `/**\n * ${n.driverClass}: scaffolded from the worked example of docs/writing-a-driver.md (sensors that answer JSON\n * over HTTP). A device names its peer in \`protocols.http.baseUrl\`; a resource names its endpoint in \`attributes.path\`.\n */\n`)
    .replaceAll("HttpJsonDriver", n.driverClass);
  const files: Record<string, string> = {
    "package.json": t.packageJson(n),
    "tsconfig.json": t.tsconfigJson(n),
    ".mocharc.json": t.mocharc(),
    "README.md": t.readme(n),
    "src/driver.ts": driver,
    "src/service.ts": t.serviceTs(n),
    "src/main.ts": t.mainTs(n),
    "src/index.ts": t.indexTs(n),
    [`profiles/${name}-sensor.yaml`]: t.profileYaml(n),
    [`devices/${name}-devices.yaml`]: t.devicesYaml(n),
    "test/driver.test.ts": t.driverTestTs(n),
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return { dir, files: Object.keys(files) };
}
