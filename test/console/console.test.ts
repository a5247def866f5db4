/**
 * The web console in a real browser (Debian chromium through playwright-core) against `brink start` with a token:
 * sign-in, the device list, the live chart, the command form, lock and unlock, profile upload with problems at
 * their lines, and health. With BRINK_CONSOLE_SCREENSHOTS=<dir> it saves a screenshot of each page there
 * (docs/img holds the ones docs/console.md shows).
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { httpJson, waitFor } from "../harness/index.js";
import { REPO_ROOT } from "../e2e/brink-process.js";
import { launchChromium, type Browser } from "./browser.js";
import { startBrinkWithConsole, type BrinkWithConsole } from "./brink-fixture.js";

const TOKEN = "console-browser-token";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const DEVICE = "Random-Float-Device";
const FLOAT_PROFILE = readFileSync(join(REPO_ROOT, "device-profiles/virtual/device.virtual.float.yaml"), "utf8");
const SCREENSHOTS = process.env.BRINK_CONSOLE_SCREENSHOTS;

describe("web console in chromium", function () {
  this.timeout(90_000);
  let brink: BrinkWithConsole;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "brink-console-browser-"));

  const shot = async (name: string): Promise<void> => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  };
  const pushRead = async (resource: string): Promise<void> => {
    const res = await httpJson("GET", `${brink.consoleUrl}/core-command/api/v3/device/name/${DEVICE}/${resource}?ds-pushevent=true`, undefined, AUTH);
    assert.equal(res.status, 200);
  };

  before(async () => {
    brink = await startBrinkWithConsole({ token: TOKEN });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await browser?.close();
    await brink?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    assert.deepEqual(pageErrors, [], "the page threw");
  });

  it("asks for the token, refuses a wrong one, and signs in with the right one", async () => {
    await page.goto(`${brink.consoleUrl}/#/devices`);
    const token = page.locator("input[name=token]");
    await token.waitFor();
    await shot("sign-in");
    await token.fill("wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That token is not valid.").waitFor();
    await token.fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("table#devices").waitFor();
  });

  it("lists Random-Float-Device with its service, profile, state and last reading", async () => {
    const row = page.locator(`tr[data-device="${DEVICE}"]`);
    await row.waitFor();
    const cells = await row.locator("td").allInnerTexts();
    assert.deepEqual(cells.slice(0, 5), [DEVICE, "device-virtual", DEVICE, "UP", "UNLOCKED"]);
    await page.locator(".stream.live").waitFor();
    const last = row.locator("td.last-reading");
    const before = await last.getAttribute("title");
    await pushRead("Float64");
    await waitFor(async () => (await last.getAttribute("title")) !== before && /s ago/.test(await last.innerText()), { timeoutMs: 10_000, message: "the new reading's time shows up live" });
    await page.locator("select[name=label]").selectOption("device-virtual-example");
    assert.ok((await page.locator("table#devices tbody tr").count()) >= 6);
    await shot("devices");
  });

  it("charts new readings as they are published", async () => {
    await page.goto(`${brink.consoleUrl}/#/devices/${DEVICE}`);
    await page.locator(".stream.live").waitFor();
    // The chart takes readings once its effect has run, which sets data-points: readings pushed before that are not
    // charted (a race the test lost once under a loaded machine).
    const chart = page.locator("#live-chart[data-points]");
    await chart.waitFor();
    const points = async (): Promise<number> => Number((await chart.getAttribute("data-points")) ?? "0");
    const before = await points();
    for (let i = 0; i < 3; i++) {
      await pushRead("Float32");
      await pushRead("Float64");
    }
    await waitFor(async () => (await points()) >= before + 6, { timeoutMs: 10_000, message: "six new points on the chart" });
    await pushRead("Float64");
    await waitFor(async () => (await points()) >= before + 7, { timeoutMs: 10_000, message: "one more point" });
    if (SCREENSHOTS) {
      // For the docs: a fresh chart with a few seconds of two slow waves, rather than random values across the whole
      // float range.
      await page.reload();
      await page.locator(".stream.live").waitFor();
      for (let i = 0; i < 24; i++) {
        const settings = { Float32: (20 + 5 * Math.sin(i / 3)).toFixed(2), Float64: (60 + 20 * Math.cos(i / 4)).toFixed(2) };
        for (const [resource, value] of Object.entries(settings)) {
          await httpJson("PUT", `${brink.consoleUrl}/core-command/api/v3/device/name/${DEVICE}/${resource}`, { [resource]: value }, AUTH);
          await pushRead(resource);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      await page.waitForTimeout(300);
    }
    await shot("device");
  });

  it("writes 42.5 through the command form, and the next read shows 42.5", async () => {
    const form = page.locator('[data-command="WriteFloat64Value"] form');
    await form.locator("input[name=Float64]").fill("42.5");
    await form.getByRole("button", { name: "Write" }).click();
    await form.getByText(/written at/).waitFor();
    const reader = page.locator('[data-command="Float64"]');
    await reader.getByRole("button", { name: "Read" }).click();
    const value = reader.locator('td.value[data-resource="Float64"]');
    await value.waitFor();
    assert.equal(await value.innerText(), "42.5");
  });

  it("checks a value against the profile before sending it", async () => {
    const form = page.locator('[data-command="WriteFloat64Value"] form');
    await form.locator("input[name=Float64]").fill("forty");
    await form.getByText("a number is needed for Float64").waitFor();
    assert.equal(await form.getByRole("button", { name: "Write" }).isDisabled(), true);
    await form.locator("input[name=Float64]").fill("");
  });

  it("locks the device, shows the API's error inline on a write, and unlocks it", async () => {
    await page.locator("button#lock").click();
    await page.locator("#admin-state").getByText("LOCKED").waitFor();
    const form = page.locator('[data-command="WriteFloat64Value"] form');
    await form.locator("input[name=Float64]").fill("1.5");
    await form.getByRole("button", { name: "Write" }).click();
    const error = form.locator(".error");
    await error.waitFor();
    assert.match(await error.innerText(), /^LOCKED\b/);
    await page.locator("button#unlock").click();
    await page.locator("#admin-state").getByText("UNLOCKED").waitFor();
    await form.getByRole("button", { name: "Write" }).click();
    await form.getByText(/written at/).waitFor();
  });

  it("shows a bad profile's problems at their lines before saving anything", async () => {
    const bad = join(dir, "bad-profile.yaml");
    const text = FLOAT_PROFILE.replace('name: "Random-Float-Device"', 'name: "Browser-Bad"').replace('valueType: "Float64"\n', 'valueType: "Float65"\n');
    writeFileSync(bad, text);
    const line = text.split("\n").findIndex((l) => l.includes("Float65")) + 1;
    await page.goto(`${brink.consoleUrl}/#/profiles`);
    await page.locator(`tr[data-profile="${DEVICE}"]`).waitFor();
    await page.locator("input[name=profile]").setInputFiles(bad);
    const marked = page.locator(`.yaml-line.has-problem[data-line="${line}"]`);
    await marked.waitFor();
    assert.match(await marked.locator(".problem").innerText(), /deviceResources\[3\]\.properties\.valueType.*Float65/);
    assert.equal(await page.locator(".yaml-line.has-problem").count(), 1);
    assert.equal(await page.locator("button#save").count(), 0, "nothing can be saved");
    await shot("profile-upload");
    assert.equal((await httpJson("GET", `${brink.consoleUrl}/core-metadata/api/v3/deviceprofile/name/Browser-Bad`, undefined, AUTH)).status, 404);
  });

  it("uploads a good profile, then views it as YAML", async () => {
    const good = join(dir, "good-profile.yaml");
    writeFileSync(good, FLOAT_PROFILE.replace('name: "Random-Float-Device"', 'name: "Browser-Good"'));
    await page.locator("input[name=profile]").setInputFiles(good);
    await page.locator("#check-ok").waitFor();
    await page.locator("button#save").click();
    await page.getByText("saved Browser-Good").waitFor();
    await page.locator('tr[data-profile="Browser-Good"] a').click();
    const first = page.locator('.yaml-line[data-line="1"] code');
    await first.waitFor();
    assert.equal(await first.innerText(), "name: Browser-Good");
    await shot("profile");
    await page.goto(`${brink.consoleUrl}/#/profiles`);
    await page.locator('tr[data-profile="Browser-Good"]').waitFor();
    await shot("profiles");
  });

  it("shows each service's ping and version, the bus, and the panels of services as they land", async () => {
    const runs = (service: string): boolean => brink.ports[service] !== undefined;
    if (runs("app-service")) {
      const pipeline = {
        name: "console-demo",
        trigger: { type: "bus", subjects: ["edgex/events/device/#"] },
        functions: [{ name: "FilterByDeviceName", params: { patterns: [DEVICE] } }, { name: "ToEdgeXEvent" }, { name: "HttpExport", params: { url: "http://127.0.0.1:9/ingest" } }],
      };
      assert.equal((await httpJson("PUT", `${brink.consoleUrl}/app-service/api/v3/pipeline`, pipeline, AUTH)).status, 201);
    }
    if (runs("rules-engine")) {
      const rule = `name: float-high\nsource:\n  device: ${DEVICE}\nwhen: Float64 > 40\nactions:\n  - type: notify\n    category: console-demo\n    severity: MINOR\n    content: "\${$device}: Float64 is \${Float64}"\n`;
      const res = await httpJson("PUT", `${brink.consoleUrl}/rules-engine/api/v3/rule/name/float-high`, rule, { ...AUTH, "content-type": "application/yaml" });
      assert.equal(res.status, 201);
      await httpJson("PUT", `${brink.consoleUrl}/core-command/api/v3/device/name/${DEVICE}/WriteFloat64Value`, { Float64: "42.5" }, AUTH);
      await pushRead("Float64");
    }
    await page.goto(`${brink.consoleUrl}/#/health`);
    const metadata = page.locator('tr[data-service="core-metadata"]');
    await metadata.waitFor();
    assert.match(await metadata.innerText(), /UP\s+[\d.]+ ms\s+0\.1\.0/);
    assert.match(await page.locator("#bus").innerText(), /bus inprocess\s+UP\s+connected/);
    if (runs("app-service")) {
      const row = page.locator('#pipelines tr[data-pipeline="console-demo"]');
      await row.waitFor();
      assert.match(await row.innerText(), /console-demo\s+running/);
    } else await page.locator("#pipelines .not-running").waitFor();
    if (runs("rules-engine")) {
      const rule = page.locator('#rules tr[data-rule="float-high"]');
      await waitFor(async () => /s ago\s+ok\s+Random-Float-Device/.test(await rule.innerText()), { timeoutMs: 15_000, message: "the rule's firing shows" });
      const notification = page.locator("#notifications tr[data-notification]").first();
      await notification.getByText("Float64 is 42.5").waitFor({ timeout: 15_000 });
      await shot("health");
      await notification.getByRole("button", { name: "Acknowledge" }).click();
      await waitFor(async () => /ACKNOWLEDGED/.test(await notification.innerText()), { timeoutMs: 15_000, message: "the notification is acknowledged" });
      assert.equal(await notification.getByRole("button", { name: "Acknowledge" }).count(), 0);
    } else {
      await page.locator("#rules .not-running").waitFor();
      await shot("health");
    }
  });
});
