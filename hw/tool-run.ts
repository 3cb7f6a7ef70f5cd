/**
 * The process plumbing real drives share (spec stand.md §5.2, §5.3): a burn
 * tool's run, its two output streams through the tool's parser into a
 * {@linkcode ProgressTracker}, with a stall timeout and abort; and the `dd`
 * read-back that hashes a disc's first bytes.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type Line, LineSplitter } from "../lib/lines.ts";
import type { BurnEvent, BurnRequest, BurnResult, BurnTool, ReadBackResult } from "./drive.ts";
import { DriveError } from "./drive.ts";
import { parseCdrskinLine } from "./progress/cdrskin.ts";
import { parseDdLine } from "./progress/dd.ts";
import type { BurnToolEvent } from "./progress/events.ts";
import { parseLibburnFailure } from "./progress/libburn.ts";
import { parseTocLine, type TocFact, type TocMedia, tocMedia } from "./progress/toc.ts";
import { ProgressTracker } from "./progress/tracker.ts";
import { parseWodimLine } from "./progress/wodim.ts";
import { parseXorrisoLine } from "./progress/xorriso.ts";
import type { ChildHandle, Runner } from "./runner.ts";

/**
 * How tool runs are run: the Runner, how long a burn tool may print nothing
 * before it is stopped (default 300 s), and the grace between SIGTERM and
 * SIGKILL (default 10 s).
 *
 * @example
 * ```ts
 * const o: ToolRunOptions = { runner: systemRunner(), stallTimeoutMs: 300_000 };
 * ```
 */
export interface ToolRunOptions {
  runner: Runner;
  stallTimeoutMs?: number;
  killGraceMs?: number;
}

const STALL_MS = 300_000;
const GRACE_MS = 10_000;
const PARSE: Record<BurnTool, (text: string) => BurnToolEvent | undefined> = {
  cdrskin: parseCdrskinLine,
  wodim: parseWodimLine,
  xorriso: parseXorrisoLine,
};

/**
 * Stops a child the way the drive layer does: SIGTERM, then SIGKILL after
 * the grace if it has not exited by then.
 */
class Stopper {
  #grace: ReturnType<typeof setTimeout> | undefined;
  #over = false;

  constructor(private readonly child: ChildHandle, private readonly graceMs: number) {}

  stop(): void {
    if (this.#over || this.#grace !== undefined) return;
    this.child.kill("SIGTERM");
    this.#grace = setTimeout(() => this.child.kill("SIGKILL"), this.graceMs);
  }

  get stopped(): boolean {
    return this.#grace !== undefined;
  }

  exited(): void {
    this.#over = true;
    clearTimeout(this.#grace);
  }
}

/**
 * Runs the burn tool `argv` for `req`: every output line becomes a `line`
 * event and goes through `req.tool`'s parser into a tracker whose events
 * follow it. No output for the stall timeout, or `signal` aborting, stops
 * the tool. `seconds` is the time from spawn to exit. A tool that cannot
 * be started throws `DriveError("TOOL")`.
 *
 * @example
 * ```ts
 * const result = await runBurnTool(
 *   ["xorriso", "-as", "cdrecord", "-v", "dev=stdio:/tmp/out.iso", "/srv/isos/a.iso"],
 *   { imagePath: "/srv/isos/a.iso", imageBytes: 4194304, tool: "xorriso" },
 *   console.log,
 *   new AbortController().signal,
 *   { runner: systemRunner() },
 * );
 * result.ok; // true
 * ```
 */
export async function runBurnTool(
  argv: string[],
  req: BurnRequest,
  onEvent: (e: BurnEvent) => void,
  signal: AbortSignal,
  opts: ToolRunOptions,
): Promise<BurnResult> {
  const stallMs = opts.stallTimeoutMs ?? STALL_MS;
  const tracker = new ProgressTracker(req.imageBytes);
  const parse = PARSE[req.tool];
  const track = (raw: BurnToolEvent | undefined) => {
    const e = raw && tracker.event(raw);
    if (e) onEvent(e);
  };
  const splitters = { stdout: new LineSplitter({ dropBlank: true }), stderr: new LineSplitter({ dropBlank: true }) };
  const lines = (stream: "stdout" | "stderr", got: Line[]) => {
    for (const line of got) {
      const text = line.text.trimEnd();
      onEvent({ kind: "line", stream, text });
      // A cut line lost its tail, so its numbers cannot be trusted.
      if (!line.cut) track(parse(text));
    }
  };

  const started = performance.now();
  const child = opts.runner.spawn(argv);
  const stopper = new Stopper(child, opts.killGraceMs ?? GRACE_MS);
  const stalled = () => {
    track({ kind: "failure", cls: "OTHER", line: `${req.tool}: no output for ${stallMs / 1000} s; stopped it` });
    stopper.stop();
  };
  let stall = setTimeout(stalled, stallMs);
  child.onOutput((stream, chunk) => {
    clearTimeout(stall);
    if (!stopper.stopped) stall = setTimeout(stalled, stallMs);
    lines(stream, splitters[stream].push(chunk));
  });
  const abort = () => stopper.stop();
  signal.addEventListener("abort", abort, { once: true });
  if (signal.aborted) abort();
  const end = await child.exit;
  const seconds = (performance.now() - started) / 1000;
  stopper.exited();
  clearTimeout(stall);
  signal.removeEventListener("abort", abort);
  if (end.error !== undefined) {
    throw new DriveError("TOOL", `${end.error}; install ${req.tool} or choose another --tool`);
  }
  lines("stdout", splitters.stdout.finish());
  lines("stderr", splitters.stderr.finish());
  const { events, outcome } = tracker.exit(end.code);
  for (const e of events) onEvent(e);
  const result: BurnResult = { ok: outcome.ok, exitCode: end.code, signal: end.signal, seconds };
  if (outcome.failure) result.failure = outcome.failure;
  return result;
}

/**
 * The argv that burns `req` on `dev` with `req.tool` (§5.2): `-v`, without
 * which cdrecord-style tools print no progress, and never `-eject`, as
 * burnerd owns the tray. `emulated` lets cdrskin use a `stdio:` drive.
 *
 * @example
 * ```ts
 * burnArgv("/dev/sr0", { imagePath: "/srv/isos/a.iso", imageBytes: 4194304, tool: "xorriso", speed: 8 });
 * // ["xorriso", "-as", "cdrecord", "-v", "dev=/dev/sr0", "speed=8", "/srv/isos/a.iso"]
 * ```
 */
export function burnArgv(dev: string, req: BurnRequest, emulated = false): string[] {
  const speed = req.speed !== undefined && req.speed > 0 ? [`speed=${req.speed}`] : [];
  const tail = ["-v", `dev=${dev}`, ...speed, req.imagePath];
  switch (req.tool) {
    case "xorriso":
      return ["xorriso", "-as", "cdrecord", ...tail];
    case "cdrskin":
      return emulated ? ["cdrskin", "-v", "--allow_emulated_drives", ...tail.slice(1)] : ["cdrskin", ...tail];
    case "wodim":
      return ["wodim", ...tail];
  }
}

/**
 * The `dd` command that reads exactly the first `bytes` bytes of `source`
 * to its stdout, with progress on its stderr.
 *
 * @example
 * ```ts
 * ddArgv("/dev/sr0", 314947584);
 * // ["dd", "if=/dev/sr0", "bs=2048", "iflag=count_bytes,fullblock", "count=314947584", "status=progress"]
 * ```
 */
export function ddArgv(source: string, bytes: number): string[] {
  return ["dd", `if=${source}`, "bs=2048", "iflag=count_bytes,fullblock", `count=${bytes}`, "status=progress"];
}

/**
 * How long a read-back of `bytes` may take: 60 s plus 1 s per MiB.
 *
 * @example
 * ```ts
 * readBackTimeoutMs(1048576 * 700); // 760000
 * ```
 */
export function readBackTimeoutMs(bytes: number): number {
  return 60_000 + (bytes / 1048576) * 1000;
}

/**
 * Reads and hashes the first `bytes` bytes of `source` with `dd`: stdout is
 * hashed (md5) and counted as it comes, through `onBytes`; stderr's
 * non-progress lines are kept for the error. A non-zero exit, a count
 * other than `bytes`, the time limit ({@linkcode readBackTimeoutMs}) or
 * `signal` aborting give a result with `error`.
 *
 * @example
 * ```ts
 * const back = await readBackDd("/dev/sr0", 314947584, new AbortController().signal, undefined, { runner: systemRunner() });
 * back; // { bytes: 314947584, md5: "d3d8bdfb7ef65711e707103deb1de8b2" }
 * ```
 */
export async function readBackDd(
  source: string,
  bytes: number,
  signal: AbortSignal,
  onBytes: ((n: number) => void) | undefined,
  opts: ToolRunOptions,
): Promise<ReadBackResult> {
  const hash = createHash("md5");
  const splitter = new LineSplitter({ dropBlank: true });
  let count = 0;
  let said: string | undefined;
  const stderr = (got: Line[]) => {
    for (const line of got) if (parseDdLine(line.text.trimEnd()) === undefined) said = line.text.trim();
  };
  const child = opts.runner.spawn(ddArgv(source, bytes));
  const stopper = new Stopper(child, opts.killGraceMs ?? GRACE_MS);
  let why: string | undefined;
  const limitMs = readBackTimeoutMs(bytes);
  const limit = setTimeout(() => {
    why = `read-back timed out after ${Math.round(limitMs / 1000)} s`;
    stopper.stop();
  }, limitMs);
  const abort = () => {
    why ??= "aborted";
    stopper.stop();
  };
  signal.addEventListener("abort", abort, { once: true });
  if (signal.aborted) abort();
  child.onOutput((stream, chunk) => {
    if (stream === "stderr") return stderr(splitter.push(chunk));
    hash.update(chunk);
    count += chunk.length;
    onBytes?.(count);
  });
  const end = await child.exit;
  stopper.exited();
  clearTimeout(limit);
  signal.removeEventListener("abort", abort);
  stderr(splitter.finish());
  const result: ReadBackResult = { bytes: count, md5: hash.digest("hex") };
  const error = end.error ?? why ??
    (end.code !== 0 ? (said ?? `dd: exit ${end.code ?? end.signal}`) : undefined) ??
    (count !== bytes ? `read ${count} of ${bytes} bytes` : undefined);
  if (error !== undefined) result.error = error;
  return result;
}

const TOC_TIMEOUT_MS = 60_000;

/**
 * The medium in `dev` from `xorriso -outdev <dev> -toc` (§5.2). xorriso
 * prints the acquisition summary on stderr and the TOC on stdout; stdout's
 * facts win. A run that gives no `Media current:` line throws: `TOOL` with
 * xorriso's last failure line, or `TIMEOUT` after 60 s.
 *
 * @example
 * ```ts
 * await readToc("/dev/sr0", systemRunner());
 * // { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 736966656 }
 * ```
 */
export async function readToc(dev: string, runner: Runner): Promise<TocMedia> {
  const r = await runner.run(["xorriso", "-outdev", dev, "-toc"], { timeoutMs: TOC_TIMEOUT_MS });
  if (r.error !== undefined) throw new DriveError("TOOL", `${r.error}; install xorriso`);
  const lines = [...r.stderr.split(/\r?\n|\r/), ...r.stdout.split(/\r?\n|\r/)].map((l) => l.trimEnd());
  const facts = lines.map(parseTocLine).filter((f): f is TocFact => f !== undefined);
  if (facts.some((f) => f.kind === "profile")) return tocMedia(facts);
  if (r.timedOut) throw new DriveError("TIMEOUT", `${dev}: xorriso -toc took over ${TOC_TIMEOUT_MS / 1000} s`);
  const failure = lines.find((l) => parseLibburnFailure(l) !== undefined);
  throw new DriveError("TOOL", `${dev}: ${failure ?? `xorriso -toc failed (exit ${r.code})`}`);
}
