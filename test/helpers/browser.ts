/**
 * Headless Chromium for tests, through playwright-core and Debian's
 * /usr/bin/chromium (CI installs it; nothing is downloaded). A session
 * runs in a fresh profile directory and is always closed: the browser is
 * killed by pid if it will not close, and the profile is removed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { withTimeout } from "../../lib/runtime/time.ts";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, offline, sandbox-less headless run. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (install Debian's chromium package)`;
}

/** An open browser and what its pages did that a test may want to refuse. */
export interface BrowserSession {
  context: BrowserContext;
  /** A new page at `url` (loaded), whose dialogs and errors are recorded. */
  open(url: string): Promise<Page>;
  /** Messages of dialogs (alert, confirm…) any page opened; each was dismissed. */
  dialogs: string[];
  /** Uncaught page exceptions, and console errors about the content security policy. */
  errors: string[];
}

/** Pids of processes whose command line names `dir` (the session's profile). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes(dir)) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * Run `fn` with a headless Chromium whose profile is a new directory under
 * `dir`; the browser is closed and the profile removed afterwards, however
 * `fn` ends.
 *
 * @example
 * ```ts
 * await withBrowser(tempDir("dash"), async (b) => {
 *   const page = await b.open(`http://127.0.0.1:${port}/`);
 *   await page.waitForSelector("#conn[data-conn='live']");
 * });
 * ```
 */
export async function withBrowser<T>(dir: string, fn: (session: BrowserSession) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(dir, "chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 15_000,
  }).catch((err) => {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  });
  const session: BrowserSession = {
    context,
    dialogs: [],
    errors: [],
    async open(url) {
      const page = await context.newPage();
      page.on("dialog", (dialog) => {
        session.dialogs.push(dialog.message());
        void dialog.dismiss().catch(() => {});
      });
      page.on("pageerror", (err) => session.errors.push(`page error: ${err.message}`));
      page.on("console", (msg) => {
        if (msg.type() === "error" && /Content.Security.Policy/i.test(msg.text())) session.errors.push(msg.text());
      });
      await page.goto(url);
      return page;
    },
  };
  try {
    return await fn(session);
  } finally {
    await withTimeout(context.close().catch(() => {}), 5000);
    // A browser that would not close is killed: only ours name this profile.
    for (const pid of processesUsing(profile)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
