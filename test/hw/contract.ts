/**
 * What every drive must do (spec stand.md §5.1, §8): one suite, run against
 * each drive kind by its own test file with a factory that gives a fresh
 * drive holding a blank disc with room for the image.
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BurnEvent, BurnTool, Drive } from "../../hw/drive.ts";
import { tempDir } from "../helpers/fs.ts";

/** An image file on disk with its size and md5. */
export interface TestImage {
  path: string;
  bytes: number;
  md5: string;
}

/** A drive under test, loaded with a blank disc, and the image and tool to burn with. */
export interface DriveUnderTest {
  drive: Drive;
  image: TestImage;
  tool: BurnTool;
}

/**
 * Writes an image of `bytes` pseudo-random bytes (fixed `seed`) to a private
 * temp dir. The size is deliberately not a multiple of 2048, as images
 * seldom are after padding is cut.
 */
export function makeImage(bytes: number, seed = 1): TestImage {
  const data = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  const path = join(tempDir("drive"), "image.iso");
  writeFileSync(path, data);
  return { path, bytes, md5: createHash("md5").update(data).digest("hex") };
}

/** The percents of the progress events, in order. */
export function percents(events: BurnEvent[]): number[] {
  return events.flatMap((e) => e.kind === "progress" ? [e.percent] : []);
}

/** Runs the drive contract against the drives `make` gives. */
export function driveContract(name: string, make: () => Promise<DriveUnderTest>): void {
  const never = () => new AbortController().signal;

  async function burnt(under: DriveUnderTest) {
    const events: BurnEvent[] = [];
    const { drive, image, tool } = under;
    const result = await drive.burn(
      { imagePath: image.path, imageBytes: image.bytes, tool },
      (e) => events.push(e),
      never(),
    );
    return { events, result };
  }

  describe(`${name} keeps the drive contract`, () => {
    test("info names the drive's device and a disc type it can write", async () => {
      const { drive } = await make();
      const info = await drive.info();
      expect(info.device).toBe(drive.device);
      expect(info.driveType === "DVD" ? info.canWriteDvd : info.canWriteCdr).toBe(true);
    });

    test("a fresh drive holds a blank disc with room for the image", async () => {
      const { drive, image } = await make();
      expect(await drive.trayState()).toBe("disc");
      const media = await drive.media();
      expect(media).toMatchObject({ present: true, blank: true });
      expect(media.kind === "CDR" || media.kind === "DVD").toBe(true);
      expect(media.writableBytes === null || media.writableBytes >= image.bytes).toBe(true);
    });

    test("a burn reports progress rising to 100, its output lines and success", async () => {
      const { events, result } = await burnt(await make());
      const seen = percents(events);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p >= (seen[i - 1] ?? 0)))).toBe(true);
      expect(seen.at(-1)).toBe(100);
      expect(seen.slice(0, -1).every((p) => p < 100)).toBe(true);
      expect(events.some((e) => e.kind === "line")).toBe(true);
      expect(events.some((e) => e.kind === "failure")).toBe(false);
      expect(result).toMatchObject({ ok: true, exitCode: 0, signal: null });
      expect(result.failure).toBeUndefined();
      expect(result.seconds).toBeGreaterThanOrEqual(0);
    });

    test("a burnt disc is no longer blank", async () => {
      const under = await make();
      await burnt(under);
      expect(await under.drive.media()).toMatchObject({ present: true, blank: false });
    });

    test("read-back gives exactly the image's bytes and md5, counted as it goes", async () => {
      const under = await make();
      await burnt(under);
      const counts: number[] = [];
      const back = await under.drive.readBack(under.image.bytes, never(), (n) => counts.push(n));
      expect(back).toEqual({ bytes: under.image.bytes, md5: under.image.md5 });
      expect(counts.at(-1)).toBe(under.image.bytes);
      expect(counts.every((n, i) => i === 0 || n > (counts[i - 1] ?? 0))).toBe(true);
    });

    test("an aborted burn ends without success", async () => {
      const { drive, image, tool } = await make();
      const abort = new AbortController();
      const result = await drive.burn(
        { imagePath: image.path, imageBytes: image.bytes, tool },
        (e) => e.kind === "progress" && abort.abort(),
        abort.signal,
      );
      expect(result.ok).toBe(false);
      expect(result.failure).toBeDefined();
    });
  });
}
