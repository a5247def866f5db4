/**
 * The client verbs of `brink`, talking to a running Brink over REST through the console (`--url`, `--token`):
 * devices, read, write, readings tail, profile validate/upload, discover. Each verb's code is loaded only when it
 * runs, so `brink start` and `brink run` pay nothing for them.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import type { BrinkClient } from "./brink-client.js";
import { ExitCode, STDIO, reportError, type Output } from "./output.js";

/** Options every client verb takes. */
interface CommonOptions {
  url: string;
  token?: string;
  json?: boolean;
}

/** Where a verb's process exit goes; tests replace it. */
export interface VerbRuntime {
  readonly output: Output;
  readonly exit: (code: number) => void;
  readonly env: Record<string, string | undefined>;
}

const DEFAULT_RUNTIME: VerbRuntime = { output: STDIO, exit: (code) => process.exit(code), env: process.env };

function withCommon(cmd: Command, env: Record<string, string | undefined>): Command {
  return cmd
    .addOption(new Option("--url <url>", "the Brink console to talk to (env BRINK_URL)").default(env.BRINK_URL || "http://127.0.0.1:4000"))
    .addOption(new Option("--token <token>", "API token, when Brink has one (env BRINK_API_TOKEN)").default(env.BRINK_API_TOKEN || undefined, env.BRINK_API_TOKEN ? "$BRINK_API_TOKEN" : undefined))
    .option("--json", "print JSON for scripts instead of tables");
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("a whole number, 0 or more");
  return n;
}

function parseSeconds(value: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0) throw new InvalidArgumentError("a number of seconds above 0");
  return s * 1000;
}

/** Usage errors of the client verbs exit 2 (help and --version exit 0), so scripts can tell them from failures. */
function usageExits(cmd: Command, exit: (code: number) => void): void {
  cmd.exitOverride((err) => {
    exit(err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage);
    throw err;
  });
  for (const sub of cmd.commands) usageExits(sub, exit);
}

/** Adds the client verbs to `program`. */
export function registerClientCommands(program: Command, runtime: VerbRuntime = DEFAULT_RUNTIME): void {
  const { output, env } = runtime;
  const clientOf = async (o: CommonOptions): Promise<BrinkClient> => {
    const { BrinkClient } = await import("./brink-client.js");
    return new BrinkClient({ url: o.url, token: o.token });
  };
  /** Runs a verb: exit 0 when it resolves true (or nothing), 1 when false, the error's code when it throws. */
  const run = (o: CommonOptions, verb: () => Promise<boolean | void>): Promise<void> =>
    verb().then(
      (ok) => runtime.exit(ok === false ? ExitCode.Failed : ExitCode.Ok),
      (err: unknown) => runtime.exit(reportError(err, o.json === true, output)),
    );

  const devices = program.command("devices").description("list, show, lock and unlock devices");
  withCommon(devices.command("list", { isDefault: true }), env)
    .description("every device: service, profile, UP/DOWN, LOCKED, last reading")
    .option("--label <label>", "only devices with this label")
    .option("--service <service>", "only devices of this device service")
    .option("--profile <profile>", "only devices of this profile")
    .action((o: CommonOptions & { label?: string; service?: string; profile?: string }) =>
      run(o, async () => (await import("./devices.js")).devicesList(await clientOf(o), { label: o.label, service: o.service, profile: o.profile }, o.json === true, output)),
    );
  withCommon(devices.command("show").argument("<device>", "device name"), env)
    .description("a device: its state, protocols, resources with their latest values, and commands")
    .action((name: string, o: CommonOptions) => run(o, async () => (await import("./devices.js")).devicesShow(await clientOf(o), name, o.json === true, output)));
  for (const [verb, state] of [
    ["lock", "LOCKED"],
    ["unlock", "UNLOCKED"],
  ] as const) {
    withCommon(devices.command(verb).argument("<device>", "device name"), env)
      .description(`set a device's adminState to ${state}${state === "LOCKED" ? " (commands to it are refused with 423)" : ""}`)
      .action((name: string, o: CommonOptions) => run(o, async () => (await import("./devices.js")).setAdminState(await clientOf(o), name, state, o.json === true, output)));
  }

  withCommon(program.command("read").argument("<device>", "device name").argument("<command>", "command or resource name"), env)
    .description("read a command of a device (GET through core-command)")
    .option("--push", "also publish the event, so core-data stores it and live views show it")
    .action((device: string, command: string, o: CommonOptions & { push?: boolean }) =>
      run(o, async () => (await import("./commands.js")).read(await clientOf(o), device, command, { push: o.push === true }, o.json === true, output)),
    );

  withCommon(program.command("write").argument("<device>", "device name").argument("<command>", "command or resource name").argument("<settings...>", "resource=value ..."), env)
    .description("write a command of a device (PUT through core-command), e.g. brink write Pump-1 SetSpeed Speed=1200")
    .action((device: string, command: string, settings: string[], o: CommonOptions) =>
      run(o, async () => (await import("./commands.js")).write(await clientOf(o), device, command, settings, o.json === true, output)),
    );

  const readings = program.command("readings").description("live readings");
  withCommon(readings.command("tail").argument("<devices...>", "device names"), env)
    .description("follow a device's readings live, as they are published (Ctrl-C to stop)")
    .option("-n, --count <n>", "stop after n readings (0: follow until interrupted)", parseCount, 0)
    .option("-r, --resource <name...>", "only these resources")
    .action((names: string[], o: CommonOptions & { count: number; resource?: string[] }) =>
      run(o, async () => {
        const controller = new AbortController();
        const onSignal = (): void => controller.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        try {
          await (await import("./readings.js")).tail(await clientOf(o), names, { count: o.count, resources: o.resource ?? [], signal: controller.signal }, o.json === true, output);
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        }
      }),
    );

  const profile = program.command("profile").description("validate and upload device profiles");
  profile
    .command("validate")
    .argument("<files...>", "EdgeX v3 device-profile YAML (or JSON) files")
    .option("--json", "print JSON for scripts instead of text")
    .description("check profiles offline with the same validation as core-metadata: every problem, with its line")
    .action((files: string[], o: { json?: boolean }) => run({ url: "", ...o }, async () => (await import("./profiles.js")).validate(files, o.json === true, output)));
  withCommon(profile.command("upload").argument("<file>", "EdgeX v3 device-profile YAML file"), env)
    .description("validate a profile, then upload it to core-metadata (nothing is sent when it has problems)")
    .option("--replace", "replace the stored profile of the same name")
    .action((file: string, o: CommonOptions & { replace?: boolean }) =>
      run(o, async () => (await import("./profiles.js")).upload(await clientOf(o), file, { replace: o.replace === true }, o.json === true, output)),
    );

  withCommon(program.command("discover").argument("<service>", "device service name, such as device-modbus"), env)
    .description("run a device service's discovery and show its progress and the devices it adds")
    .option("--timeout <seconds>", "stop waiting for the end of the run after this long", parseSeconds, 60_000)
    .action((service: string, o: CommonOptions & { timeout: number }) =>
      run(o, async () => {
        await (await import("./discover.js")).discover(await clientOf(o), service, { timeoutMs: o.timeout }, o.json === true, output);
      }),
    );

  for (const cmd of program.commands) if (CLIENT_VERBS.has(cmd.name())) usageExits(cmd, runtime.exit);
}

/** The top-level verbs this module adds. */
export const CLIENT_VERBS: ReadonlySet<string> = new Set(["devices", "read", "write", "readings", "profile", "discover"]);
