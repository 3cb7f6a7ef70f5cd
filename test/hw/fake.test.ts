import { describe, expect, test } from "bun:test";
import type { BurnEvent, BurnTool } from "../../hw/drive.ts";
import { DriveError } from "../../hw/drive.ts";
import { FakeDrive, VirtualClock } from "../../hw/fake.ts";
import { parseFakeSpec } from "../../hw/fake-spec.ts";
import { Fatal } from "../../lib/exit.ts";
import { waitFor } from "../helpers/net.ts";
import { driveContract, makeImage, percents } from "./contract.ts";

const MB = 1048576;
const image = makeImage(4 * MB - 1000);

function fake(spec: string, clock = new VirtualClock()) {
  return { drive: new FakeDrive(parseFakeSpec(spec), { clock, device: "fake:test" }), clock };
}

async function burn(drive: FakeDrive, tool: BurnTool = "cdrskin", signal = new AbortController().signal) {
  const events: BurnEvent[] = [];
  const result = await drive.burn(
    { imagePath: image.path, imageBytes: image.bytes, tool },
    (e) => events.push(e),
    signal,
  );
  return { events, result };
}

const readBack = (drive: FakeDrive, bytes = image.bytes) => drive.readBack(bytes, new AbortController().signal);

async function thrown(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return e instanceof DriveError ? e.code : String(e);
  }
  return undefined;
}

for (const tool of ["cdrskin", "wodim", "xorriso"] as const) {
  driveContract(`FakeDrive speaking ${tool}`, () => Promise.resolve({ drive: fake("rate=1M").drive, image, tool }));
}

describe("parseFakeSpec", () => {
  test("the empty spec gives the defaults", () => {
    expect(parseFakeSpec("")).toEqual({
      type: "CDR",
      disc: "CDR",
      rate: 8 * MB,
      read: 32 * MB,
      capacity: null,
      supply: Infinity,
      reload: 2,
      start: "blank",
      fail: [],
      seed: 1,
    });
  });

  test("every key is read, sizes with K and M suffixes", () => {
    const spec = parseFakeSpec(
      "type=DVD,disc=CDR,rate=64M,read=512K,capacity=1000,supply=3,reload=0.5,start=open,fail=verify@1+write@p0.25,seed=7",
    );
    expect(spec).toEqual({
      type: "DVD",
      disc: "CDR",
      rate: 64 * MB,
      read: 512 * 1024,
      capacity: 1000,
      supply: 3,
      reload: 0.5,
      start: "open",
      fail: [{ kind: "verify", burn: 1 }, { kind: "write", probability: 0.25 }],
      seed: 7,
    });
  });

  test("the disc kind follows the drive type unless given", () => {
    expect(parseFakeSpec("type=DVD").disc).toBe("DVD");
  });

  for (
    const bad of [
      "type=BD",
      "rate=0",
      "rate=8G",
      "speed=4",
      "rate",
      "rate=1M,rate=2M",
      "fail=melt@1",
      "fail=write@0",
      "fail=write@p2",
      "start=closed",
      "supply=-1",
    ]
  ) {
    test(`"${bad}" is a usage error`, () => {
      let error: unknown;
      try {
        parseFakeSpec(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Fatal);
      expect((error as Fatal).status).toBe(64);
      expect((error as Fatal).message).toStartWith("--fake: ");
    });
  }
});

describe("FakeDrive", () => {
  test("a burn takes image bytes / rate on the clock, one progress line a second", async () => {
    const { drive, clock } = fake("rate=1M");
    const { events, result } = await burn(drive);
    expect(percents(events)).toEqual([25, 50, 75, 75, 100]);
    expect(result.seconds).toBeCloseTo(image.bytes / MB, 3);
    expect(clock.now()).toBeCloseTo(image.bytes / MB * 1000, 0);
  });

  test("progress is printed in the chosen tool's format on its stream", async () => {
    const lines = async (tool: BurnTool) =>
      (await burn(fake("rate=1M").drive, tool)).events.find((e) => e.kind === "line" && e.text.includes("MB written"));
    expect(await lines("cdrskin")).toEqual({
      kind: "line",
      stream: "stdout",
      text: "Track 01:    1 of    3 MB written (fifo 100%) [buf  50%]   6.8x.",
    });
    expect(await lines("xorriso")).toEqual({
      kind: "line",
      stream: "stderr",
      text: "xorriso : UPDATE :    1 of    3 MB written (fifo 100%) [buf  50%]   6.8x.",
    });
  });

  test("cdrskin and xorriso runs announce the done phase", async () => {
    for (const tool of ["cdrskin", "xorriso"] as const) {
      expect((await burn(fake("rate=4M").drive, tool)).events).toContainEqual({ kind: "phase", phase: "done" });
    }
  });

  test("a DVD drive holds a DVD of 4700372992 writable bytes; disc= gives another kind", async () => {
    expect(await fake("type=DVD").drive.media()).toEqual({
      present: true,
      blank: true,
      kind: "DVD",
      profile: "DVD+R",
      writableBytes: 4700372992,
    });
    expect(await fake("type=DVD,disc=CDR").drive.media()).toMatchObject({ kind: "CDR", profile: "CD-R" });
    expect(await fake("").drive.info()).toMatchObject({ driveType: "CDR", canWriteCdr: true, canWriteDvd: false });
  });

  test("write@N fails the N-th burn at 40 % with the libburn lines, exit 5, and spoils the disc", async () => {
    const { drive } = fake("rate=1M,fail=write@1");
    const { events, result } = await burn(drive);
    expect(percents(events)).toEqual([25, 50]);
    expect(events.filter((e) => e.kind === "failure").map((e) => e.kind === "failure" && e.cls)).toEqual([
      "NOSPACE",
      "WRITE",
    ]);
    expect(result).toMatchObject({ ok: false, exitCode: 5, failure: { cls: "NOSPACE" } });
    expect(await drive.media()).toMatchObject({ present: true, blank: false });
  });

  test("write@N in wodim's format is a WRITE failure", async () => {
    const { result } = await burn(fake("rate=1M,fail=write@1").drive, "wodim");
    expect(result.failure).toEqual({ cls: "WRITE", line: "wodim: A write error occured." });
  });

  test("verify@N burns fine but one byte reads back flipped; the next disc is good", async () => {
    const { drive, clock } = fake("rate=1M,reload=2,fail=verify@1");
    expect((await burn(drive)).result.ok).toBe(true);
    const bad = await readBack(drive);
    expect(bad.bytes).toBe(image.bytes);
    expect(bad.md5).not.toBe(image.md5);
    await drive.openTray();
    await clock.sleep(2000);
    expect((await burn(drive)).result.ok).toBe(true);
    expect(await readBack(drive)).toEqual({ bytes: image.bytes, md5: image.md5 });
  });

  test("short@N ends the read-back early with EIO", async () => {
    const { drive } = fake("rate=1M,fail=short@1");
    await burn(drive);
    const back = await readBack(drive);
    expect(back.bytes).toBeLessThan(image.bytes);
    expect(back.error).toBe("Input/output error");
  });

  test("read-back past the track's padding ends in EIO, within it reads zeros", async () => {
    const { drive } = fake("rate=1M");
    await burn(drive);
    expect((await readBack(drive, image.bytes + 307200)).error).toBeUndefined();
    expect(await readBack(drive, image.bytes + 307201)).toMatchObject({
      bytes: image.bytes + 307200,
      error: "Input/output error",
    });
  });

  test("stall@N stops output at 50 % until the burn is aborted; the drive is busy meanwhile", async () => {
    const { drive } = fake("rate=1M,fail=stall@1");
    const abort = new AbortController();
    const events: BurnEvent[] = [];
    let settled = false;
    const running = drive
      .burn({ imagePath: image.path, imageBytes: image.bytes, tool: "cdrskin" }, (e) => events.push(e), abort.signal)
      .finally(() => settled = true);
    await waitFor("progress at 50 %", () => percents(events).includes(50));
    expect(settled).toBe(false);
    expect(await thrown(() => readBack(drive))).toBe("BUSY");
    abort.abort();
    const result = await running;
    expect(percents(events)).toEqual([25, 50]);
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: "SIGTERM", failure: { cls: "OTHER" } });
  });

  test("stuck@N freezes the tray: moving it throws TRAY and its state stays", async () => {
    const { drive } = fake("rate=1M,fail=stuck@1");
    await burn(drive);
    expect(await thrown(() => drive.openTray())).toBe("TRAY");
    expect(await thrown(() => drive.closeTray())).toBe("TRAY");
    expect(await drive.trayState()).toBe("disc");
  });

  test("vanish@N makes the N-th burn and every later call throw NODEV", async () => {
    const { drive } = fake("rate=1M,reload=0,fail=vanish@2");
    expect((await burn(drive)).result.ok).toBe(true);
    await drive.openTray();
    expect(await thrown(() => burn(drive))).toBe("NODEV");
    for (const call of [() => drive.trayState(), () => drive.media(), () => drive.info(), () => readBack(drive)]) {
      expect(await thrown(call)).toBe("NODEV");
    }
  });

  test("a burn with no medium fails NOMEDIA at once", async () => {
    const { drive } = fake("start=empty");
    expect(await drive.trayState()).toBe("empty");
    expect(await drive.media()).toEqual({ present: false, blank: false, kind: null, profile: "", writableBytes: null });
    const { events, result } = await burn(drive);
    expect(percents(events)).toEqual([]);
    expect(result).toMatchObject({ ok: false, exitCode: 5, seconds: 0, failure: { cls: "NOMEDIA" } });
  });

  test("a burn onto a used disc fails NOMEDIA", async () => {
    const { drive } = fake("start=used");
    expect(await drive.media()).toMatchObject({ present: true, blank: false, writableBytes: 0 });
    expect((await burn(drive)).result.failure?.cls).toBe("NOMEDIA");
  });

  test("an image larger than the disc fails NOSPACE in every tool's words", async () => {
    for (const tool of ["cdrskin", "wodim", "xorriso"] as const) {
      const { result } = await burn(fake("capacity=1M").drive, tool);
      expect(result).toMatchObject({ ok: false, exitCode: 5, failure: { cls: "NOSPACE" } });
    }
  });

  test("KIND@pP fails burns by chance, the same ones for the same seed", async () => {
    const pattern = async (spec: string) => {
      const { drive } = fake(`rate=4M,reload=0,${spec}`);
      const out: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        out.push((await burn(drive)).result.ok);
        await drive.openTray();
      }
      return out;
    };
    expect(await pattern("fail=write@p0")).not.toContain(false);
    expect(await pattern("fail=write@p1")).not.toContain(true);
    const a = await pattern("fail=write@p0.5,seed=3");
    expect(a).toContain(true);
    expect(a).toContain(false);
    expect(await pattern("fail=write@p0.5,seed=3")).toEqual(a);
  });

  test("ejecting opens the tray; a blank arrives after reload seconds", async () => {
    const { drive, clock } = fake("reload=2");
    await drive.openTray();
    expect(await drive.trayState()).toBe("open");
    expect(await drive.media()).toMatchObject({ present: false });
    await clock.sleep(1999);
    expect(await drive.trayState()).toBe("open");
    await clock.sleep(1);
    expect(await drive.trayState()).toBe("disc");
    expect(await drive.media()).toMatchObject({ present: true, blank: true });
  });

  test("closing an open tray before the blank arrives leaves it empty", async () => {
    const { drive, clock } = fake("reload=2");
    await drive.openTray();
    await drive.closeTray();
    expect(await drive.trayState()).toBe("empty");
    await clock.sleep(2000);
    expect(await drive.trayState()).toBe("disc");
  });

  test("with reload=0 the next blank is there at once", async () => {
    const { drive } = fake("reload=0");
    await drive.openTray();
    expect(await drive.trayState()).toBe("disc");
  });

  test("when the supply of blanks runs out the tray stays open", async () => {
    const { drive, clock } = fake("supply=2,reload=1");
    await drive.openTray();
    await clock.sleep(1000);
    expect(await drive.trayState()).toBe("disc");
    await drive.openTray();
    await clock.sleep(60_000);
    expect(await drive.trayState()).toBe("open");
  });

  test("start=open waits reload seconds for the first blank", async () => {
    const { drive, clock } = fake("start=open,reload=3");
    expect(await drive.trayState()).toBe("open");
    await clock.sleep(3000);
    expect(await drive.trayState()).toBe("disc");
  });
});
