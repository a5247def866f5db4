/**
 * Debian's chromium driven by playwright-core, as the console tests and the console benchmark use it: headless,
 * sandbox off (tests run as root), no network of its own, a fresh profile each time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { requireBinary } from "../harness/index.js";

/** Flags that keep chromium quiet on a machine without internet: no background fetches, updates or sync. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** A browser with its own profile directory, removed on close. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches /usr/bin/chromium (Debian package `chromium`); fails loudly when it is not installed. */
export async function launchChromium(options: { width?: number; height?: number; extraArgs?: readonly string[] } = {}): Promise<Browser> {
  const executablePath = requireBinary("/usr/bin/chromium", "chromium");
  const profile = mkdtempSync(join(tmpdir(), "brink-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.extraArgs ?? [])],
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
