/**
 * burnerd's core (spec stand.md §4, §2.3–§2.5 client side): one optical
 * drive and one connection to standd, sans-IO. It dials the server itself
 * (negative connection ids), answers the handshake, announces its images,
 * reports the drive's state and runs burns and verifies.
 *
 * The drive is asynchronous, so the core never calls it: it asks through
 * {@linkcode DriveRequests} and hears the answers as methods (`trayPolled`,
 * `mediaRead`, `burnEvent`, `burnEnded`, `readBackDone`, `trayMoved`)
 * called by the program with `now`. At most one drive request is in
 * flight at a time; `abortTool` is no request, it stops the one running.
 *
 * Rules the core keeps:
 * - the tray is polled every second while no job is bound; media is read
 *   only when the tray turns to `disc` (§4.4);
 * - while a job is bound (BURN accepted until the verdict) only job status
 *   is reported, so a reload's tray movements never look like abandonment;
 * - the current status is re-sent every 10 s and at once on change; PASS
 *   and FAIL are events, kept (one, under an hour old) while disconnected
 *   and sent first after the next handshake (§2.4, §4.7);
 * - redials back off from 0.5 s, doubling to 30 s, ±20 % jitter, from the
 *   start again after 60 s connected (§4.7).
 *
 * @module
 */
import type { BurnEvent, BurnRequest, BurnResult, BurnTool, DiscKind, DriveErrorCode } from "../../hw/drive.ts";
import type { MediaInfo, ReadBackResult, TrayState } from "../../hw/drive.ts";
import { Backoff } from "../backoff.ts";
import type { ConnId, StreamAddress, StreamEffects, StreamPeer } from "../core.ts";
import type { StreamCore } from "../core.ts";
import { encode } from "./codec.ts";
import { FrameReader } from "./framing.ts";
import type { IsoImage } from "./iso-index.ts";
import type { Ctype, Message } from "./messages.ts";

/**
 * What a burner core runs with. `reload`: whether verify first reloads the
 * disc (false for `stdio:` and fake drives, §4.5); `random` in [0, 1) for
 * the redial jitter.
 *
 * @example
 * ```ts
 * const cfg: BurnerCoreConfig = {
 *   id: "233c343e144c59081b9ea1da568a72e8", driveType: "DVD", server: { host: "127.0.0.1", port: 1337 },
 *   tool: "cdrskin", keepDisc: false, reload: true, stallTimeoutMs: 300_000, random: Math.random,
 * };
 * ```
 */
export interface BurnerCoreConfig {
  id: string;
  driveType: DiscKind;
  server: StreamAddress;
  tool: BurnTool;
  speed?: number;
  keepDisc: boolean;
  reload: boolean;
  stallTimeoutMs: number;
  random: () => number;
}

/**
 * A drive request that could not be done: the {@linkcode DriveError}'s code
 * and message, as the program caught it.
 *
 * @example
 * ```ts
 * const f: DriveFailure = { driveError: "NODEV", message: "/dev/sr0: no such device" };
 * ```
 */
export interface DriveFailure {
  driveError: DriveErrorCode;
  message: string;
}

/**
 * What the core asks of the drive. Each request but `abortTool` is
 * answered by one call of the core's matching method.
 *
 * @example
 * ```ts
 * const requests: DriveRequests = {
 *   pollTray: () => drive.trayState().then((s) => core.trayPolled(s, Date.now()), (e) => core.trayPolled(failure(e), Date.now())),
 *   // … readMedia, burn, readBack, openTray, closeTray, abortTool
 * } as DriveRequests;
 * ```
 */
export interface DriveRequests {
  /** `trayState()` → `trayPolled`. */
  pollTray(): void;
  /** `media()` → `mediaRead`. */
  readMedia(): void;
  /** `burn(req)` → `burnEvent` for each event, then `burnEnded`. */
  burn(req: BurnRequest): void;
  /** `readBack(bytes)` → `readBackDone`. */
  readBack(bytes: number): void;
  /** `openTray()` → `trayMoved`. */
  openTray(): void;
  /** `closeTray()` → `trayMoved`. */
  closeTray(): void;
  /** Abort the running burn or read-back (its signal); its answer still comes. */
  abortTool(): void;
}

/**
 * A burner core's effects: its connection's and the drive's.
 *
 * @example
 * ```ts
 * const fx: BurnerEffects = { ...streams.effects, ...driveRequests };
 * ```
 */
export type BurnerEffects = StreamEffects & DriveRequests;

/** The CD capacity assumed when a CD disc does not say (80 min, 360000 × 2048). */
const CD_BYTES = 737_280_000;
const HEARTBEAT_MS = 10_000;
const POLL_MS = 1_000;
/** Dialing, and each handshake step (IDENT, CAPAB), may take this long. */
const HANDSHAKE_MS = 10_000;
const RESET_AFTER_MS = 60_000;
const VERDICT_TTL_MS = 3_600_000;
const RELOAD_MS = 60_000;
const BY_HAND_MS = 300_000;
const MILESTONES = [25, 50, 75] as const;

type Link = "waiting" | "dialing" | "ident" | "capab" | "up" | "closing" | "stopped";
type DriveOp = "poll" | "media" | "burn" | "readBack" | "eject" | "reload-open" | "reload-close";
type Step = "burn" | "burning" | "reload" | "reload-wait" | "verify" | "verifying";

interface Job {
  readonly hash: string;
  readonly image: IsoImage;
  step: Step;
  /** The job's status line: `0`, a milestone, or `100 TIME s`. */
  line: Message;
  readonly sent: Set<number>;
  lastOutputAt: number;
  /** The first failure line the tool printed. */
  failure?: { cls: string; line: string };
  /** Why the core stopped the tool, which then outranks what the tool says. */
  stopped?: string;
  /** Reload wait or read-back deadline. */
  deadline: number;
  /** What a reload wait that runs out says (ERROR DRIVE). */
  waitWhat: string;
}

/** A result the program hands over when a drive request threw. */
function isFailure(r: object): r is DriveFailure {
  return "driveError" in r;
}

/**
 * The burner daemon's core.
 *
 * @example
 * ```ts
 * const runner = new CoreRunner<BurnerCore>(log);
 * const streams = new StreamDriver(runner);
 * const core = new BurnerCore(cfg, { ...streams.effects, ...driveRequests });
 * runner.start(core); // the first tick dials and polls the tray
 * core.images(index, Date.now());
 * ```
 */
export class BurnerCore implements StreamCore {
  readonly #cfg: BurnerCoreConfig;
  readonly #fx: BurnerEffects;
  readonly #ctype: Ctype;
  readonly #backoff: Backoff;

  #link: Link = "waiting";
  #conn: ConnId | undefined;
  #lastConn = 0;
  #reader = new FrameReader();
  #linkDeadline = 0;
  #openedAt: number | undefined;

  #images = new Map<string, IsoImage>();
  #capSent: string | undefined;
  #askPending = false;

  /** The media status to report while no job is bound; undefined: nothing to say yet. */
  #report: Message | undefined;
  #statusSentAt = -Infinity;
  /** The one verdict not sent yet (disconnected when it came), and when it came. */
  #unsent: { message: Message; at: number } | undefined;

  #op: DriveOp | undefined;
  #tray: TrayState | undefined;
  #media: MediaInfo | undefined;
  #nextPollAt = 0;
  #fault: string | undefined;
  #openWanted = false;

  #job: Job | undefined;
  #signals = 0;
  #ended = false;

  constructor(cfg: BurnerCoreConfig, fx: BurnerEffects) {
    this.#cfg = cfg;
    this.#fx = fx;
    this.#ctype = cfg.driveType === "DVD" ? "BURNDVD" : "BURNCDR";
    this.#backoff = new Backoff({ firstMs: 500, maxMs: 30_000, jitter: 0.2, random: cfg.random });
  }

  /** The hash of the bound job, if any. */
  get job(): string | undefined {
    return this.#job?.hash;
  }

  // ---- the connection -------------------------------------------------

  opened(conn: ConnId, _peer: StreamPeer, now: number): void {
    if (conn !== this.#conn || this.#link !== "dialing") return;
    this.#link = "ident";
    this.#openedAt = now;
    this.#reader = new FrameReader();
    this.#linkDeadline = now + HANDSHAKE_MS;
  }

  received(conn: ConnId, bytes: Uint8Array, now: number): void {
    if (conn !== this.#conn || !this.#reading()) return;
    for (const event of this.#reader.push(bytes)) {
      if (event.kind === "toobig") {
        this.#fx.log("warn", "standd sent a frame over the limit; reconnecting");
        this.#drop();
      } else if (event.kind === "bad") {
        if (event.failure.code === "VERSION" && event.failure.verb === "IDENT") {
          this.#fx.log("error", `standd speaks another protocol version (${event.failure.text}); reconnecting later`);
          this.#drop();
        } else {
          this.#fx.log("warn", `standd sent a bad frame: ${event.failure.text}`);
        }
      } else {
        this.#message(event.message, now);
      }
      if (!this.#reading()) break;
    }
    this.#pump(now);
  }

  writable(): void {}

  /** Whether what the connection brings still counts (not after the core gave it up). */
  #reading(): boolean {
    return this.#link !== "closing" && this.#link !== "stopped";
  }

  closed(conn: ConnId, error: string | undefined, now: number): void {
    if (conn !== this.#conn) return;
    this.#conn = undefined;
    if (this.#link === "stopped") return;
    const was = this.#link;
    if (this.#openedAt !== undefined && now - this.#openedAt >= RESET_AFTER_MS) this.#backoff.reset();
    this.#openedAt = undefined;
    this.#link = "waiting";
    this.#askPending = false;
    const delay = this.#backoff.next();
    this.#linkDeadline = now + delay;
    const why = error === undefined ? "closed" : error;
    const level = was === "up" ? "warn" : "info";
    this.#fx.log(level, `standd connection ${why}; redialing in ${(delay / 1000).toFixed(1)} s`);
  }

  // ---- time -------------------------------------------------------------

  tick(now: number): void {
    switch (this.#link) {
      case "waiting":
        if (now >= this.#linkDeadline) this.#dial(now);
        break;
      case "dialing":
      case "ident":
      case "capab":
        if (now >= this.#linkDeadline) {
          this.#fx.log("info", `standd: no ${this.#link === "dialing" ? "connection" : "handshake"} in time`);
          this.#drop();
        }
        break;
      case "up": {
        const current = this.#current();
        if (current && now >= this.#statusSentAt + HEARTBEAT_MS) this.#sendStatus(current, now);
        break;
      }
    }
    const job = this.#job;
    if (job) {
      if (job.step === "burning" && job.stopped === undefined && now >= job.lastOutputAt + this.#cfg.stallTimeoutMs) {
        const s = Math.round(this.#cfg.stallTimeoutMs / 1000);
        job.stopped = `OTHER: no output from ${this.#cfg.tool} for ${s} s; stopped it`;
        this.#fx.abortTool();
      } else if (job.step === "verifying" && job.stopped === undefined && now >= job.deadline) {
        job.stopped = `VERIFY: no read-back result within ${Math.round((job.deadline - job.lastOutputAt) / 1000)} s`;
        this.#fx.abortTool();
      } else if (job.step === "reload-wait" && this.#op === undefined && now >= job.deadline) {
        this.#fail("DRIVE", job.waitWhat, now);
      }
    }
    this.#pump(now);
  }

  nextDeadline(): number | undefined {
    if (this.#ended) return undefined;
    let at = Infinity;
    switch (this.#link) {
      case "waiting":
      case "dialing":
      case "ident":
      case "capab":
        at = this.#linkDeadline;
        break;
      case "up":
        if (this.#current()) at = this.#statusSentAt + HEARTBEAT_MS;
        break;
    }
    const job = this.#job;
    if (job) {
      if (job.step === "burning" && job.stopped === undefined) {
        at = Math.min(at, job.lastOutputAt + this.#cfg.stallTimeoutMs);
      }
      if (job.step === "verifying" && job.stopped === undefined) at = Math.min(at, job.deadline);
      if (job.step === "reload-wait" && this.#op === undefined) at = Math.min(at, job.deadline, this.#nextPollAt);
    } else if (this.#signals === 0 && this.#op === undefined) {
      at = Math.min(at, this.#nextPollAt);
    }
    return at === Infinity ? undefined : at;
  }

  // ---- the program's events ------------------------------------------------

  /**
   * The images the index holds now; a changed set is announced with
   * ASKCAP (the server answers CAPAB, the core sends CAP).
   */
  images(images: Iterable<IsoImage>, now: number): void {
    this.#images = new Map([...images].map((i) => [i.hash, i]));
    if (this.#link === "up" && this.#capSent !== this.#hashes().join(" ") && !this.#askPending) {
      this.#askPending = true;
      this.#send({ type: "ASKCAP" });
    }
    this.#pump(now);
  }

  /**
   * SIGTERM or SIGINT: the first refuses new burns and ends once the
   * current burn and verify have their verdict (at once when idle); the
   * second stops the running tool, so the job ends FAIL.
   */
  stop(now: number): void {
    this.#signals++;
    const job = this.#job;
    if (this.#signals === 1) {
      this.#fx.log("info", job ? `stopping after the burn of ${job.hash}` : "stopping");
    } else if (job && job.stopped === undefined) {
      job.stopped = "OTHER: stopped by a second signal";
      if (job.step === "burning" || job.step === "verifying") this.#fx.abortTool();
    }
    this.#pump(now);
  }

  /** The answer to `pollTray`. */
  trayPolled(result: TrayState | DriveFailure, now: number): void {
    this.#op = undefined;
    this.#nextPollAt = now + POLL_MS;
    const job = this.#job;
    if (typeof result === "object") {
      if (job?.step === "reload-wait") this.#fail("DRIVE", result.message, now);
      else if (!job) this.#driveFault(result.message);
    } else if (job) {
      if (job.step === "reload-wait" && result === "disc") job.step = "verify";
    } else {
      this.#trayIs(result, now);
    }
    this.#pump(now);
  }

  /** The answer to `readMedia`. */
  mediaRead(result: MediaInfo | DriveFailure, now: number): void {
    this.#op = undefined;
    if (isFailure(result)) {
      this.#driveFault(result.message);
    } else if (!this.#job && this.#tray === "disc") {
      this.#mediaIs(result, now);
    }
    this.#pump(now);
  }

  /** One event of the running burn. */
  burnEvent(e: BurnEvent, now: number): void {
    const job = this.#job;
    if (!job || job.step !== "burning") return;
    job.lastOutputAt = now;
    if (e.kind === "failure") {
      job.failure ??= { cls: e.cls, line: e.line };
    } else if (e.kind === "progress") {
      for (const m of MILESTONES) {
        if (e.percent >= m && !job.sent.has(m)) {
          job.sent.add(m);
          job.line = { type: "STATUS_PROGRESS", hash: job.hash, pct: m };
          this.#statusChanged(now);
        }
      }
    }
  }

  /** The answer to `burn`. */
  burnEnded(result: BurnResult | DriveFailure, now: number): void {
    this.#op = undefined;
    const job = this.#job;
    if (!job || job.step !== "burning") return;
    if (isFailure(result)) {
      this.#fail("DRIVE", result.message, now);
    } else if (job.stopped !== undefined) {
      this.#fail("BURN", job.stopped, now);
    } else if (!result.ok) {
      const f = result.failure ?? job.failure ??
        { cls: "OTHER", line: result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}` };
      this.#fail("BURN", `${f.cls}: ${f.line}`, now);
    } else {
      const time = Math.round(result.seconds);
      this.#fx.log("info", `burnt ${job.image.filename} in ${time} s; verifying`);
      job.line = { type: "STATUS_PROGRESS", hash: job.hash, pct: 100, time };
      job.step = this.#cfg.reload ? "reload" : "verify";
      this.#statusChanged(now);
    }
    this.#pump(now);
  }

  /** The answer to `readBack`. */
  readBackDone(result: ReadBackResult | DriveFailure, now: number): void {
    this.#op = undefined;
    const job = this.#job;
    if (!job || job.step !== "verifying") return;
    const want = job.image.bytes;
    if (isFailure(result)) {
      this.#fail("DRIVE", result.message, now);
    } else if (job.stopped !== undefined) {
      this.#fail("BURN", job.stopped, now);
    } else if (result.error !== undefined || result.bytes !== want) {
      this.#fail("BURN", `VERIFY: read back ${result.bytes} of ${want} bytes: ${result.error ?? "short read"}`, now);
    } else if (result.md5 !== job.hash) {
      this.#fail("BURN", `VERIFY: the disc's md5 is ${result.md5}, the image's ${job.hash}`, now);
    } else {
      this.#verdict("PASS", now);
    }
    this.#pump(now);
  }

  /** The answer to `openTray` or `closeTray`. */
  trayMoved(failure: DriveFailure | undefined, now: number): void {
    const op = this.#op;
    this.#op = undefined;
    const job = this.#job;
    if (op === "eject") {
      if (failure) {
        this.#driveFault(failure.message);
      } else {
        this.#tray = "open";
        this.#media = undefined;
        this.#setReport({ type: "STATUS_MEDIA", media: this.#cfg.driveType, state: "OPEN" }, now);
      }
    } else if (job && op === "reload-open") {
      if (failure) this.#fail("DRIVE", failure.message, now);
      else this.#startOp("reload-close", () => this.#fx.closeTray());
    } else if (job && op === "reload-close") {
      if (failure && failure.driveError !== "UNSUPPORTED") {
        this.#fail("DRIVE", failure.message, now);
      } else {
        job.step = "reload-wait";
        job.deadline = now + (failure ? BY_HAND_MS : RELOAD_MS);
        job.waitWhat = failure
          ? "nobody closed the tray within 300 s to verify"
          : "the disc was not back within 60 s to verify";
        if (failure) this.#fx.log("warn", "this drive cannot close its tray: close it by hand to verify the disc");
        this.#nextPollAt = now;
      }
    }
    this.#pump(now);
  }

  // ---- messages -------------------------------------------------------

  #message(m: Message, now: number): void {
    if (this.#link === "ident") {
      if (m.type !== "IDENT") {
        this.#fx.log("warn", `standd sent ${m.type} before IDENT; reconnecting`);
        this.#drop();
        return;
      }
      this.#send({ type: "ID", ver: "V1", ctype: this.#ctype, id: this.#cfg.id });
      this.#link = "capab";
      this.#linkDeadline = now + HANDSHAKE_MS;
      return;
    }
    switch (m.type) {
      case "CAPAB":
        this.#askPending = false;
        this.#capSent = this.#hashes().join(" ");
        this.#send({ type: "CAP", ctype: this.#ctype, hashes: this.#hashes() });
        if (this.#link === "capab") this.#up(now);
        return;
      case "WHATIS": {
        const image = this.#images.get(m.hash);
        if (image) {
          this.#send({
            type: "INFO",
            hash: image.hash,
            filename: image.filename,
            description: image.description,
            bytes: image.bytes,
          });
        }
        return;
      }
      case "BURN":
        this.#burn(m.hash, now);
        return;
      case "OPEN":
        if (this.#job) {
          this.#error("BUSY", `burning ${this.#job.image.filename}; the tray stays shut until the verdict`);
        } else this.#openWanted = true;
        return;
      case "ERROR":
        this.#fx.log("warn", `standd says ERROR ${m.code} ${m.text}`);
        return;
      default:
        this.#fx.log("debug", `standd sent ${m.type}; ignored`);
    }
  }

  /** The handshake is done: the unsent verdict first, then the current status (§4.7). */
  #up(now: number): void {
    this.#link = "up";
    this.#fx.log("info", `connected to standd as ${this.#cfg.id}`);
    const unsent = this.#unsent;
    this.#unsent = undefined;
    if (unsent && now - unsent.at < VERDICT_TTL_MS) this.#send(unsent.message);
    const current = this.#current();
    if (current) this.#sendStatus(current, now);
  }

  #burn(hash: string, now: number): void {
    const image = this.#images.get(hash);
    const media = this.#media;
    if (!image) {
      this.#error("NOISO", "Burner does not have this ISO.");
    } else if (this.#signals > 0) {
      this.#error("NOTREADY", "burnerd is shutting down");
    } else if (this.#job) {
      this.#error("NOTREADY", `busy burning ${this.#job.image.filename}`);
    } else if (!media || !this.#isAvail() || this.#fault !== undefined || this.#openWanted) {
      this.#error("NOTREADY", "no blank disc ready");
    } else if (image.bytes > (media.writableBytes ?? (media.kind === "CDR" ? CD_BYTES : Infinity))) {
      const room = media.writableBytes ?? CD_BYTES;
      this.#error("MEDIA", `${image.filename} is ${image.bytes} bytes; the ${media.profile} disc holds ${room}`);
    } else {
      this.#fx.log("info", `burning ${image.filename} (${hash})`);
      this.#job = {
        hash,
        image,
        step: "burn",
        line: { type: "STATUS_PROGRESS", hash, pct: 0 },
        sent: new Set(),
        lastOutputAt: now,
        deadline: 0,
        waitWhat: "",
      };
      this.#statusChanged(now);
    }
  }

  // ---- the drive ------------------------------------------------------

  /** Start whatever the drive should do next, if it is free; end when stopping and done. */
  #pump(now: number): void {
    if (this.#ended) return;
    if (this.#op !== undefined) return;
    const job = this.#job;
    if (job?.stopped !== undefined && job.step !== "burning" && job.step !== "verifying") {
      this.#fail("BURN", job.stopped, now);
    } else if (job) {
      switch (job.step) {
        case "burn": {
          job.step = "burning";
          job.lastOutputAt = now;
          const req: BurnRequest = { imagePath: job.image.path, imageBytes: job.image.bytes, tool: this.#cfg.tool };
          if (this.#cfg.speed !== undefined) req.speed = this.#cfg.speed;
          this.#startOp("burn", () => this.#fx.burn(req));
          return;
        }
        case "reload":
          this.#startOp("reload-open", () => this.#fx.openTray());
          return;
        case "reload-wait":
          if (now >= this.#nextPollAt) this.#startOp("poll", () => this.#fx.pollTray());
          return;
        case "verify": {
          job.step = "verifying";
          const bytes = job.image.bytes;
          job.lastOutputAt = now;
          job.deadline = now + 60_000 + Math.ceil((bytes / 1048576) * 1000);
          this.#startOp("readBack", () => this.#fx.readBack(bytes));
          return;
        }
        default:
          return;
      }
    }
    if (this.#openWanted) {
      this.#openWanted = false;
      this.#media = undefined;
      this.#startOp("eject", () => this.#fx.openTray());
    } else if (this.#signals > 0) {
      this.#end();
    } else if (now >= this.#nextPollAt) {
      this.#startOp("poll", () => this.#fx.pollTray());
    }
  }

  #startOp(op: DriveOp, request: () => void): void {
    this.#op = op;
    request();
  }

  /** A poll's answer while no job is bound (§4.4). */
  #trayIs(state: TrayState, now: number): void {
    if (this.#fault !== undefined) {
      this.#fx.log("info", "the drive answers again");
      this.#fault = undefined;
      this.#tray = undefined;
    }
    const before = this.#tray;
    switch (state) {
      case "open":
      case "empty":
        this.#tray = state;
        this.#media = undefined;
        this.#setReport({
          type: "STATUS_MEDIA",
          media: this.#cfg.driveType,
          state: state === "open" ? "OPEN" : "EMPTY",
        }, now);
        return;
      case "disc":
        this.#tray = state;
        if (before !== "disc") this.#startOp("media", () => this.#fx.readMedia());
        return;
      default:
        // Not ready (normal for seconds after closing) or unknown: keep the last report.
        this.#tray = state;
    }
  }

  #mediaIs(media: MediaInfo, now: number): void {
    const drive = this.#cfg.driveType;
    if (media.present && !media.blank) {
      this.#error("USEDDISC", `the ${media.profile || "disc"} in the drive is not blank; ejecting it`);
      this.#fx.log("warn", "a used disc was loaded; ejecting it");
      this.#media = undefined;
      this.#openWanted = true;
    } else if (!media.present || media.kind === null || (media.kind === "DVD" && drive === "CDR")) {
      this.#media = undefined;
      this.#setReport({ type: "STATUS_MEDIA", media: drive, state: "EMPTY" }, now);
    } else {
      this.#media = media;
      this.#setReport({ type: "STATUS_MEDIA", media: media.kind, state: "AVAIL" }, now);
    }
  }

  /** The drive failed outside a job: say so once, and report no blank until it answers again (§4.6). */
  #driveFault(message: string): void {
    if (this.#fault === undefined) {
      this.#fx.log("error", message);
      this.#error("DRIVE", message);
    }
    this.#fault = message;
    this.#tray = undefined;
    this.#media = undefined;
    if (this.#isAvail()) this.#report = { type: "STATUS_MEDIA", media: this.#cfg.driveType, state: "EMPTY" };
  }

  #isAvail(): boolean {
    const r = this.#report;
    return r?.type === "STATUS_MEDIA" && r.state === "AVAIL";
  }

  // ---- verdicts -------------------------------------------------------

  /** The job failed: ERROR `code` (BURN or DRIVE) with `text`, then FAIL. */
  #fail(code: "BURN" | "DRIVE", text: string, now: number): void {
    this.#fx.log("error", `${this.#job?.image.filename ?? "burn"} failed: ${text}`);
    this.#error(code, text);
    if (code === "DRIVE") this.#fault = text;
    this.#verdict("FAIL", now);
  }

  /** The verdict goes out, or waits for the next handshake; the job is unbound and the disc ejected. */
  #verdict(verdict: "PASS" | "FAIL", now: number): void {
    const job = this.#job!;
    const message: Message = { type: "STATUS_VERDICT", hash: job.hash, verdict };
    this.#fx.log("info", `${job.image.filename}: ${verdict}`);
    if (this.#link === "up") this.#send(message);
    else this.#unsent = { message, at: now };
    this.#job = undefined;
    this.#media = undefined;
    if (this.#cfg.keepDisc) {
      // The finished disc stays: no blank, and no USEDDISC until the tray changes.
      this.#tray = "disc";
      this.#setReport({ type: "STATUS_MEDIA", media: this.#cfg.driveType, state: "EMPTY" }, now);
    } else {
      this.#tray = undefined;
      this.#report = undefined;
      this.#openWanted = true;
    }
  }

  // ---- sending --------------------------------------------------------

  /** What the heartbeat repeats: the job's line while one is bound, else the media report. */
  #current(): Message | undefined {
    return this.#job ? this.#job.line : this.#report;
  }

  #setReport(m: Message, now: number): void {
    const before = this.#report;
    this.#report = m;
    if (!this.#job && (before === undefined || !sameMessage(before, m))) this.#statusChanged(now);
  }

  #statusChanged(now: number): void {
    const current = this.#current();
    if (current && this.#link === "up") this.#sendStatus(current, now);
  }

  #sendStatus(m: Message, now: number): void {
    this.#statusSentAt = now;
    this.#send(m);
  }

  /** An ERROR for the server; lost while disconnected (only the verdict is kept). */
  #error(code: string, text: string): void {
    if (this.#link === "up") this.#send({ type: "ERROR", code, text });
  }

  #send(m: Message): void {
    if (this.#conn !== undefined) this.#fx.send(this.#conn, encode(m));
  }

  #hashes(): string[] {
    return [...this.#images.keys()];
  }

  #dial(now: number): void {
    this.#conn = --this.#lastConn;
    this.#link = "dialing";
    this.#linkDeadline = now + HANDSHAKE_MS;
    this.#fx.dial(this.#conn, this.#cfg.server);
  }

  /** Give up this connection; its `closed` schedules the redial. */
  #drop(): void {
    if (this.#conn === undefined) return;
    this.#link = "closing";
    this.#fx.abort(this.#conn);
  }

  #end(): void {
    this.#ended = true;
    if (this.#conn !== undefined) this.#fx.close(this.#conn);
    this.#link = "stopped";
    this.#fx.done();
  }
}

function sameMessage(a: Message, b: Message): boolean {
  return a.type === b.type && JSON.stringify(a) === JSON.stringify(b);
}
