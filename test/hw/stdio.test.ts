import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BurnEvent, BurnTool } from "../../hw/drive.ts";
import { DriveError } from "../../hw/drive.ts";
import { StdioDrive } from "../../hw/stdio.ts";
import { makeFifo } from "../../lib/runtime/fifo.ts";
import { tempDir } from "../helpers/fs.ts";
import { driveContract, makeImage, percents, type TestImage } from "./contract.ts";

const XORRISO = spawnSync("xorriso", ["-version"], { stdio: "ignore" }).status === 0;
const SKIPPED = " — SKIPPED: xorriso is not installed (apt-get install xorriso)";
const MB = 1048576;
const never = () => new AbortController().signal;

// Each real burn takes xorriso a second or two; a busy machine may take longer.
setDefaultTimeout(30_000);

/** An ISO of `bytes` random bytes in one file, built by xorriso as §8 item 4 does, in `t`/isos/test.iso. */
function makeIso(t: string, bytes: number): TestImage {
  mkdirSync(join(t, "src"));
  mkdirSync(join(t, "isos"));
  writeFileSync(join(t, "src", "random.bin"), randomBytes(bytes));
  const path = join(t, "isos", "test.iso");
  const made = spawnSync("xorriso", ["-as", "mkisofs", "-V", "TESTDISC", "-o", path, join(t, "src")], {
    encoding: "utf8",
  });
  if (made.status !== 0) throw new Error(`xorriso -as mkisofs failed: ${made.stderr}`);
  const data = readFileSync(path);
  return { path, bytes: data.length, md5: createHash("md5").update(data).digest("hex") };
}

async function burn(drive: StdioDrive, image: TestImage, tool: BurnTool = "xorriso") {
  const events: BurnEvent[] = [];
  const result = await drive.burn(
    { imagePath: image.path, imageBytes: image.bytes, tool },
    (e) => events.push(e),
    never(),
  );
  return { events, result };
}

if (XORRISO) {
  // A FIFO drained at 1 MB/s makes a 1.5 MB burn last long enough for xorriso's once-a-second progress lines.
  const image = makeImage(1.5 * MB);
  driveContract("StdioDrive on a FIFO, with the real xorriso", () => {
    const pipe = join(tempDir("stdio"), "pipe");
    makeFifo(pipe, 0o600);
    return Promise.resolve({ drive: new StdioDrive(`stdio:${pipe}`, { stdioRate: MB }), image, tool: "xorriso" });
  });
}

(XORRISO ? describe : describe.skip)(`StdioDrive with the real xorriso${XORRISO ? "" : SKIPPED}`, () => {
  test("burns an ISO to stdio:FILE, reads back its md5, then ejects the disc to PATH.1.done", async () => {
    const t = tempDir("stdio");
    const image = makeIso(t, 6 * MB);
    const out = join(t, "out.iso");
    let now = 0;
    const drive = new StdioDrive(`stdio:${out}`, { driveType: "DVD", now: () => now });
    expect(await drive.media()).toEqual({
      present: true,
      blank: true,
      kind: "DVD",
      profile: "stdio file",
      writableBytes: null,
    });
    const { events, result } = await burn(drive, image);
    expect(result).toMatchObject({ ok: true, exitCode: 0, signal: null });
    expect(percents(events).at(-1)).toBe(100);
    expect(events).toContainEqual({ kind: "phase", phase: "done" });
    expect(events).toContainEqual({
      kind: "line",
      stream: "stderr",
      text: `Writing to 'stdio:${out}' completed successfully.`,
    });
    // The file is the image and libburn's padding.
    expect(statSync(out).size).toBeGreaterThanOrEqual(image.bytes + 300 * 1024);
    const media = await drive.media();
    expect(media).toMatchObject({ present: true, blank: false, kind: "DVD", profile: "stdio file" });
    expect(media.writableBytes).toBeGreaterThan(0);
    expect(await drive.readBack(image.bytes, never())).toEqual({ bytes: image.bytes, md5: image.md5 });

    await drive.openTray();
    expect(existsSync(out)).toBe(false);
    expect(statSync(`${out}.1.done`).size).toBeGreaterThan(image.bytes);
    expect(await drive.trayState()).toBe("open");
    expect((await drive.media()).present).toBe(false);
    now += 1000;
    expect(await drive.trayState()).toBe("disc");
    expect(await drive.media()).toMatchObject({ present: true, blank: true });

    // The next eject takes the next free number.
    writeFileSync(out, "a disc written by hand");
    await drive.openTray();
    expect(readFileSync(`${out}.2.done`, "utf8")).toBe("a disc written by hand");
  });

  test("stdio:/dev/full fails NOSPACE with libburn's line, and stays blank", async () => {
    const image = makeIso(tempDir("stdio"), MB);
    const drive = new StdioDrive("stdio:/dev/full");
    const { events, result } = await burn(drive, image);
    expect(result).toMatchObject({ ok: false, exitCode: 5, failure: { cls: "NOSPACE" } });
    expect(result.failure?.line).toMatch(/^libburn : SORRY : .*No space left on device$/);
    expect(events).toContainEqual({ kind: "failure", cls: "NOSPACE", line: result.failure!.line });
    expect(percents(events)).not.toContain(100);
    expect(await drive.media()).toMatchObject({ present: true, blank: true, kind: "CDR" });
    expect(await drive.trayState()).toBe("disc");
  });

  test("a FIFO drained at 8 MB/s gives a 40 MB burn one progress line a second; the drain file is the disc", async () => {
    const t = tempDir("stdio");
    const image = makeIso(t, 40_000_000);
    const pipe = join(t, "pipe");
    makeFifo(pipe, 0o600);
    const drive = new StdioDrive(`stdio:${pipe}`, { stdioRate: 8_000_000 });
    expect(drive.drainPath).toBe(`${pipe}.drain`);
    const { events, result } = await burn(drive, image);
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(result.seconds).toBeGreaterThan(4);
    const rising = percents(events).filter((p) => p < 100);
    expect(rising.length).toBeGreaterThanOrEqual(4);
    expect(events.some((e) => e.kind === "progress" && e.speedX !== undefined)).toBe(true);
    expect(await drive.media()).toMatchObject({ present: true, blank: false, kind: "CDR" });
    expect(await drive.readBack(image.bytes, never())).toEqual({ bytes: image.bytes, md5: image.md5 });
    await drive.openTray();
    expect(existsSync(`${pipe}.1.done`)).toBe(true);
    expect(statSync(pipe).isFIFO()).toBe(true);
  });

  test("a FIFO burn whose tool never opens the FIFO still ends", async () => {
    const pipe = join(tempDir("stdio"), "pipe");
    makeFifo(pipe, 0o600);
    const drive = new StdioDrive(`stdio:${pipe}`, { stdioRate: 8_000_000 });
    const missing = { path: join(tempDir("stdio"), "missing.iso"), bytes: MB, md5: "" };
    const { result } = await burn(drive, missing);
    expect(result.ok).toBe(false);
    expect(await drive.media()).toMatchObject({ present: true, blank: true });
  });

  test("a FIFO burn whose drain file cannot be written fails, naming the drain file", async () => {
    const t = tempDir("stdio");
    const pipe = join(t, "pipe");
    makeFifo(pipe, 0o600);
    mkdirSync(`${pipe}.drain`);
    const drive = new StdioDrive(`stdio:${pipe}`, { stdioRate: 8_000_000 });
    const { result } = await burn(drive, makeImage(MB));
    expect(result.ok).toBe(false);
    expect(result.failure?.line).toStartWith(`${pipe}.drain: `);
  });
});

const CDRSKIN = spawnSync("cdrskin", ["--version"], { stdio: "ignore" }).status === 0;
// As root, cdrskin refuses stdio: drives unless root's home holds a cdrskin_permissions directory (§5.3).
const CDRSKIN_SKIP = !CDRSKIN
  ? " — SKIPPED: cdrskin is not installed"
  : process.getuid?.() === 0
  ? " — SKIPPED: cdrskin refuses stdio: drives to root"
  : "";
(CDRSKIN_SKIP === "" ? test : test.skip)(`StdioDrive burns with the real cdrskin${CDRSKIN_SKIP}`, async () => {
  const t = tempDir("stdio");
  const image = makeIso(t, 2 * MB);
  const drive = new StdioDrive(`stdio:${join(t, "out.iso")}`);
  const { events, result } = await burn(drive, image, "cdrskin");
  expect(result).toMatchObject({ ok: true, exitCode: 0 });
  expect(events).toContainEqual({ kind: "phase", phase: "done" });
  expect(await drive.readBack(image.bytes, never())).toEqual({ bytes: image.bytes, md5: image.md5 });
});

describe("StdioDrive without running a tool", () => {
  test("wodim is refused: it has no stdio: drives", async () => {
    const drive = new StdioDrive(`stdio:${join(tempDir("stdio"), "out.iso")}`);
    const err = await drive.burn({ imagePath: "/x.iso", imageBytes: 1, tool: "wodim" }, () => {}, never()).catch((
      e,
    ) => e);
    expect(err).toBeInstanceOf(DriveError);
    expect((err as DriveError).code).toBe("UNSUPPORTED");
  });

  test("info reports the configured drive type; closeTray ends the open second at once", async () => {
    const drive = new StdioDrive(`stdio:${join(tempDir("stdio"), "out.iso")}`, { driveType: "DVD" });
    expect(await drive.info()).toMatchObject({ device: drive.device, driveType: "DVD", canWriteDvd: true });
    await drive.openTray();
    expect(await drive.trayState()).toBe("open");
    await drive.closeTray();
    expect(await drive.trayState()).toBe("disc");
  });

  test("a device that is not stdio:PATH is refused", () => {
    expect(() => new StdioDrive("stdio:")).toThrow(RangeError);
    expect(() => new StdioDrive("/dev/sr0")).toThrow(RangeError);
  });
});
