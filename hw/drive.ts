/**
 * The drive layer's interface (spec stand.md §5.1): what burnerd asks of an
 * optical drive, whatever stands behind it (a Linux burner, xorriso's
 * `stdio:` pseudo-drive, or the {@linkcode FakeDrive} simulator).
 *
 * @module
 */

import type { FailureClass, Phase } from "./progress/events.ts";

export type { FailureClass, Phase };

/**
 * A disc or drive type, as the wire protocol's `media` token names it.
 *
 * @example
 * ```ts
 * const kind: DiscKind = "DVD";
 * ```
 */
export type DiscKind = "CDR" | "DVD";

/**
 * What the tray holds: `not-ready` is normal for seconds after closing;
 * `unknown` means the drive would not say.
 *
 * @example
 * ```ts
 * const s: TrayState = "disc";
 * ```
 */
export type TrayState = "open" | "empty" | "not-ready" | "disc" | "unknown";

/**
 * The burn tool whose output format a burn speaks.
 *
 * @example
 * ```ts
 * const tool: BurnTool = "cdrskin";
 * ```
 */
export type BurnTool = "cdrskin" | "wodim" | "xorriso";

/**
 * What a drive is and can do.
 *
 * @example
 * ```ts
 * const i: DriveInfo = {
 *   device: "/dev/sr0", driveType: "DVD", vendor: "HL-DT-ST", model: "DVDRAM GH24NSD1", revision: "LG00",
 *   canOpenTray: true, canCloseTray: true, canWriteCdr: true, canWriteDvd: true,
 * };
 * ```
 */
export interface DriveInfo {
  device: string;
  driveType: DiscKind;
  vendor: string;
  model: string;
  revision: string;
  canOpenTray: boolean;
  canCloseTray: boolean;
  canWriteCdr: boolean;
  canWriteDvd: boolean;
}

/**
 * The disc in the drive. `profile` is the drive's name for it (`CD-R`,
 * `DVD+R`, `stdio file`); `writableBytes` is null when the drive cannot tell.
 *
 * @example
 * ```ts
 * const m: MediaInfo = { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 737280000 };
 * ```
 */
export interface MediaInfo {
  present: boolean;
  blank: boolean;
  kind: DiscKind | null;
  profile: string;
  writableBytes: number | null;
}

/**
 * One burn: the image, its size in bytes, the tool, and an optional speed
 * (omitted = the tool's maximum).
 *
 * @example
 * ```ts
 * const r: BurnRequest = { imagePath: "/srv/isos/test.iso", imageBytes: 314947584, tool: "cdrskin", speed: 8 };
 * ```
 */
export interface BurnRequest {
  imagePath: string;
  imageBytes: number;
  tool: BurnTool;
  speed?: number;
}

/**
 * What a burn reports while it runs: progress (percent 0–100, never
 * decreasing, 100 only after a successful exit), phases, failures, and
 * every raw output line.
 *
 * @example
 * ```ts
 * const e: BurnEvent = { kind: "progress", percent: 42, bytesWritten: 132120576, speedX: 8 };
 * ```
 */
export type BurnEvent =
  | { kind: "progress"; percent: number; bytesWritten?: number; speedX?: number; fifo?: number; buf?: number }
  | { kind: "phase"; phase: Phase }
  | { kind: "failure"; cls: FailureClass; line: string }
  | { kind: "line"; stream: "stdout" | "stderr"; text: string };

/**
 * How a burn ended: ok only on exit 0 with no failure seen; `seconds` is
 * the time from start to exit; `failure` names the first failure line.
 *
 * @example
 * ```ts
 * const r: BurnResult = {
 *   ok: false, exitCode: 5, signal: null, seconds: 12,
 *   failure: { cls: "NOSPACE", line: "libburn : SORRY : … No space left on device" },
 * };
 * ```
 */
export interface BurnResult {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  failure?: { cls: FailureClass; line: string };
}

/**
 * A read-back of the disc's first bytes: how many were read and their md5
 * (lowercase hex); `error` says why the read stopped short or failed.
 *
 * @example
 * ```ts
 * const r: ReadBackResult = { bytes: 314947584, md5: "d3d8bdfb7ef65711e707103deb1de8b2" };
 * ```
 */
export interface ReadBackResult {
  bytes: number;
  md5: string;
  error?: string;
}

/**
 * An optical drive. Methods that cannot do their job throw
 * {@linkcode DriveError}; a failed burn or read-back is a result, not an
 * error.
 *
 * @example
 * ```ts
 * async function burnAndVerify(drive: Drive, req: BurnRequest, signal: AbortSignal): Promise<string | null> {
 *   const media = await drive.media();
 *   if (!media.present || !media.blank) return null;
 *   const burnt = await drive.burn(req, (e) => e.kind === "progress" && console.log(e.percent), signal);
 *   if (!burnt.ok) return null;
 *   return (await drive.readBack(req.imageBytes, signal)).md5;
 * }
 * ```
 */
export interface Drive {
  /** The device as given: `/dev/sr0`, `stdio:PATH`, `fake:SPEC`. */
  readonly device: string;
  /** What the drive is and can do. */
  info(): Promise<DriveInfo>;
  /** What the tray holds now. */
  trayState(): Promise<TrayState>;
  /** The disc in the drive. */
  media(): Promise<MediaInfo>;
  /** Ejects; throws `DriveError("TRAY")` when the tray will not move. */
  openTray(): Promise<void>;
  /** Loads; throws `DriveError("UNSUPPORTED")` if the drive cannot close its tray. */
  closeTray(): Promise<void>;
  /** Writes the image, reporting through `onEvent`; aborting `signal` stops the tool. */
  burn(req: BurnRequest, onEvent: (e: BurnEvent) => void, signal: AbortSignal): Promise<BurnResult>;
  /** Reads and hashes exactly the disc's first `bytes` bytes, counting them through `onBytes`. */
  readBack(bytes: number, signal: AbortSignal, onBytes?: (n: number) => void): Promise<ReadBackResult>;
}

/**
 * Why a drive operation could not be done.
 *
 * @example
 * ```ts
 * const code: DriveErrorCode = "NODEV";
 * ```
 */
export type DriveErrorCode = "NODEV" | "BUSY" | "TRAY" | "UNSUPPORTED" | "TIMEOUT" | "TOOL";

/**
 * A drive operation that could not be done: the device is gone, busy, the
 * tray is stuck, the drive cannot do it, it timed out, or the tool failed.
 *
 * @example
 * ```ts
 * throw new DriveError("TRAY", "/dev/sr0: tray did not open; check the drive");
 * ```
 */
export class DriveError extends Error {
  constructor(readonly code: DriveErrorCode, message: string) {
    super(message);
    this.name = "DriveError";
  }
}
