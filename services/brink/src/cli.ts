/**
 * `brink` command line: run Brink (`start`, `run <service>`) and, as they land, client verbs against a running Brink.
 */
import { Command } from "commander";
import { serveDistributed, serveEmbedded, fail } from "./serve.js";
import { serviceNames } from "./registry.js";
import { scaffoldDriver } from "./scaffold/new-driver.js";
import { configMarkdown, keysTable, serviceConfigKeys } from "./config-doc.js";
import { VERSION } from "./version.js";
import { registerClientCommands } from "./client/register.js";

const program = new Command("brink")
  .description("Brink: IoT device management for industrial edge gateways (EdgeX v3 compatible)")
  .version(VERSION);

program
  .command("start")
  .description("run every service in one process on the in-process bus (data in ./data or BRINK_DATA_DIR)")
  .option("--with <services>", "also run these services, comma-separated (device-modbus,device-opcua,device-serial); or BRINK_START_WITH")
  .action((opts: { with?: string }) => serveEmbedded(opts.with));

program
  .command("run")
  .argument("<service>", `one of: ${serviceNames().join(", ")}`)
  .description("run one service alone on NATS (BRINK_BUS_URL, default nats://127.0.0.1:4222)")
  .action((service: string) => serveDistributed(service));

program
  .command("new")
  .description("scaffold new code")
  .command("driver")
  .argument("<name>", "driver name, lower-case kebab (acme, acme-scale)")
  .option("--dir <dir>", "target folder (default: services/device-<name>)")
  .option("--port <port>", "HTTP port of the new device service", (v) => Number.parseInt(v, 10))
  .description("scaffold a device-service package from the worked example of docs/writing-a-driver.md")
  .action(async (name: string, opts: { dir?: string; port?: number }) => {
    try {
      const { dir, files } = await scaffoldDriver({ name, ...(opts.dir ? { dir: opts.dir } : {}), ...(opts.port ? { port: opts.port } : {}) });
      process.stdout.write(`created ${dir}\n${files.map((f) => `  ${f}`).join("\n")}\nnext: npm install (links the workspace), npx tsc -b ${dir}, then npm test in ${dir}\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command("config")
  .argument("[service]", "the service whose keys to list")
  .option("--markdown", "print the configuration reference of every service as markdown (docs/configuration.md)")
  .description("list a service's config keys with their environment variables, defaults and meaning")
  .action(async (service: string | undefined, opts: { markdown?: boolean }) => {
    try {
      if (opts.markdown || !service) process.stdout.write(await configMarkdown());
      else process.stdout.write(`${keysTable(await serviceConfigKeys(service))}\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command("services")
  .description("list the services brink can run")
  .action(() => {
    for (const name of serviceNames()) process.stdout.write(`${name}\n`);
  });

registerClientCommands(program);

await program.parseAsync(process.argv);
