import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BurnEvent, BurnTool } from "../../hw/drive.ts";
import { DriveError } from "../../hw/drive.ts";
import { type HostFiles, LinuxDrive, listDrives } from "../../hw/linux.ts";
import { RecordedRunner, type Recording } from "../helpers/recorded-runner.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "burn-tools");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "latin1");

const CDROM_INFO = [
  "CD-ROM information, Id: cdrom.c 3.20 2003/12/17",
  "",
  "drive name:\t\tsr2\tsr1\tsr0",
  "drive speed:\t\t24\t48\t40",
  "Can close tray:\t\t1\t0\t1",
  "Can open tray:\t\t1\t1\t1",
  "Can write CD-R:\t\t0\t1\t1",
  "Can write CD-RW:\t0\t1\t1",
  "Can write DVD-R:\t\t0\t0\t1",
  "",
].join("\n");

/** A host with three drives: sr0 a DVD burner, sr1 a CD burner that cannot close its tray, sr2 a reader. */
const host: HostFiles = {
  readText: (path) =>
    Promise.resolve(
      ({
        "/proc/sys/dev/cdrom/info": CDROM_INFO,
        "/sys/block/sr0/device/vendor": "HL-DT-ST\n",
        "/sys/block/sr0/device/model": "DVDRAM GH24NSD1 \n",
        "/sys/block/sr0/device/rev": "LG00\n",
        "/sys/block/sr1/device/vendor": "PLEXTOR \n",
        "/sys/block/sr1/device/model": "CD-R   PX-W4824A\n",
        "/sys/block/sr1/device/rev": "1.07\n",
      } as Record<string, string>)[path],
    ),
  realpath: (path) => {
    const links: Record<string, string> = { "/dev/disk/by-id/ata-HL-DT-ST_DVDRAM_GH24NSD1_K1234": "/dev/sr0" };
    if (path in links) return Promise.resolve(links[path]!);
    return /^\/dev\/sr\d$/.test(path) ? Promise.resolve(path) : Promise.reject(new Error("ENOENT"));
  },
};

function drive(answer: (argv: string[]) => Recording = () => ({}), device = "/dev/sr0") {
  const runner = new RecordedRunner(answer);
  return { drive: new LinuxDrive(device, { runner, files: host, stallTimeoutMs: 40, killGraceMs: 40 }), runner };
}

async function thrown(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return e instanceof DriveError ? e.code : String(e);
  }
  return undefined;
}

const never = () => new AbortController().signal;

describe("LinuxDrive discovery", () => {
  test("a DVD burner: capabilities from the kernel's table, names from /sys, trimmed", async () => {
    expect(await drive().drive.info()).toEqual({
      device: "/dev/sr0",
      driveType: "DVD",
      vendor: "HL-DT-ST",
      model: "DVDRAM GH24NSD1",
      revision: "LG00",
      canOpenTray: true,
      canCloseTray: true,
      canWriteCdr: true,
      canWriteDvd: true,
    });
  });

  test("a /dev/disk/by-id link is the drive it points at, under the name given", async () => {
    const info = await drive(undefined, "/dev/disk/by-id/ata-HL-DT-ST_DVDRAM_GH24NSD1_K1234").drive.info();
    expect(info).toMatchObject({ device: "/dev/disk/by-id/ata-HL-DT-ST_DVDRAM_GH24NSD1_K1234", vendor: "HL-DT-ST" });
  });

  test("a CD burner is CDR and may lack a closing tray", async () => {
    expect(await drive(undefined, "/dev/sr1").drive.info()).toMatchObject({
      driveType: "CDR",
      vendor: "PLEXTOR",
      canCloseTray: false,
      canWriteDvd: false,
    });
  });

  test("a drive that writes nothing is UNSUPPORTED; one the kernel does not list is NODEV", async () => {
    expect(await thrown(() => drive(undefined, "/dev/sr2").drive.info())).toBe("UNSUPPORTED");
    expect(await thrown(() => drive(undefined, "/dev/sr7").drive.info())).toBe("NODEV");
    expect(await thrown(() => drive(undefined, "/dev/disk/by-id/gone").drive.info())).toBe("NODEV");
  });

  test("listDrives gives the burners in the table's order", async () => {
    expect((await listDrives(host)).map((d) => [d.device, d.driveType])).toEqual([["/dev/sr1", "CDR"], [
      "/dev/sr0",
      "DVD",
    ]]);
  });
});

describe("LinuxDrive tray status through the perl ioctl", () => {
  const perl = (r: Recording) => drive((argv) => (argv[0] === "perl" ? r : { code: 99 }));

  test("runs the CDROM_DRIVE_STATUS one-liner on the device, with O_NONBLOCK", async () => {
    const { drive: d, runner } = perl({ stdout: "4\n" });
    await d.trayState();
    const [argv] = runner.calls;
    expect(argv?.slice(0, 3)).toEqual(["perl", "-MFcntl", "-e"]);
    expect(argv?.[3]).toContain("O_RDONLY|O_NONBLOCK");
    expect(argv?.[3]).toContain("ioctl($f,0x5326,0x7fffffff)");
    expect(argv?.[4]).toBe("/dev/sr0");
  });

  for (
    const [out, state] of [["0", "unknown"], ["1", "empty"], ["2", "open"], ["3", "not-ready"], ["4", "disc"], [
      "5",
      "unknown",
    ], ["", "unknown"]] as const
  ) {
    test(`CDS value ${out || "(none)"} reads as ${state}`, async () => {
      expect(await perl({ stdout: `${out}\n` }).drive.trayState()).toBe(state);
    });
  }

  test("exit 2 (the device will not open) is NODEV", async () => {
    expect(await thrown(() => perl({ code: 2 }).drive.trayState())).toBe("NODEV");
  });

  test("exit 3 (the ioctl failed) is unknown", async () => {
    expect(await perl({ code: 3 }).drive.trayState()).toBe("unknown");
  });

  test("any other exit, or no perl at all, is TOOL", async () => {
    expect(await thrown(() => perl({ code: 255, stderr: "Can't locate Fcntl.pm" }).drive.trayState())).toBe("TOOL");
    expect(await thrown(() => perl({ error: "perl: No such file or directory" }).drive.trayState())).toBe("TOOL");
  });
});

describe("LinuxDrive tray through eject", () => {
  test("openTray runs eject, closeTray eject -t, each with a 30 s limit", async () => {
    const { drive: d, runner } = drive();
    await d.openTray();
    await d.closeTray();
    expect(runner.calls).toEqual([["eject", "/dev/sr0"], ["eject", "-t", "/dev/sr0"]]);
    expect(runner.timeouts).toEqual([30_000, 30_000]);
  });

  test("eject exit 1 is TRAY, with eject's words", async () => {
    const { drive: d } = drive(() => ({ code: 1, stderr: "eject: unable to eject\n" }));
    const err = await d.openTray().catch((e: DriveError) => e);
    expect(err).toBeInstanceOf(DriveError);
    expect((err as DriveError).code).toBe("TRAY");
    expect((err as DriveError).message).toContain("eject: unable to eject");
    expect(await thrown(() => d.closeTray())).toBe("TRAY");
  });

  test("eject past its limit is TIMEOUT; no eject is TOOL", async () => {
    expect(await thrown(() => drive(() => ({ timedOut: true })).drive.openTray())).toBe("TIMEOUT");
    expect(await thrown(() => drive(() => ({ error: "eject: No such file or directory" })).drive.openTray())).toBe(
      "TOOL",
    );
  });

  test("closeTray on a drive that cannot close is UNSUPPORTED and runs nothing", async () => {
    const { drive: d, runner } = drive(undefined, "/dev/sr1");
    expect(await thrown(() => d.closeTray())).toBe("UNSUPPORTED");
    expect(runner.calls).toEqual([]);
  });
});

describe("LinuxDrive media through xorriso -toc", () => {
  const toc = (...lines: string[]) => drive(() => ({ stdout: lines.join("\n") + "\n" }));

  test("a blank CD-R", async () => {
    const { drive: d, runner } = toc(
      "Drive current: -outdev '/dev/sr0'",
      "Drive type   : vendor 'HL-DT-ST' product 'DVDRAM GH24NSD1' revision 'LG00'",
      "Media current: CD-R",
      "Media status : is blank",
      "Media blocks : 0 readable , 359847 writable , 359847 overall",
      "Media summary: 0 sessions, 0 data blocks, 0 data,  703m free",
    );
    expect(await d.media()).toEqual({
      present: true,
      blank: true,
      kind: "CDR",
      profile: "CD-R",
      writableBytes: 359847 * 2048,
    });
    expect(runner.calls).toEqual([["xorriso", "-outdev", "/dev/sr0", "-toc"]]);
  });

  test("a closed DVD+R is present and not blank", async () => {
    expect(
      await toc(
        "Media current: DVD+R",
        "Media status : is written , is closed",
        "Media blocks : 2295104 readable , 0 writable , 2295104 overall",
      ).drive.media(),
    ).toEqual({ present: true, blank: false, kind: "DVD", profile: "DVD+R", writableBytes: 0 });
  });

  test("a CD-ROM is no disc kind we write", async () => {
    expect((await toc("Media current: CD-ROM", "Media status : is written , is closed").drive.media()).kind).toBe(
      null,
    );
  });

  test("no medium", async () => {
    expect(await toc("Media current: is not present", "Media status : is not present").drive.media()).toMatchObject({
      present: false,
      blank: false,
      kind: null,
    });
  });

  test("the summary on stderr counts too; stdout's TOC wins", async () => {
    const { drive: d } = drive(() => ({
      stderr: "Media current: CD-R\nMedia status : is written , is appendable\n",
      stdout: "Media current: CD-RW\nMedia status : is blank\n",
    }));
    expect(await d.media()).toMatchObject({ profile: "CD-RW", blank: true });
  });

  test("xorriso failing without a TOC is TOOL, with its failure line", async () => {
    const { drive: d } = drive(() => ({
      code: 5,
      stderr: "libburn : SORRY : Failed to open device (a pseudo-drive) : '/dev/sr0'\n" +
        "xorriso : FAILURE : Cannot acquire drive '/dev/sr0'\n",
    }));
    const err = await d.media().catch((e: DriveError) => e);
    expect((err as DriveError).code).toBe("TOOL");
    expect((err as DriveError).message).toContain("Failed to open device");
  });
});

describe("LinuxDrive burns", () => {
  const req = (tool: BurnTool, speed?: number) => ({
    imagePath: "/srv/isos/test.iso",
    imageBytes: 314947584,
    tool,
    ...(speed === undefined ? {} : { speed }),
  });

  test("each tool gets -v, dev=, speed= when asked, the image, and never -eject", async () => {
    const { drive: d, runner } = drive();
    for (const [tool, speed] of [["cdrskin", 8], ["wodim", undefined], ["xorriso", 4]] as const) {
      await d.burn(req(tool, speed), () => {}, never());
    }
    expect(runner.calls).toEqual([
      ["cdrskin", "-v", "dev=/dev/sr0", "speed=8", "/srv/isos/test.iso"],
      ["wodim", "-v", "dev=/dev/sr0", "/srv/isos/test.iso"],
      ["xorriso", "-as", "cdrecord", "-v", "dev=/dev/sr0", "speed=4", "/srv/isos/test.iso"],
    ]);
  });

  test("cdrskin's \\r-redrawn stdout, in odd chunks, gives rising progress and success", async () => {
    const out = fixture("cdrskin-v.stdio.stdout.txt");
    const chunks = out.match(/[^]{1,777}/g) ?? [];
    const { drive: d } = drive(() => ({ stdout: chunks, stderr: fixture("cdrskin-v.stdio.stderr.txt") }));
    const events: BurnEvent[] = [];
    const result = await d.burn(req("cdrskin"), (e) => events.push(e), never());
    const seen = events.flatMap((e) => e.kind === "progress" ? [e.percent] : []);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.every((p, i) => i === 0 || p >= seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(100);
    expect(events).toContainEqual({ kind: "phase", phase: "done" });
    expect(events).toContainEqual({ kind: "line", stream: "stdout", text: "cdrskin: burning done" });
    expect(result).toMatchObject({ ok: true, exitCode: 0, signal: null });
  });

  test("a failing tool: the first failure line classes the result", async () => {
    const { drive: d } = drive(() => ({
      code: 5,
      stderr: fixture("xorriso-as-cdrecord.too-small-media.stderr.txt"),
    }));
    const result = await d.burn(req("xorriso"), () => {}, never());
    expect(result).toMatchObject({ ok: false, exitCode: 5, failure: { cls: "NOSPACE" } });
    expect(result.failure?.line).toContain("exceeds free space");
  });

  test("a tool silent past the stall timeout gets SIGTERM, then SIGKILL after the grace", async () => {
    const { drive: d, runner } = drive(() => ({ stdout: "Track 01:    1 of  300 MB written", hang: "ignore-term" }));
    const events: BurnEvent[] = [];
    const result = await d.burn(req("cdrskin"), (e) => events.push(e), never());
    expect(runner.kills).toEqual(["SIGTERM", "SIGKILL"]);
    expect(result).toMatchObject({ ok: false, exitCode: null, signal: "SIGKILL", failure: { cls: "OTHER" } });
    expect(result.failure?.line).toContain("no output for");
    expect(events.some((e) => e.kind === "failure")).toBe(true);
  });

  test("aborting stops the tool with SIGTERM and the burn fails", async () => {
    const { drive: d, runner } = drive(() => ({ stderr: "Beginning to write data track.\n", hang: true }));
    const abort = new AbortController();
    const result = await d.burn(req("xorriso"), (e) => e.kind === "phase" && abort.abort(), abort.signal);
    expect(runner.kills).toEqual(["SIGTERM"]);
    expect(result).toMatchObject({ ok: false, signal: "SIGTERM" });
  });

  test("a tool that cannot start is TOOL", async () => {
    const { drive: d } = drive(() => ({ error: "wodim: No such file or directory" }));
    expect(await thrown(() => d.burn(req("wodim"), () => {}, never()))).toBe("TOOL");
  });

  test("a second burn while one runs is BUSY", async () => {
    const { drive: d } = drive(() => ({ hang: true }));
    const abort = new AbortController();
    const first = d.burn(req("xorriso"), () => {}, abort.signal);
    expect(await thrown(() => d.burn(req("xorriso"), () => {}, never()))).toBe("BUSY");
    expect(await thrown(() => d.readBack(10, never()))).toBe("BUSY");
    abort.abort();
    await first;
  });
});

describe("LinuxDrive read-back through dd", () => {
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
  const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

  test("hashes and counts dd's stdout; the argv reads exactly L bytes", async () => {
    const { drive: d, runner } = drive(() => ({
      stdout: [bytes.subarray(0, 4096), bytes.subarray(4096)],
      stderr: "\r8192 bytes (8.2 kB, 8.0 KiB) copied, 1 s, 8.2 kB/s\r4+1 records in\n4+1 records out\n",
    }));
    const counts: number[] = [];
    expect(await d.readBack(10_000, never(), (n) => counts.push(n))).toEqual({ bytes: 10_000, md5: md5(bytes) });
    expect(counts).toEqual([4096, 10_000]);
    expect(runner.calls).toEqual([[
      "dd",
      "if=/dev/sr0",
      "bs=2048",
      "iflag=count_bytes,fullblock",
      "count=10000",
      "status=progress",
    ]]);
  });

  test("a short count is an error even when dd exits 0", async () => {
    const { drive: d } = drive(() => ({ stdout: [bytes.subarray(0, 6144)] }));
    expect(await d.readBack(10_000, never())).toEqual({
      bytes: 6144,
      md5: md5(bytes.subarray(0, 6144)),
      error: "read 6144 of 10000 bytes",
    });
  });

  test("a failing dd gives its error line", async () => {
    const { drive: d } = drive(() => ({
      stdout: [bytes.subarray(0, 2048)],
      stderr: "dd: error reading '/dev/sr0': Input/output error\n1+0 records in\n1+0 records out\n",
      code: 1,
    }));
    expect(await d.readBack(10_000, never())).toMatchObject({
      bytes: 2048,
      error: "dd: error reading '/dev/sr0': Input/output error",
    });
  });

  test("aborting stops dd", async () => {
    const { drive: d, runner } = drive(() => ({ hang: true }));
    const abort = new AbortController();
    const back = d.readBack(10_000, abort.signal);
    abort.abort();
    expect(await back).toMatchObject({ bytes: 0, error: "aborted" });
    expect(runner.kills).toEqual(["SIGTERM"]);
  });
});

describe("LinuxDrive's tray one-liner under the real perl", () => {
  const perl = spawnSync("perl", ["-MFcntl", "-e", "1"], { stdio: "ignore" }).status === 0;
  (perl ? test : test.skip)(
    `a missing device is NODEV; a non-drive is unknown${perl ? "" : " — SKIPPED: no perl"}`,
    async () => {
      expect(await thrown(() => new LinuxDrive("/dev/no-such-sr-h3").trayState())).toBe("NODEV");
      expect(await new LinuxDrive("/dev/null").trayState()).toBe("unknown");
    },
  );
});
