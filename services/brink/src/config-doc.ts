/**
 * Config reference: every key of every service, with the variables that set it, its default and description, read
 * from the services' own schemas. `brink config <service>` prints it; docs/configuration.md is generated from it.
 */
import { configKeys, type ConfigKey } from "@brink/service-kit";
import { SERVICE_LOADERS, serviceNames } from "./registry.js";

/** The keys of one service's config. */
export async function serviceConfigKeys(service: string): Promise<ConfigKey[]> {
  const load = SERVICE_LOADERS[service];
  if (!load) throw new Error(`unknown service "${service}"`);
  return configKeys(await load());
}

const cell = (v: unknown): string => String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
const shown = (v: unknown): string => (v === undefined ? "" : `\`${cell(JSON.stringify(v))}\``);

/** One markdown table of a service's keys. */
export function keysTable(keys: readonly ConfigKey[]): string {
  const rows = keys.map((k) => `| \`${k.path}\` | ${k.type} | ${shown(k.default)} | ${k.env.map((e) => `\`${e}\``).join("<br>")} | ${cell(k.description)} |`);
  return ["| key | type | default | environment | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

const INTRO = `# Configuration

Every Brink service reads the same kinds of sources, later ones winning:

1. the defaults below;
2. a YAML file, when one is given (\`startService(def, { configFile })\`; a scaffolded driver's \`main.ts\` takes it as
   its first argument);
3. environment variables: the generic form \`BRINK_<SECTION>_<KEY>\` (\`BRINK_SERVICE_LOG_LEVEL\`), then the
   service-specific form \`BRINK_<SERVICE>_<SECTION>_<KEY>\` (\`BRINK_CORE_DATA_SERVICE_PORT\`), which wins. In
   \`brink start\` all services share one environment, so use the service-specific form for ports;
4. \`BRINK_DATA_DIR\` (default \`./data\`; each service uses a subfolder), \`BRINK_API_TOKEN\` (bearer token required
   on every route but ping), \`BRINK_LOG_LEVEL\`, and for \`brink run\`, \`BRINK_BUS_URL\` (NATS servers,
   comma-separated).

The result is validated against the schema (every problem is reported with its path and where the value came from)
and frozen. \`GET /api/v3/config\` shows a service's effective config, with secrets redacted. \`npx brink config
<service>\` prints the table of one service; this page is generated from the same schemas
(\`npx brink config --markdown > docs/configuration.md\`), and a test checks that it lists every key.
`;

/** The whole of docs/configuration.md. */
export async function configMarkdown(): Promise<string> {
  const sections: string[] = [INTRO];
  for (const service of serviceNames()) sections.push(`## ${service}\n\n${keysTable(await serviceConfigKeys(service))}\n`);
  return sections.join("\n");
}
