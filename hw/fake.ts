/**
 * The simulated drive (spec stand.md §5.4): in-process and deterministic,
 * with time from an injected {@linkcode Clock} and chance from an injected
 * random source. Burns print the chosen tool's text and run it through the
 * real parsers; read-back streams the image, applies the disc's corruption
 * and really hashes the bytes.
 *
 * @module
 */

import { seededRandom } from "../lib/random.ts";
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type {
  BurnEvent,
  BurnRequest,
  BurnResult,
  Drive,
  DriveInfo,
  MediaInfo,
  ReadBackResult,
  TrayState,
} from "./drive.ts";
import { DriveError } from "./drive.ts";
import type { DiscKind } from "./drive.ts";
import type { FakeFailKind, FakeSpec } from "./fake-spec.ts";
import { cdrskinParser } from "./progress/cdrskin.ts";
import type { BurnToolEvent } from "./progress/events.ts";
import type { LineParser } from "./progress/line-parser.ts";
import { ProgressTracker } from "./progress/tracker.ts";
import { wodimParser } from "./progress/wodim.ts";
import { xorrisoParser } from "./progress/xorriso.ts";

/**
 * Where the simulator's time comes from: `now` in milliseconds, `sleep`
 * resolving once `ms` have passed.
 *
 * @example
 * ```ts
 * const clock: Clock = new VirtualClock();
 * await clock.sleep(1000);
 * clock.now(); // 1000
 * ```
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * A clock whose time moves only when someone sleeps on it, at once: a
 * simulated burn of an hour takes no real time and always the same steps.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock(5000);
 * await clock.sleep(250);
 * clock.now(); // 5250
 * ```
 */
export class VirtualClock implements Clock {
  constructor(private time = 0) {}

  /** The current virtual time in milliseconds. */
  now(): number {
    return this.time;
  }

  /** Moves the time on by `ms`. */
  sleep(ms: number): Promise<void> {
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}

/**
 * What a {@linkcode FakeDrive} needs besides its SPEC: the clock, a random
 * source in [0, 1) for `fail=KIND@pP` (default: seeded from `seed=`), and
 * the device name it reports.
 *
 * @example
 * ```ts
 * const o: FakeDriveOptions = { clock: new VirtualClock(), device: "fake:/var/lib/burnerd/fake.id" };
 * ```
 */
export interface FakeDriveOptions {
  clock: Clock;
  random?: () => number;
  device?: string;
}

/** The default writable bytes of a blank CD-R (80 min) and DVD±R. */
const CAPACITY: Record<DiscKind, number> = { CDR: 737280000, DVD: 4700372992 };
/** Bytes per second at 1× for the speed the progress lines show. */
const ONE_X: Record<DiscKind, number> = { CDR: 153600, DVD: 1385000 };
/** What xorriso pads a track with; reads past it end in EIO like a TAO run-out. */
const PADDING = 300 * 1024;
const CHUNK = 1048576;
const EIO = "Input/output error";

interface Disc {
  kind: DiscKind;
  blank: boolean;
  image?: { path: string; bytes: number };
  flip?: number;
  shortAt?: number;
}

/**
 * A simulated burner built from a parsed `--fake` SPEC.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const drive = new FakeDrive(parseFakeSpec("rate=1M,fail=verify@1"), { clock });
 * await drive.trayState(); // "disc"
 * await drive.burn({ imagePath: "/srv/isos/a.iso", imageBytes: 4194304, tool: "cdrskin" }, console.log, new AbortController().signal);
 * (await drive.readBack(4194304, new AbortController().signal)).md5; // not the image's md5: one byte flipped
 * ```
 */
export class FakeDrive implements Drive {
  readonly device: string;
  readonly #spec: FakeSpec;
  readonly #clock: Clock;
  readonly #random: () => number;
  #open = false;
  #disc: Disc | null = null;
  #supply: number;
  #loadAt: number | undefined;
  #burns = 0;
  #busy = false;
  #frozen: TrayState | undefined;
  #vanished = false;

  constructor(spec: FakeSpec, opts: FakeDriveOptions) {
    this.#spec = spec;
    this.#clock = opts.clock;
    this.#random = opts.random ?? seededRandom(spec.seed);
    this.device = opts.device ?? "fake:";
    this.#supply = spec.supply;
    switch (spec.start) {
      case "blank":
        this.#load();
        break;
      case "open":
        this.#eject();
        break;
      case "used":
        this.#disc = { kind: spec.disc, blank: false };
        break;
      case "empty":
        break;
    }
  }

  info(): Promise<DriveInfo> {
    this.#present();
    return Promise.resolve({
      device: this.device,
      driveType: this.#spec.type,
      vendor: "FAKE",
      model: `Simulated ${this.#spec.type} burner`,
      revision: "1.0",
      canOpenTray: true,
      canCloseTray: true,
      canWriteCdr: true,
      canWriteDvd: this.#spec.type === "DVD",
    });
  }

  trayState(): Promise<TrayState> {
    this.#present();
    if (this.#frozen !== undefined) return Promise.resolve(this.#frozen);
    return Promise.resolve(this.#tray());
  }

  media(): Promise<MediaInfo> {
    this.#present();
    const disc = this.#tray() === "disc" ? this.#disc : null;
    if (disc === null) {
      return Promise.resolve({ present: false, blank: false, kind: null, profile: "", writableBytes: null });
    }
    return Promise.resolve({
      present: true,
      blank: disc.blank,
      kind: disc.kind,
      profile: disc.kind === "CDR" ? "CD-R" : "DVD+R",
      writableBytes: disc.blank ? this.#capacity(disc.kind) : 0,
    });
  }

  openTray(): Promise<void> {
    this.#movable();
    this.#disc = null;
    this.#eject();
    return Promise.resolve();
  }

  closeTray(): Promise<void> {
    this.#movable();
    this.#open = false;
    return Promise.resolve();
  }

  async burn(req: BurnRequest, onEvent: (e: BurnEvent) => void, signal: AbortSignal): Promise<BurnResult> {
    this.#idle();
    this.#burns++;
    const fails = this.#failures();
    if (fails.has("vanish")) this.#vanished = true;
    this.#present();
    if (fails.has("stuck")) this.#frozen = this.#tray();
    this.#busy = true;
    try {
      return await this.#write(req, fails, onEvent, signal);
    } finally {
      this.#busy = false;
    }
  }

  async readBack(bytes: number, signal: AbortSignal, onBytes?: (n: number) => void): Promise<ReadBackResult> {
    this.#idle();
    const disc = this.#tray() === "disc" ? this.#disc : null;
    if (disc === null) return { bytes: 0, md5: md5Of(new Uint8Array()), error: "no medium" };
    if (disc.blank) return { bytes: 0, md5: md5Of(new Uint8Array()), error: EIO };
    this.#busy = true;
    try {
      return await readDisc(disc, bytes, this.#spec.read, this.#clock, signal, onBytes);
    } finally {
      this.#busy = false;
    }
  }

  /** The tray now, after the operator's scheduled loading of a blank. */
  #tray(): TrayState {
    if (this.#loadAt !== undefined && this.#clock.now() >= this.#loadAt && this.#disc === null) this.#load();
    if (this.#open) return "open";
    return this.#disc === null ? "empty" : "disc";
  }

  /** The next blank goes in and the tray closes, or the tray opens when none is left. */
  #load(): void {
    this.#loadAt = undefined;
    if (this.#supply <= 0) {
      this.#open = true;
      return;
    }
    this.#supply--;
    this.#disc = { kind: this.#spec.disc, blank: true };
    this.#open = false;
  }

  /** The tray is open; a blank follows after `reload` seconds. */
  #eject(): void {
    this.#open = true;
    this.#loadAt = this.#clock.now() + this.#spec.reload * 1000;
    this.#tray();
  }

  #capacity(kind: DiscKind): number {
    return this.#spec.capacity ?? CAPACITY[kind];
  }

  /** The failure kinds that apply to the burn just counted. */
  #failures(): Set<FakeFailKind> {
    const out = new Set<FakeFailKind>();
    for (const rule of this.#spec.fail) {
      const hit = "burn" in rule ? rule.burn === this.#burns : this.#random() < rule.probability;
      if (hit) out.add(rule.kind);
    }
    return out;
  }

  #present(): void {
    if (this.#vanished) throw new DriveError("NODEV", `${this.device}: the drive has gone; check its cable and power`);
  }

  #idle(): void {
    this.#present();
    if (this.#busy) throw new DriveError("BUSY", `${this.device}: the drive is busy with a burn or read-back`);
  }

  #movable(): void {
    this.#idle();
    if (this.#frozen !== undefined) throw new DriveError("TRAY", `${this.device}: the tray is stuck; free it by hand`);
  }

  /** The simulated tool run: its text through the real parser, time from the clock. */
  async #write(
    req: BurnRequest,
    fails: Set<FakeFailKind>,
    onEvent: (e: BurnEvent) => void,
    signal: AbortSignal,
  ): Promise<BurnResult> {
    const started = this.#clock.now();
    const tool = new ToolText(req, onEvent);
    const result = (code: number | null): BurnResult => {
      const { events, outcome } = tool.exit(code);
      for (const e of events) onEvent(e);
      const out: BurnResult = {
        ok: outcome.ok,
        exitCode: code,
        signal: code === null ? "SIGTERM" : null,
        seconds: (this.#clock.now() - started) / 1000,
      };
      if (outcome.failure) out.failure = outcome.failure;
      return out;
    };
    const disc = this.#tray() === "disc" ? this.#disc : null;
    if (disc === null || !disc.blank) {
      tool.noMedium();
      return result(5);
    }
    const capacity = this.#capacity(disc.kind);
    if (req.imageBytes > capacity) {
      tool.tooSmall(req.imageBytes, capacity);
      return result(5);
    }
    tool.starting(this.#spec.rate / ONE_X[disc.kind]);
    const total = req.imageBytes;
    let elapsed = 0;
    let written = 0;
    while (written < total) {
      const ms = Math.min(1000, ((total - written) * 1000) / this.#spec.rate);
      await this.#clock.sleep(ms);
      if (signal.aborted) break;
      elapsed += ms;
      written = ms < 1000 ? total : Math.min(total, Math.floor((this.#spec.rate * elapsed) / 1000));
      tool.progress(written, this.#spec.rate / ONE_X[disc.kind]);
      if (fails.has("write") && written >= total * 0.4) {
        this.#disc = { kind: disc.kind, blank: false };
        tool.writeError();
        return result(5);
      }
      if (fails.has("stall") && written >= total * 0.5) await aborted(signal);
    }
    if (signal.aborted) {
      this.#disc = { kind: disc.kind, blank: false };
      return result(null);
    }
    tool.done(total, this.device);
    this.#disc = { kind: disc.kind, blank: false, image: { path: req.imagePath, bytes: total } };
    if (fails.has("verify")) this.#disc.flip = Math.floor(total / 2);
    if (fails.has("short")) this.#disc.shortAt = Math.floor(total / 2 / 2048) * 2048;
    return result(0);
  }
}

/**
 * One simulated tool run: the lines the chosen tool prints, each reported
 * as a `line` event and parsed by that tool's parser into tracked events.
 */
class ToolText {
  readonly #tracker: ProgressTracker;
  readonly #stdout: LineParser<BurnToolEvent>;
  readonly #stderr: LineParser<BurnToolEvent>;
  readonly #encoder = new TextEncoder();

  constructor(private readonly req: BurnRequest, private readonly onEvent: (e: BurnEvent) => void) {
    this.#tracker = new ProgressTracker(req.imageBytes);
    const parser = { cdrskin: cdrskinParser, wodim: wodimParser, xorriso: xorrisoParser }[req.tool];
    this.#stdout = parser();
    this.#stderr = parser();
  }

  starting(speedX: number): void {
    this.#say(`Starting to write CD/DVD at speed ${speedX.toFixed(1)} in real TAO mode for single session.`);
    this.#say("Beginning to write data track.");
  }

  progress(written: number, speedX: number): void {
    const mb = (n: number) => String(Math.floor(n / 1048576)).padStart(4);
    const x = speedX.toFixed(1).padStart(4);
    const tail = `${mb(written)} of ${mb(this.req.imageBytes)} MB written (fifo 100%) [buf  50%]  ${x}x.`;
    if (this.req.tool === "xorriso") this.#line("stderr", `xorriso : UPDATE : ${tail}`, "\n");
    else this.#line("stdout", `Track 01: ${tail}`, "\r");
  }

  done(bytes: number, device: string): void {
    this.#say("Fixating...");
    if (this.req.tool === "xorriso") {
      this.#line("stderr", `Writing to '${device}' completed successfully.`, "\n");
      return;
    }
    this.#say(`Track 01: Total bytes read/written: ${bytes}/${bytes} (${Math.ceil(bytes / 2048)} sectors).`);
    if (this.req.tool === "cdrskin") this.#say("cdrskin: burning done");
  }

  writeError(): void {
    if (this.req.tool === "wodim") {
      this.#line("stderr", "wodim: A write error occured.", "\n");
      return;
    }
    this.#line(
      "stderr",
      "libburn : SORRY : Cannot write desired amount of 32768 bytes. write(2) returned -1. : No space left on device",
      "\n",
    );
    this.#line("stderr", "libburn : FATAL : Burn run failed", "\n");
  }

  tooSmall(image: number, capacity: number): void {
    if (this.req.tool === "wodim") {
      this.#line("stderr", "wodim: Data may not fit on current disk.", "\n");
      return;
    }
    const s = (n: number) => `${Math.ceil(n / 2048)}s`;
    this.#line("stderr", `libburn : FAILURE : Image size ${s(image)} exceeds free space on media ${s(capacity)}`, "\n");
  }

  /** No tool prints a line the parsers class NOMEDIA alike, so the class is given here. */
  noMedium(): void {
    const line = this.req.tool === "wodim"
      ? "wodim: No disk / Wrong disk!"
      : "libburn : SORRY : No blank medium in drive";
    this.onEvent({ kind: "line", stream: "stderr", text: line });
    const e = this.#tracker.event({ kind: "failure", cls: "NOMEDIA", line });
    if (e) this.onEvent(e);
  }

  exit(code: number | null): ReturnType<ProgressTracker["exit"]> {
    this.#feed(this.#stdout.finish());
    this.#feed(this.#stderr.finish());
    return this.#tracker.exit(code);
  }

  /** A whole line on the tool's usual stream: stdout, or stderr for xorriso. */
  #say(text: string): void {
    this.#line(this.req.tool === "xorriso" ? "stderr" : "stdout", text, "\n");
  }

  #line(stream: "stdout" | "stderr", text: string, end: string): void {
    this.onEvent({ kind: "line", stream, text });
    const parser = stream === "stdout" ? this.#stdout : this.#stderr;
    this.#feed(parser.push(this.#encoder.encode(text + end)));
  }

  #feed(events: BurnToolEvent[]): void {
    for (const raw of events) {
      const e = this.#tracker.event(raw);
      if (e) this.onEvent(e);
    }
  }
}

/** Streams the disc's first `bytes` bytes: image, then padding, corruption applied. */
async function readDisc(
  disc: Disc,
  bytes: number,
  rate: number,
  clock: Clock,
  signal: AbortSignal,
  onBytes?: (n: number) => void,
): Promise<ReadBackResult> {
  const hash = createHash("md5");
  const imageBytes = disc.image?.bytes ?? 0;
  const end = Math.min(bytes, disc.shortAt ?? Infinity, imageBytes + PADDING);
  let done = 0;
  let error: string | undefined;
  const file = disc.image ? await open(disc.image.path).catch((e: Error) => e) : undefined;
  if (file instanceof Error) return { bytes: 0, md5: md5Of(new Uint8Array()), error: file.message };
  try {
    while (done < end) {
      const chunk = new Uint8Array(Math.min(CHUNK, end - done));
      const fromImage = Math.max(0, Math.min(chunk.length, imageBytes - done));
      if (file && fromImage > 0) {
        const { bytesRead } = await file.read(chunk, 0, fromImage, done);
        if (bytesRead < fromImage) {
          error = EIO;
          break;
        }
      }
      if (disc.flip !== undefined && disc.flip >= done && disc.flip < done + chunk.length) {
        const at = disc.flip - done;
        chunk[at] = (chunk[at] ?? 0) ^ 0xff;
      }
      await clock.sleep((chunk.length * 1000) / rate);
      if (signal.aborted) {
        error = "aborted";
        break;
      }
      hash.update(chunk);
      done += chunk.length;
      onBytes?.(done);
    }
  } finally {
    await file?.close();
  }
  if (error === undefined && done < bytes) error = EIO;
  const out: ReadBackResult = { bytes: done, md5: hash.digest("hex") };
  if (error !== undefined) out.error = error;
  return out;
}

function md5Of(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Resolves once `signal` is aborted. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
