/**
 * standd's dashboard page in headless Chromium (spec §8 item 7), served by
 * serveDashboard over a scripted source: tiles, live progress over SSE
 * without a reload, FAIL in red, labels as text, recovery after a server
 * restart, the DVD alert, and a screenshot.
 */
import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { createLog } from "../../lib/log.ts";
import { type Dashboard, serveDashboard } from "../../lib/stand/io/dashboard.ts";
import { chromiumMissing, withBrowser } from "../helpers/browser.ts";
import { tempDir } from "../helpers/fs.ts";
import { burnerView, H1, HDVD, ScriptedSource } from "./dashboard-source.ts";

const B1 = "233c343e144c59081b9ea1da568a72e8";
const B2 = "4a8e2f1a79f1f8507d5cdbdebb993219";
const B3 = "9b1f0e7c2d4a4b5e8f6a7c8d9e0f1a2b";
const EVIL = "<img src=x onerror=alert(1)>";
const missing = chromiumMissing();

describe(missing ? `dashboard in Chromium (skipped: ${missing})` : "dashboard in Chromium", () => {
  test.skipIf(missing !== undefined)(
    "shows every burner, follows a burn live, survives a server restart",
    async () => {
      const dir = tempDir("dashboard");
      const logged: string[] = [];
      const log = createLog("standd", "quiet", (line) => logged.push(line));
      const now = Date.now();
      const source = new ScriptedSource({
        burners: [
          burnerView(B1, { label: EVIL }),
          burnerView(B2, { label: "left-2" }),
          burnerView(B3, {
            phase: "FAIL",
            state: "FAIL",
            subject: H1,
            fails: 1,
            lastError: "BURN: NOSPACE: disc full",
          }),
        ],
        queue: [
          { item: 1, hash: H1, prio: 50, seq: 1, attempt: 1, queuedAt: now },
          { item: 2, hash: HDVD, prio: 50, seq: 2, attempt: 1, queuedAt: now },
        ],
      });
      let dashboard: Dashboard | undefined = await serveDashboard({ host: "127.0.0.1", port: 0, source, log });
      const port = dashboard.port;
      try {
        await withBrowser(dir, async (browser) => {
          const page = await browser.open(`http://127.0.0.1:${port}/`);
          await page.waitForSelector("#conn[data-conn='live']");
          const tile = (id: string) => page.locator(`#tiles .tile[data-burner='${id}']`);
          const percent = (id: string, p: number, timeout = 5000) =>
            page.waitForSelector(`#tiles .tile[data-burner='${id}'] .pct[data-pct='${p}']`, { timeout });

          // Tiles for all burners, in order.
          await page.waitForFunction("document.querySelectorAll('#tiles .tile').length === 3");
          const attrs = async (selector: string, name: string) =>
            await Promise.all((await page.locator(selector).all()).map((l) => l.getAttribute(name)));
          expect(await attrs("#tiles .tile", "data-burner")).toEqual([B1, B2, B3]);
          expect(await attrs("#queue tbody tr", "data-item")).toEqual(["1", "2"]);

          // Progress over SSE, no reload.
          await page.evaluate("window.marker = 42");
          const startedAt = Date.now();
          source.setBurner(B2, { phase: "BURNING", state: 25, subject: H1, startedAt, imageBytes: 700_000_000 });
          await percent(B2, 25);
          expect(await tile(B2).locator(".pct").textContent()).toBe("25%");
          expect(await tile(B2).getAttribute("data-state")).toBe("burning");
          expect(await tile(B2).locator(".filename").textContent()).toBe("ubuntu-8.10-desktop-i386.iso");
          source.setBurner(B2, { state: 50 });
          await percent(B2, 50);
          expect(await tile(B2).locator(".fill").getAttribute("style")).toBe("width: 50%;");
          expect(await page.evaluate("window.marker")).toBe(42);

          // FAIL is red.
          expect(await tile(B3).getAttribute("data-state")).toBe("fail");
          const background = `getComputedStyle(document.querySelector("[data-burner='${B3}']")).backgroundColor`;
          expect(await page.evaluate(background)).toBe("rgb(198, 40, 40)");
          expect(await tile(B3).locator(".error").textContent()).toBe("BURN: NOSPACE: disc full");

          // A hostile label is text.
          expect(await tile(B1).locator(".name").textContent()).toBe(EVIL);
          expect(await page.locator("#tiles img").count()).toBe(0);

          // No connected DVD burner for the DVD job.
          const dvdAlert = page.locator("#alerts li[data-alert='dvd-no-burner']");
          await dvdAlert.waitFor();
          expect(await dvdAlert.textContent()).toContain("dvd-image.iso");
          expect(await page.locator("#alerts-section").isVisible()).toBe(true);

          // The server goes away and comes back on the same port: the page follows without a reload.
          await dashboard!.close();
          dashboard = undefined;
          await page.waitForSelector("#conn:not([data-conn='live'])");
          source.setBurner(B2, { state: 75 });
          dashboard = await serveDashboard({ host: "127.0.0.1", port, source, log });
          await percent(B2, 75, 8000);
          await page.waitForSelector("#conn[data-conn='live']");
          expect(await page.evaluate("window.marker")).toBe(42);

          const shot = join(dir, "dashboard.png");
          await page.screenshot({ path: shot, fullPage: true });
          expect(statSync(shot).size).toBeGreaterThan(1000);
          expect(browser.dialogs).toEqual([]);
          expect(browser.errors).toEqual([]);
        });
      } finally {
        await dashboard?.close();
      }
      expect(logged).toEqual([]);
    },
    20_000,
  );
});
