/**
 * The dashboard of a real dist/standd, with real dist/burnerd processes on
 * fake drives, in headless Chromium: every burner and the queue are shown,
 * and the page follows a burn as it progresses, without a reload.
 */
import { afterEach, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromiumMissing, withBrowser } from "../helpers/browser.ts";
import { tempDir } from "../helpers/fs.ts";
import { type Background, background, programArgv } from "../helpers/process.ts";
import { StandConn, startStandd } from "../helpers/stand.ts";

const procs: Background[] = [];
const conns: StandConn[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
});

const missing = chromiumMissing();
if (missing) console.warn(`SKIPPED: the dashboard in Chromium: ${missing}`);

test.skipIf(missing !== undefined)(
  "the dashboard shows every burner and the queue, and follows a burn live",
  async () => {
    const dir = tempDir("stand-dash");
    const isos = join(dir, "isos");
    mkdirSync(isos);
    const data = randomBytes(6_000_000);
    writeFileSync(join(isos, "ubuntu-demo.iso"), data);
    const hash = createHash("md5").update(data).digest("hex");
    const nobody = createHash("md5").update("an image no burner holds").digest("hex");
    const s = await startStandd(join(dir, "state"), { http: true });
    procs.push(s.proc);
    for (const [name, fake] of [["slow", "type=CDR,rate=1M,reload=0"], ["dvd", "type=DVD,rate=64M,start=empty"]]) {
      procs.push(background([
        ...programArgv("burnerd"),
        "--server",
        `127.0.0.1:${s.port}`,
        `--fake=${fake}`,
        "--iso-dir",
        isos,
        "--id-file",
        join(dir, `${name}.id`),
      ]));
    }
    await withBrowser(dir, async (browser) => {
      const page = await browser.open(`http://127.0.0.1:${s.httpPort}/`);
      await page.waitForSelector("#conn[data-conn='live']");
      await page.waitForFunction("document.querySelectorAll('#tiles .tile').length === 2", undefined, {
        timeout: 10_000,
      });
      await page.waitForSelector("#tiles .tile[data-state='avail']", { timeout: 10_000 });
      await page.evaluate("window.marker = 'no reload'");

      const ui = await StandConn.open(s.port, "COMMAND");
      conns.push(ui);
      expect(await ui.ask({ type: "QUEUE", hash, prio: 20 }, { type: "QUEUE", hash: nobody, prio: 30 })).toEqual([
        { type: "QOK" },
        { type: "QOK" },
      ]);
      // The job nobody can burn waits in the queue, and the dashboard says so.
      await page.waitForSelector("#queue tbody tr[data-item='2']");
      await page.waitForSelector("#alerts li[data-alert='no-burner']");
      // The burn progresses on the page: 25 %, then 50 %, each shown without a reload.
      const burning = "#tiles .tile[data-state='burning']";
      await page.waitForSelector(`${burning} .pct[data-pct='25']`, { timeout: 15_000 });
      await page.waitForSelector(`${burning} .pct[data-pct='50']`, { timeout: 15_000 });
      expect(await page.locator(`${burning} .filename`).textContent()).toBe("ubuntu-demo.iso");
      const screenshot = join(dir, "dashboard.png");
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(existsSync(screenshot)).toBe(true);
      await page.waitForSelector("#history tbody tr[data-outcome='PASS']", { timeout: 20_000 });
      expect(await page.evaluate("window.marker")).toBe("no reload");
      expect(browser.errors).toEqual([]);
    });
  },
  60_000,
);
