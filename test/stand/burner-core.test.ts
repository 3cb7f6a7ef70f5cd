import { describe, expect, test } from "bun:test";
import type { BurnRequest, MediaInfo } from "../../hw/drive.ts";
import { BurnerCore, type BurnerCoreConfig, type BurnerEffects } from "../../lib/stand/burner-core.ts";
import type { IsoImage } from "../../lib/stand/iso-index.ts";

const ID = "233c343e144c59081b9ea1da568a72e8";
const H = "d3d8bdfb7ef65711e707103deb1de8b2";
const H2 = "24ea1163ea6c9f5dae77de8c49ee7c03";
const IMAGE: IsoImage = {
  hash: H,
  path: "/srv/isos/test.iso",
  filename: "test.iso",
  description: "Test disc",
  bytes: 40 << 20,
};
const BIG: IsoImage = {
  hash: H2,
  path: "/srv/isos/big.iso",
  filename: "big.iso",
  description: "big",
  bytes: 800_000_000,
};
const BLANK: MediaInfo = { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 737280000 };
const USED: MediaInfo = { present: true, blank: false, kind: "CDR", profile: "CD-R", writableBytes: 0 };
const ENC = new TextEncoder();
const DEC = new TextDecoder();

/** A core with recorded effects: frames as text (TABs shown as spaces), everything else by name. */
class Rig {
  readonly out: string[] = [];
  readonly logs: string[] = [];
  readonly core: BurnerCore;
  now = 1_000_000;
  conn = 0;
  done = false;

  constructor(cfg: Partial<BurnerCoreConfig> = {}) {
    const rec = (what: string) => () => this.out.push(what);
    const fx: BurnerEffects = {
      send: (conn, bytes) =>
        this.out.push(`${conn}> ${DEC.decode(bytes).replace(/\r\n\r\n$/, "").replaceAll("\t", " ")}`),
      close: (conn) => this.out.push(`close ${conn}`),
      abort: (conn) => this.out.push(`abort ${conn}`),
      pause: () => {},
      resume: () => {},
      dial: (conn, to) => {
        this.conn = conn;
        this.out.push(`dial ${conn} ${"port" in to ? to.port : to.path}`);
      },
      log: (level, text) => this.logs.push(`${level}: ${text}`),
      done: () => (this.done = true),
      pollTray: rec("pollTray"),
      readMedia: rec("readMedia"),
      burn: (req: BurnRequest) => this.out.push(`burn ${req.imagePath} ${req.imageBytes} ${req.tool}`),
      readBack: (bytes) => this.out.push(`readBack ${bytes}`),
      openTray: rec("openTray"),
      closeTray: rec("closeTray"),
      abortTool: rec("abortTool"),
    };
    this.core = new BurnerCore({
      id: ID,
      driveType: "CDR",
      server: { host: "127.0.0.1", port: 1337 },
      tool: "cdrskin",
      keepDisc: false,
      reload: false,
      stallTimeoutMs: 300_000,
      random: () => 0.5,
      ...cfg,
    }, fx);
  }

  /** What happened since the last call. */
  take(): string[] {
    return this.out.splice(0);
  }

  /** Move the clock on, ticking at every deadline on the way, like the runner. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (let turns = 0;; turns++) {
      const at = this.core.nextDeadline();
      if (at === undefined || at > until) break;
      if (turns > 10_000) throw new Error(`the deadline ${at} does not move`);
      this.now = Math.max(this.now, at);
      this.core.tick(this.now);
    }
    this.now = until;
    this.core.tick(this.now);
  }

  recv(text: string): void {
    this.core.received(this.conn, ENC.encode(`${text.replaceAll(" ", "\t")}\r\n\r\n`), this.now);
  }

  /** Dial, IDENT and CAPAB: the burner is up. */
  handshake(): void {
    this.core.opened(this.conn, { listener: undefined, address: "127.0.0.1", port: 1337 }, this.now);
    this.recv("IDENT V1");
    this.recv("CAPAB");
  }

  /** From start to connected with a blank CD-R reported AVAIL. */
  static avail(cfg: Partial<BurnerCoreConfig> = {}, images: IsoImage[] = [IMAGE, BIG]): Rig {
    const rig = new Rig(cfg);
    rig.core.images(images, rig.now);
    rig.core.tick(rig.now);
    rig.handshake();
    rig.core.trayPolled("disc", rig.now);
    rig.core.mediaRead(BLANK, rig.now);
    rig.take();
    return rig;
  }

  /** BURN, and the burn requested. */
  burn(): void {
    this.recv(`BURN ${H}`);
    expect(this.take()).toEqual([`${this.conn}> STATUS ${H} 0`, `burn /srv/isos/test.iso ${40 << 20} cdrskin`]);
  }
}

describe("handshake", () => {
  test("dials at once, answers IDENT with ID, CAPAB with CAP of the ready hashes, then the status", () => {
    const rig = new Rig({ driveType: "DVD" });
    rig.core.images([IMAGE], rig.now);
    rig.core.tick(rig.now);
    expect(rig.take()).toEqual(["pollTray", "dial -1 1337"]);
    rig.core.trayPolled("empty", rig.now);
    rig.core.opened(-1, { listener: undefined, address: "127.0.0.1", port: 1337 }, rig.now);
    rig.recv("IDENT V1");
    expect(rig.take()).toEqual([`-1> ID V1 BURNDVD ${ID}`]);
    rig.recv("CAPAB");
    expect(rig.take()).toEqual([`-1> CAP BURNDVD ${H}`, "-1> STATUS DVD EMPTY"]);
    rig.recv(`WHATIS ${H}`);
    expect(rig.take()).toEqual([`-1> INFO ${H} test.iso Test disc ${40 << 20}`]);
  });

  test("a WHATIS for a hash it does not hold is not answered", () => {
    const rig = Rig.avail();
    rig.recv("WHATIS 00000000000000000000000000000000");
    expect(rig.take()).toEqual([]);
  });

  test("an IDENT other than V1 closes the connection and backs off", () => {
    const rig = new Rig();
    rig.core.tick(rig.now);
    rig.take();
    rig.core.opened(-1, { listener: undefined, address: "127.0.0.1", port: 1337 }, rig.now);
    rig.recv("IDENT V2");
    expect(rig.take()).toEqual(["abort -1"]);
    rig.core.closed(-1, undefined, rig.now);
    rig.advance(499);
    expect(rig.take().filter((e) => e.startsWith("dial"))).toEqual([]);
    rig.advance(1);
    expect(rig.take().filter((e) => e.startsWith("dial"))).toEqual(["dial -2 1337"]);
  });

  test("an index change is announced with one ASKCAP, and CAPAB brings a fresh CAP", () => {
    const rig = Rig.avail({}, [IMAGE]);
    rig.core.images([IMAGE, BIG], rig.now);
    rig.core.images([BIG, IMAGE], rig.now);
    expect(rig.take()).toEqual(["-1> ASKCAP"]);
    rig.recv("CAPAB");
    expect(rig.take()).toEqual([`-1> CAP BURNCDR ${H2} ${H}`]);
    rig.core.images([BIG, IMAGE], rig.now);
    expect(rig.take()).toEqual([]);
  });
});

describe("drive loop and statuses", () => {
  test("tray open, empty and a blank disc are reported on change; not-ready keeps the last report", () => {
    const rig = Rig.avail();
    rig.advance(1000);
    expect(rig.take()).toEqual(["pollTray"]);
    rig.core.trayPolled("open", rig.now);
    expect(rig.take()).toEqual(["-1> STATUS CDR OPEN"]);
    rig.advance(1000);
    rig.core.trayPolled("not-ready", rig.now);
    rig.advance(1000);
    rig.core.trayPolled("empty", rig.now);
    rig.advance(1000);
    rig.core.trayPolled("disc", rig.now);
    expect(rig.take()).toEqual(["pollTray", "pollTray", "-1> STATUS CDR EMPTY", "pollTray", "readMedia"]);
    rig.core.mediaRead({ ...BLANK, kind: "DVD", profile: "DVD+R" }, rig.now);
    expect(rig.take()).toEqual(["-1> STATUS CDR EMPTY"].slice(1));
  });

  test("media is read only when the tray turns to disc, and a blank is reported with the disc's type", () => {
    const rig = new Rig({ driveType: "DVD" });
    rig.core.tick(rig.now);
    rig.handshake();
    rig.core.trayPolled("disc", rig.now);
    rig.core.mediaRead({ ...BLANK, kind: "DVD", profile: "DVD+R" }, rig.now);
    expect(rig.take().slice(-2)).toEqual(["readMedia", "-1> STATUS DVD AVAIL"]);
    rig.advance(1000);
    rig.core.trayPolled("disc", rig.now);
    expect(rig.take()).toEqual(["pollTray"]);
  });

  test("a used disc is refused with ERROR USEDDISC, ejected, then reported OPEN", () => {
    const rig = new Rig();
    rig.core.tick(rig.now);
    rig.handshake();
    rig.core.trayPolled("disc", rig.now);
    rig.take();
    rig.core.mediaRead(USED, rig.now);
    expect(rig.take()).toEqual(["-1> ERROR USEDDISC the CD-R in the drive is not blank; ejecting it", "openTray"]);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual(["-1> STATUS CDR OPEN"]);
  });

  test("the status is repeated every 10 s and at once on change", () => {
    const rig = Rig.avail();
    rig.advance(9_999);
    expect(rig.take().filter((e) => e.startsWith("-1>"))).toEqual([]);
    rig.advance(1);
    expect(rig.take().filter((e) => e.startsWith("-1>"))).toEqual(["-1> STATUS CDR AVAIL"]);
  });

  test("a drive that fails is reported once with ERROR DRIVE, and no AVAIL until it answers", () => {
    const rig = Rig.avail();
    rig.advance(1000);
    rig.core.trayPolled({ driveError: "NODEV", message: "/dev/sr0: gone" }, rig.now);
    expect(rig.take()).toEqual(["pollTray", "-1> ERROR DRIVE /dev/sr0: gone"]);
    rig.advance(1000);
    rig.core.trayPolled({ driveError: "NODEV", message: "/dev/sr0: gone" }, rig.now);
    rig.recv(`BURN ${H}`);
    expect(rig.take()).toEqual(["pollTray", "-1> ERROR NOTREADY no blank disc ready"]);
    rig.advance(10_000);
    expect(rig.take().filter((e) => e.startsWith("-1>"))).toEqual(["-1> STATUS CDR EMPTY"]);
    rig.core.trayPolled("disc", rig.now);
    rig.core.mediaRead(BLANK, rig.now);
    expect(rig.take()).toEqual(["readMedia", "-1> STATUS CDR AVAIL"]);
  });

  test("OPEN opens the tray; during a burn it is ERROR BUSY and the tray stays shut", () => {
    const rig = Rig.avail();
    rig.recv("OPEN");
    expect(rig.take()).toEqual(["openTray"]);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual(["-1> STATUS CDR OPEN"]);
    rig.advance(1000);
    rig.core.trayPolled("disc", rig.now);
    rig.core.mediaRead(BLANK, rig.now);
    rig.take();
    rig.burn();
    rig.recv("OPEN");
    expect(rig.take()).toEqual(["-1> ERROR BUSY burning test.iso; the tray stays shut until the verdict"]);
  });
});

describe("burn flow", () => {
  test("0 at once, 25/50/75 once each, 100 TIME, verify, PASS, eject", () => {
    const rig = Rig.avail();
    rig.burn();
    for (const percent of [10, 24, 30, 30, 80, 99]) rig.core.burnEvent({ kind: "progress", percent }, rig.now);
    expect(rig.take()).toEqual([`-1> STATUS ${H} 25`, `-1> STATUS ${H} 50`, `-1> STATUS ${H} 75`]);
    rig.advance(10_000);
    expect(rig.take()).toEqual([`-1> STATUS ${H} 75`]);
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 12.6 }, rig.now);
    expect(rig.take()).toEqual([`-1> STATUS ${H} 100 TIME 13`, `readBack ${40 << 20}`]);
    rig.core.readBackDone({ bytes: 40 << 20, md5: H }, rig.now);
    expect(rig.take()).toEqual([`-1> STATUS ${H} PASS`, "openTray"]);
    expect(rig.core.job).toBeUndefined();
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual(["-1> STATUS CDR OPEN", "pollTray"]);
  });

  test("a drive that reloads opens and closes the tray and waits for the disc, reporting only job status", () => {
    const rig = Rig.avail({ reload: true });
    rig.burn();
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 5 }, rig.now);
    expect(rig.take()).toEqual([`-1> STATUS ${H} 100 TIME 5`, "openTray"]);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual(["closeTray"]);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual(["pollTray"]);
    rig.core.trayPolled("not-ready", rig.now);
    rig.advance(1000);
    rig.core.trayPolled("disc", rig.now);
    expect(rig.take()).toEqual(["pollTray", `readBack ${40 << 20}`]);
  });

  test("a drive that cannot close its tray waits up to 300 s for a person, then FAILs", () => {
    const rig = Rig.avail({ reload: true });
    rig.burn();
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 5 }, rig.now);
    rig.core.trayMoved(undefined, rig.now);
    rig.core.trayMoved({ driveError: "UNSUPPORTED", message: "cannot close" }, rig.now);
    expect(rig.take().slice(-1)).toEqual(["pollTray"]);
    rig.core.trayPolled("open", rig.now);
    const seen: string[] = [];
    for (let i = 0; i < 301; i++) {
      rig.advance(1000);
      const got = rig.take();
      seen.push(...got);
      if (got.includes("pollTray")) rig.core.trayPolled("open", rig.now);
    }
    const sent = seen.filter((e) => e.startsWith("-1>"));
    expect(sent.filter((e) => !e.includes("100 TIME"))).toEqual([
      "-1> ERROR DRIVE nobody closed the tray within 300 s to verify",
      `-1> STATUS ${H} FAIL`,
    ]);
  });

  test("refusals: NOISO, NOTREADY without a blank or while busy, MEDIA for an image that does not fit", () => {
    const rig = Rig.avail();
    rig.recv("BURN 00000000000000000000000000000000");
    rig.recv(`BURN ${H2}`);
    expect(rig.take()).toEqual([
      "-1> ERROR NOISO Burner does not have this ISO.",
      "-1> ERROR MEDIA big.iso is 800000000 bytes; the CD-R disc holds 737280000",
    ]);
    rig.burn();
    rig.recv(`BURN ${H}`);
    expect(rig.take()).toEqual(["-1> ERROR NOTREADY busy burning test.iso"]);
    const idle = Rig.avail();
    idle.advance(1000);
    idle.core.trayPolled("open", idle.now);
    idle.recv(`BURN ${H}`);
    expect(idle.take()).toEqual(["pollTray", "-1> STATUS CDR OPEN", "-1> ERROR NOTREADY no blank disc ready"]);
  });

  test("a CD disc of unknown capacity takes up to 737280000 bytes", () => {
    const rig = new Rig();
    rig.core.images([BIG], rig.now);
    rig.core.tick(rig.now);
    rig.handshake();
    rig.core.trayPolled("disc", rig.now);
    rig.core.mediaRead({ ...BLANK, writableBytes: null }, rig.now);
    rig.take();
    rig.recv(`BURN ${H2}`);
    expect(rig.take()).toEqual(["-1> ERROR MEDIA big.iso is 800000000 bytes; the CD-R disc holds 737280000"]);
  });

  test("a failed burn sends ERROR BURN with the class and the tool's line, then FAIL, and ejects", () => {
    const rig = Rig.avail();
    rig.burn();
    const line = "libburn : SORRY : Cannot write desired amount of 32768 bytes. : No space left on device";
    rig.core.burnEvent({ kind: "failure", cls: "NOSPACE", line }, rig.now);
    rig.core.burnEnded(
      { ok: false, exitCode: 5, signal: null, seconds: 3, failure: { cls: "NOSPACE", line } },
      rig.now,
    );
    expect(rig.take()).toEqual([`-1> ERROR BURN NOSPACE: ${line}`, `-1> STATUS ${H} FAIL`, "openTray"]);
  });

  test("a failed exit without a failure line is OTHER: exit N", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.burnEnded({ ok: false, exitCode: 7, signal: null, seconds: 3 }, rig.now);
    expect(rig.take().slice(0, 2)).toEqual(["-1> ERROR BURN OTHER: exit 7", `-1> STATUS ${H} FAIL`]);
  });

  test("a verify mismatch or a short read FAILs", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 1 }, rig.now);
    rig.take();
    rig.core.readBackDone({ bytes: 40 << 20, md5: "0123456789abcdef0123456789abcdef" }, rig.now);
    expect(rig.take().slice(0, 2)).toEqual([
      `-1> ERROR BURN VERIFY: the disc's md5 is 0123456789abcdef0123456789abcdef, the image's ${H}`,
      `-1> STATUS ${H} FAIL`,
    ]);
    const short = Rig.avail();
    short.burn();
    short.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 1 }, short.now);
    short.take();
    short.core.readBackDone({ bytes: 1 << 20, md5: H, error: "Input/output error" }, short.now);
    expect(short.take()[0]).toBe(
      `-1> ERROR BURN VERIFY: read back ${1 << 20} of ${40 << 20} bytes: Input/output error`,
    );
  });

  test("a burn silent for the stall timeout is stopped and FAILs", () => {
    const rig = Rig.avail({ stallTimeoutMs: 300_000 });
    rig.burn();
    rig.advance(200_000);
    rig.core.burnEvent({ kind: "line", stream: "stdout", text: "Fixating..." }, rig.now);
    rig.advance(299_999);
    expect(rig.take().filter((e) => !e.startsWith("-1>"))).toEqual([]);
    rig.advance(1);
    expect(rig.take().filter((e) => !e.startsWith("-1>"))).toEqual(["abortTool"]);
    rig.core.burnEnded({ ok: false, exitCode: null, signal: "SIGTERM", seconds: 500 }, rig.now);
    expect(rig.take().slice(0, 2)).toEqual([
      "-1> ERROR BURN OTHER: no output from cdrskin for 300 s; stopped it",
      `-1> STATUS ${H} FAIL`,
    ]);
  });

  test("a read-back that takes longer than 60 s + 1 s per MiB is stopped and FAILs", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 1 }, rig.now);
    rig.take();
    rig.advance(99_999);
    expect(rig.take().filter((e) => !e.startsWith("-1>"))).toEqual([]);
    rig.advance(1);
    expect(rig.take().filter((e) => !e.startsWith("-1>"))).toEqual(["abortTool"]);
    rig.core.readBackDone({ bytes: 5, md5: H, error: "aborted" }, rig.now);
    expect(rig.take()[0]).toBe("-1> ERROR BURN VERIFY: no read-back result within 100 s");
  });

  test("a drive error during the burn is ERROR DRIVE, then FAIL", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.burnEnded({ driveError: "NODEV", message: "fake:: the drive has gone" }, rig.now);
    expect(rig.take().slice(0, 2)).toEqual(["-1> ERROR DRIVE fake:: the drive has gone", `-1> STATUS ${H} FAIL`]);
  });

  test("--keep-disc leaves the disc in and reports EMPTY until the tray changes", () => {
    const rig = Rig.avail({ keepDisc: true });
    rig.burn();
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 1 }, rig.now);
    rig.take();
    rig.core.readBackDone({ bytes: 40 << 20, md5: H }, rig.now);
    expect(rig.take()).toEqual([`-1> STATUS ${H} PASS`, "-1> STATUS CDR EMPTY"]);
    rig.advance(1000);
    rig.core.trayPolled("disc", rig.now);
    expect(rig.take()).toEqual(["pollTray"]);
  });
});

describe("disconnects", () => {
  test("a burn goes on while disconnected; after the handshake the verdict comes first, then the status", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.closed(-1, "ECONNRESET", rig.now);
    rig.core.burnEvent({ kind: "progress", percent: 60 }, rig.now);
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 9 }, rig.now);
    rig.core.readBackDone({ bytes: 40 << 20, md5: H }, rig.now);
    expect(rig.take()).toEqual([`readBack ${40 << 20}`, "openTray"]);
    rig.core.trayMoved(undefined, rig.now);
    rig.advance(600);
    expect(rig.take().filter((e) => e.startsWith("dial"))).toEqual(["dial -2 1337"]);
    rig.handshake();
    expect(rig.take()).toEqual([
      `-2> ID V1 BURNCDR ${ID}`,
      `-2> CAP BURNCDR ${H} ${H2}`,
      `-2> STATUS ${H} PASS`,
      "-2> STATUS CDR OPEN",
    ]);
  });

  test("reconnecting mid-burn reports the job's latest progress line", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.closed(-1, undefined, rig.now);
    rig.core.burnEvent({ kind: "progress", percent: 52 }, rig.now);
    rig.advance(600);
    rig.take();
    rig.handshake();
    expect(rig.take().slice(-1)).toEqual([`-2> STATUS ${H} 50`]);
  });

  test("a verdict over an hour old is dropped", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.closed(-1, undefined, rig.now);
    rig.core.burnEnded({ ok: false, exitCode: 5, signal: null, seconds: 9 }, rig.now);
    rig.core.tick(rig.now);
    rig.now += 3_600_000;
    rig.core.tick(rig.now);
    rig.take();
    rig.handshake();
    expect(rig.take().filter((e) => e.includes("FAIL"))).toEqual([]);
  });

  test("redials back off 0.5 s doubling to 30 s within ±20 %, and from the start after 60 s connected", () => {
    for (const [r, factor] of [[0, 0.8], [0.999999, 1.2]] as const) {
      const rig = new Rig({ random: () => r });
      rig.core.tick(rig.now);
      const delays: number[] = [];
      for (let i = 0; i < 10; i++) {
        rig.take();
        rig.core.closed(rig.conn, "ECONNREFUSED", rig.now);
        const at = rig.core.nextDeadline()!;
        delays.push(at - rig.now);
        rig.now = at;
        rig.core.tick(rig.now);
      }
      const base = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000];
      delays.forEach((d, i) => expect(d).toBeCloseTo(base[i]! * factor, 0));
      rig.core.opened(rig.conn, { listener: undefined, address: "", port: 0 }, rig.now);
      rig.recv("IDENT V1");
      rig.recv("CAPAB");
      rig.now += 60_000;
      rig.core.closed(rig.conn, undefined, rig.now);
      expect(rig.core.nextDeadline()! - rig.now).toBeCloseTo(500 * factor, 0);
    }
  });

  test("no IDENT within 10 s drops the connection", () => {
    const rig = new Rig();
    rig.core.tick(rig.now);
    rig.core.opened(-1, { listener: undefined, address: "", port: 0 }, rig.now);
    rig.take();
    rig.advance(10_000);
    expect(rig.take()).toContain("abort -1");
  });
});

describe("SIGTERM", () => {
  test("idle: done at once, closing the connection", () => {
    const rig = Rig.avail();
    rig.core.stop(rig.now);
    expect(rig.take()).toEqual(["close -1"]);
    expect(rig.done).toBe(true);
  });

  test("during a burn: BURN is refused, the burn and verify finish, the disc is ejected, then done", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.stop(rig.now);
    rig.recv(`BURN ${H}`);
    expect(rig.take()).toEqual(["-1> ERROR NOTREADY burnerd is shutting down"]);
    rig.core.burnEnded({ ok: true, exitCode: 0, signal: null, seconds: 2 }, rig.now);
    rig.core.readBackDone({ bytes: 40 << 20, md5: H }, rig.now);
    expect(rig.done).toBe(false);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual([
      `-1> STATUS ${H} 100 TIME 2`,
      `readBack ${40 << 20}`,
      `-1> STATUS ${H} PASS`,
      "openTray",
      "-1> STATUS CDR OPEN",
      "close -1",
    ]);
    expect(rig.done).toBe(true);
  });

  test("a second signal stops the tool: the job FAILs and the program ends", () => {
    const rig = Rig.avail();
    rig.burn();
    rig.core.stop(rig.now);
    rig.core.stop(rig.now);
    expect(rig.take()).toEqual(["abortTool"]);
    rig.core.burnEnded({ ok: false, exitCode: null, signal: "SIGTERM", seconds: 2 }, rig.now);
    rig.core.trayMoved(undefined, rig.now);
    expect(rig.take()).toEqual([
      "-1> ERROR BURN OTHER: stopped by a second signal",
      `-1> STATUS ${H} FAIL`,
      "openTray",
      "-1> STATUS CDR OPEN",
      "close -1",
    ]);
    expect(rig.done).toBe(true);
  });
});
