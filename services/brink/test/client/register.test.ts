/** The client verbs' command line: usage errors exit 2, and profile validate runs offline with its exit codes. */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { registerClientCommands } from "../../src/client/register.js";
import { ExitCode } from "../../src/client/output.js";

const GOOD = readFileSync(new URL("../../../../device-profiles/virtual/device.virtual.float.yaml", import.meta.url), "utf8");

/** Runs `brink <args>` in process; resolves with the exit code and what was printed. */
async function brink(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  let out = "";
  let err = "";
  let code: number | undefined;
  const program = new Command("brink").exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  registerClientCommands(program, { output: { out: (t) => void (out += t), err: (t) => void (err += t) }, exit: (c) => void (code ??= c), env: {} });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch {
    // commander throws after a usage error; the exit code was recorded first
  }
  return { code, out, err };
}

describe("client verbs on the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "brink-cli-"));
  const good = join(dir, "good.yaml");
  const bad = join(dir, "bad.yaml");
  before(() => {
    writeFileSync(good, GOOD);
    writeFileSync(bad, GOOD.replace('valueType: "Float64"\n', 'valueType: "Float65"\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of [["read", "only-device"], ["write", "d", "c"], ["readings", "tail", "d", "--count", "x"], ["discover", "svc", "--timeout", "-1"], ["devices", "show"], ["devices", "list", "--nope"]]) {
    it(`exits 2 for the usage error of brink ${args.join(" ")}`, async () => {
      const r = await brink(args);
      assert.equal(r.code, ExitCode.Usage);
      assert.match(r.err, /error:/);
    });
  }

  it("validates good and bad profiles offline: exit 0, then exit 1 with every problem at its line", async () => {
    const ok = await brink(["profile", "validate", good]);
    assert.equal(ok.code, ExitCode.Ok);
    assert.match(ok.out, /valid: profile Random-Float-Device, 8 resources, 4 commands/);
    const line = GOOD.split("\n").findIndex((l) => l.includes('valueType: "Float64"')) + 1;
    const ko = await brink(["profile", "validate", good, bad]);
    assert.equal(ko.code, ExitCode.Failed);
    assert.ok(ko.out.includes(`${bad}:${line}: deviceResources[3].properties.valueType: unknown value type "Float65"`), ko.out);
  });

  it("prints the checks as JSON with --json", async () => {
    const r = await brink(["profile", "validate", "--json", bad]);
    assert.equal(r.code, ExitCode.Failed);
    const checks = JSON.parse(r.out) as { file: string; valid: boolean; problems: { line: number }[] }[];
    assert.equal(checks[0]?.valid, false);
    assert.equal(checks[0]?.problems.length, 1);
  });

  it("exits 1 with FILE_UNREADABLE for a file that is not there", async () => {
    const r = await brink(["profile", "validate", join(dir, "missing.yaml")]);
    assert.equal(r.code, ExitCode.Failed);
    assert.match(r.err, /FILE_UNREADABLE/);
  });

  it("exits 3 when no Brink answers at --url", async () => {
    const r = await brink(["devices", "list", "--url", "http://127.0.0.1:1"]);
    assert.equal(r.code, ExitCode.Unavailable);
    assert.match(r.err, /SERVICE_UNREACHABLE/);
  });
});
