/**
 * libburn's `stdio:PATH` pseudo-drive (spec stand.md §5.3): the real burn
 * tool writes a file, so CI runs the real binary and reads its real output.
 * A FIFO at PATH gives realistic speed: the drive drains it at a set rate
 * into a drain file that stands in for the disc.
 *
 * @module
 */

import { closeSync, constants, openSync } from "node:fs";
import { open, rename, stat } from "node:fs/promises";
import type {
  BurnEvent,
  BurnRequest,
  BurnResult,
  DiscKind,
  Drive,
  DriveInfo,
  MediaInfo,
  ReadBackResult,
  TrayState,
} from "./drive.ts";
import { DriveError } from "./drive.ts";
import { type Runner, systemRunner } from "./runner.ts";
import { burnArgv, readBackDd, readToc, runBurnTool, type ToolRunOptions } from "./tool-run.ts";

/**
 * How a {@linkcode StdioDrive} behaves: the disc kind it reports (default
 * CDR), the FIFO drain rate in bytes/s (default: as fast as the disk
 * takes it), the Runner, the stall timeout and kill grace of tool runs,
 * and the clock of the tray's open second.
 *
 * @example
 * ```ts
 * const o: StdioDriveOptions = { driveType: "CDR", stdioRate: 8_000_000 };
 * ```
 */
export interface StdioDriveOptions {
  driveType?: DiscKind;
  stdioRate?: number;
  runner?: Runner;
  stallTimeoutMs?: number;
  killGraceMs?: number;
  now?: () => number;
}

/** How long the tray reads `open` after an eject, before a fresh blank is "loaded". */
const OPEN_MS = 1000;
const PREFIX = "stdio:";

/** What PATH is: a FIFO, a character device (/dev/full), or a regular file or nothing yet. */
type PathKind = "fifo" | "char" | "file";

/**
 * A pseudo-drive at `stdio:PATH`, writing with xorriso or cdrskin (wodim
 * has no stdio drives).
 *
 * @example
 * ```ts
 * const drive = new StdioDrive("stdio:/tmp/out.iso", { driveType: "CDR" });
 * await drive.media(); // { present: true, blank: true, kind: "CDR", profile: "stdio file", writableBytes: null }
 * await drive.burn({ imagePath: "/tmp/a.iso", imageBytes: 4194304, tool: "xorriso" }, console.log, new AbortController().signal);
 * await drive.readBack(4194304, new AbortController().signal); // { bytes: 4194304, md5: "…" }
 * ```
 */
export class StdioDrive implements Drive {
  /** The file written in FIFO mode, standing in for PATH as the disc: `PATH.drain`. */
  readonly drainPath: string;
  readonly #path: string;
  readonly #type: DiscKind;
  readonly #rate: number | undefined;
  readonly #runner: Runner;
  readonly #tools: ToolRunOptions;
  readonly #now: () => number;
  #openUntil: number | undefined;
  #busy = false;

  constructor(readonly device: string, opts: StdioDriveOptions = {}) {
    if (!device.startsWith(PREFIX) || device.length === PREFIX.length) {
      throw new RangeError(`${device}: not a stdio:PATH device`);
    }
    this.#path = device.slice(PREFIX.length);
    this.drainPath = `${this.#path}.drain`;
    this.#type = opts.driveType ?? "CDR";
    this.#rate = opts.stdioRate;
    this.#runner = opts.runner ?? systemRunner();
    this.#tools = { runner: this.#runner, stallTimeoutMs: opts.stallTimeoutMs, killGraceMs: opts.killGraceMs };
    this.#now = opts.now ?? Date.now;
  }

  info(): Promise<DriveInfo> {
    return Promise.resolve({
      device: this.device,
      driveType: this.#type,
      vendor: "libburn",
      model: "stdio pseudo-drive",
      revision: "1",
      canOpenTray: true,
      canCloseTray: true,
      canWriteCdr: true,
      canWriteDvd: this.#type === "DVD",
    });
  }

  trayState(): Promise<TrayState> {
    return Promise.resolve(this.#trayOpen() ? "open" : "disc");
  }

  async media(): Promise<MediaInfo> {
    this.#idle();
    if (this.#trayOpen()) return { present: false, blank: false, kind: null, profile: "", writableBytes: null };
    const blank: MediaInfo = {
      present: true,
      blank: true,
      kind: this.#type,
      profile: "stdio file",
      writableBytes: null,
    };
    const kind = await pathKind(this.#path);
    if (kind === "char") return blank;
    const disc = kind === "fifo" ? this.drainPath : this.#path;
    if (!await fileBytes(disc)) return blank;
    // xorriso would block on the FIFO; the drain file is a plain copy of what was written.
    if (kind === "fifo") return { ...blank, blank: false };
    const toc = await readToc(this.device, this.#runner);
    return {
      present: true,
      blank: toc.blank,
      kind: this.#type,
      profile: toc.profile,
      writableBytes: toc.writableBytes,
    };
  }

  async openTray(): Promise<void> {
    this.#idle();
    const kind = await pathKind(this.#path);
    const disc = kind === "fifo" ? this.drainPath : kind === "file" ? this.#path : undefined;
    if (disc !== undefined && (await fileBytes(disc) ?? 0) > 0) await rename(disc, await this.#doneName());
    this.#openUntil = this.#now() + OPEN_MS;
  }

  closeTray(): Promise<void> {
    this.#idle();
    this.#openUntil = undefined;
    return Promise.resolve();
  }

  async burn(req: BurnRequest, onEvent: (e: BurnEvent) => void, signal: AbortSignal): Promise<BurnResult> {
    this.#idle();
    if (req.tool === "wodim") {
      throw new DriveError("UNSUPPORTED", `${this.device}: wodim cannot write stdio: drives; use xorriso or cdrskin`);
    }
    this.#busy = true;
    try {
      const argv = burnArgv(this.device, req, true);
      if (await pathKind(this.#path) !== "fifo") return await runBurnTool(argv, req, onEvent, signal, this.#tools);
      return await this.#burnThroughFifo(argv, req, onEvent, signal);
    } finally {
      this.#busy = false;
    }
  }

  async readBack(bytes: number, signal: AbortSignal, onBytes?: (n: number) => void): Promise<ReadBackResult> {
    this.#idle();
    this.#busy = true;
    try {
      const disc = await pathKind(this.#path) === "fifo" ? this.drainPath : this.#path;
      return await readBackDd(disc, bytes, signal, onBytes, this.#tools);
    } finally {
      this.#busy = false;
    }
  }

  /** The tool writes into the FIFO while the drain copies it, paced, into the drain file. */
  async #burnThroughFifo(
    argv: string[],
    req: BurnRequest,
    onEvent: (e: BurnEvent) => void,
    signal: AbortSignal,
  ): Promise<BurnResult> {
    const drainFailed = new AbortController();
    const drain = drainFifo(this.#path, this.drainPath, this.#rate).catch((e: Error) => {
      drainFailed.abort();
      // A tool still waiting to open the FIFO would outwait SIGTERM: let it in, to find no reader.
      release(this.#path, constants.O_RDONLY);
      return e;
    });
    const result = await runBurnTool(argv, req, onEvent, AbortSignal.any([signal, drainFailed.signal]), this.#tools);
    // A tool that never opened the FIFO leaves the drain waiting for a writer: be that writer, and go.
    release(this.#path, constants.O_WRONLY);
    const failed = await drain;
    if (!(failed instanceof Error)) return result;
    // The drain's failure is the cause of whatever the tool then said.
    const failure = { cls: "OTHER" as const, line: `${this.drainPath}: ${failed.message}` };
    onEvent({ kind: "failure", ...failure });
    return { ...result, ok: false, failure };
  }

  /** `PATH.<n>.done` for the smallest n not taken. */
  async #doneName(): Promise<string> {
    for (let n = 1;; n++) {
      const name = `${this.#path}.${n}.done`;
      if (await fileBytes(name) === undefined) return name;
    }
  }

  #trayOpen(): boolean {
    return this.#openUntil !== undefined && this.#now() < this.#openUntil;
  }

  #idle(): void {
    if (this.#busy) throw new DriveError("BUSY", `${this.device}: the drive is busy with a burn or read-back`);
  }
}

async function pathKind(path: string): Promise<PathKind> {
  const s = await stat(path).catch(() => undefined);
  if (s?.isFIFO()) return "fifo";
  return s?.isCharacterDevice() ? "char" : "file";
}

/** The size of the file at `path`, undefined if there is none. */
async function fileBytes(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.size;
}

/**
 * Copies the FIFO at `fifo` into `drain` until its writer closes it, at
 * most `rate` bytes/s: a token bucket holding one read's worth, so a read
 * waits until the bytes before it are due.
 */
async function drainFifo(fifo: string, drain: string, rate: number | undefined): Promise<void> {
  const out = await open(drain, "w");
  try {
    const input = await open(fifo, "r");
    try {
      const chunk = new Uint8Array(rate === undefined ? 65536 : Math.max(2048, Math.min(65536, rate / 20)));
      const started = performance.now();
      let total = 0;
      for (;;) {
        const { bytesRead } = await input.read(chunk, 0, chunk.length);
        if (bytesRead === 0) return;
        await out.write(chunk, 0, bytesRead);
        total += bytesRead;
        if (rate === undefined) continue;
        const wait = started + (total / rate) * 1000 - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    } finally {
      await input.close();
    }
  } finally {
    await out.close();
  }
}

/**
 * Opens the FIFO's other end without blocking and closes it, so whoever
 * still waits to open it (`mode` O_WRONLY: a reader; O_RDONLY: a writer)
 * goes on, to end of file or a broken pipe.
 */
function release(fifo: string, mode: number): void {
  try {
    closeSync(openSync(fifo, mode | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader waits; the drain has the FIFO open and sees the tool's close.
  }
}
