/**
 * A Linux optical burner (spec stand.md §5.2): discovery from
 * `/proc/sys/dev/cdrom/info` and `/sys/block`, tray status through the
 * `CDROM_DRIVE_STATUS` ioctl, the tray through eject(1), the medium
 * through `xorriso -toc`, burns through cdrskin, wodim or xorriso, and
 * read-back through dd.
 *
 * @module
 */

import { readFile, realpath } from "node:fs/promises";
import { basename } from "node:path";
import { type CdromDrive, parseCdromInfo } from "./cdrom-info.ts";
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
import { type Runner, systemRunner } from "./runner.ts";
import { burnArgv, readBackDd, readToc, runBurnTool, type ToolRunOptions } from "./tool-run.ts";

/**
 * The host files discovery reads: a file's text (undefined if it cannot be
 * read) and a path with its symlinks resolved. Tests give recorded ones.
 *
 * @example
 * ```ts
 * const files: HostFiles = { readText: () => Promise.resolve(undefined), realpath: (p) => Promise.resolve(p) };
 * ```
 */
export interface HostFiles {
  readText(path: string): Promise<string | undefined>;
  realpath(path: string): Promise<string>;
}

/**
 * The real host files.
 *
 * @example
 * ```ts
 * await hostFiles.realpath("/dev/disk/by-id/ata-HL-DT-ST_DVDRAM_GH24NSD1_K1234"); // "/dev/sr0"
 * ```
 */
export const hostFiles: HostFiles = {
  readText: (path) => readFile(path, "utf8").catch(() => undefined),
  realpath: (path) => realpath(path),
};

/**
 * What a {@linkcode LinuxDrive} runs its tools with and reads its facts
 * from; by default the system's.
 *
 * @example
 * ```ts
 * const o: LinuxDriveOptions = { runner: systemRunner(), stallTimeoutMs: 300_000 };
 * ```
 */
export interface LinuxDriveOptions {
  runner?: Runner;
  files?: HostFiles;
  stallTimeoutMs?: number;
  killGraceMs?: number;
}

const CDROM_INFO = "/proc/sys/dev/cdrom/info";
const TRAY_TIMEOUT_MS = 30_000;
const STATUS_TIMEOUT_MS = 10_000;
/**
 * `CDROM_DRIVE_STATUS` for slot `CDSL_CURRENT`; O_NONBLOCK, as without it
 * opening a drive with no medium fails or closes the tray.
 */
const TRAY_STATUS_PERL = "sysopen(my $f,$ARGV[0],O_RDONLY|O_NONBLOCK) or exit 2; " +
  'my $r=ioctl($f,0x5326,0x7fffffff); defined $r or exit 3; print $r+0,"\\n"';
const CDS: Record<string, TrayState> = { "0": "unknown", "1": "empty", "2": "open", "3": "not-ready", "4": "disc" };

/**
 * The `DriveInfo` of the kernel's drive `drive` at `device`, or undefined
 * if it writes neither CD-R nor DVD-R.
 */
async function describe(device: string, drive: CdromDrive, files: HostFiles): Promise<DriveInfo | undefined> {
  const cap = (key: string) => drive.caps[key] === 1;
  const canWriteDvd = cap("Can write DVD-R");
  const canWriteCdr = cap("Can write CD-R");
  if (!canWriteDvd && !canWriteCdr) return undefined;
  const sys = async (file: string) => (await files.readText(`/sys/block/${drive.name}/device/${file}`))?.trim() ?? "";
  return {
    device,
    driveType: canWriteDvd ? "DVD" : "CDR",
    vendor: await sys("vendor"),
    model: await sys("model"),
    revision: await sys("rev"),
    canOpenTray: cap("Can open tray"),
    canCloseTray: cap("Can close tray"),
    canWriteCdr,
    canWriteDvd,
  };
}

/**
 * Every burner the kernel knows, as `/dev/srN`, in the table's order.
 *
 * @example
 * ```ts
 * (await listDrives()).map((d) => d.device); // ["/dev/sr0"]
 * ```
 */
export async function listDrives(files: HostFiles = hostFiles): Promise<DriveInfo[]> {
  const drives = parseCdromInfo(await files.readText(CDROM_INFO) ?? "");
  const infos = await Promise.all(drives.map((d) => describe(`/dev/${d.name}`, d, files)));
  return infos.filter((i): i is DriveInfo => i !== undefined);
}

/**
 * A burner at `/dev/srN` (or a `/dev/disk/by-*` link to one).
 *
 * @example
 * ```ts
 * const drive = new LinuxDrive("/dev/sr0");
 * await drive.trayState(); // "disc"
 * await drive.media(); // { present: true, blank: true, kind: "CDR", profile: "CD-R", writableBytes: 736966656 }
 * ```
 */
export class LinuxDrive implements Drive {
  readonly #runner: Runner;
  readonly #files: HostFiles;
  readonly #tools: ToolRunOptions;
  #info: DriveInfo | undefined;
  #busy = false;

  constructor(readonly device: string, opts: LinuxDriveOptions = {}) {
    this.#runner = opts.runner ?? systemRunner();
    this.#files = opts.files ?? hostFiles;
    this.#tools = { runner: this.#runner, stallTimeoutMs: opts.stallTimeoutMs, killGraceMs: opts.killGraceMs };
  }

  async info(): Promise<DriveInfo> {
    if (this.#info) return this.#info;
    const name = basename(await this.#files.realpath(this.device).catch(() => this.#gone()));
    const text = await this.#files.readText(CDROM_INFO);
    const drive = parseCdromInfo(text ?? "").find((d) => d.name === name);
    if (drive === undefined) this.#gone();
    const info = await describe(this.device, drive, this.#files);
    if (info === undefined) {
      throw new DriveError("UNSUPPORTED", `${this.device}: writes neither CD-R nor DVD-R; give a burner`);
    }
    return (this.#info = info);
  }

  async trayState(): Promise<TrayState> {
    const argv = ["perl", "-MFcntl", "-e", TRAY_STATUS_PERL, this.device];
    const r = await this.#runner.run(argv, { timeoutMs: STATUS_TIMEOUT_MS });
    if (r.error !== undefined) throw new DriveError("TOOL", `${r.error}; install perl`);
    if (r.code === 2) this.#gone();
    if (r.code === 0) return CDS[r.stdout.trim()] ?? "unknown";
    if (r.code === 3) return "unknown";
    throw new DriveError("TOOL", `${this.device}: tray status failed: ${r.stderr.trim() || `perl exit ${r.code}`}`);
  }

  async media(): Promise<MediaInfo> {
    this.#idle();
    return await readToc(this.device, this.#runner);
  }

  async openTray(): Promise<void> {
    this.#idle();
    if (!(await this.info()).canOpenTray) {
      throw new DriveError("UNSUPPORTED", `${this.device}: the drive cannot open its tray; open it by hand`);
    }
    await this.#eject(["eject", this.device], "open");
  }

  async closeTray(): Promise<void> {
    this.#idle();
    if (!(await this.info()).canCloseTray) {
      throw new DriveError("UNSUPPORTED", `${this.device}: the drive cannot close its tray; close it by hand`);
    }
    await this.#eject(["eject", "-t", this.device], "close");
  }

  async burn(req: BurnRequest, onEvent: (e: BurnEvent) => void, signal: AbortSignal): Promise<BurnResult> {
    this.#idle();
    this.#busy = true;
    try {
      return await runBurnTool(burnArgv(this.device, req), req, onEvent, signal, this.#tools);
    } finally {
      this.#busy = false;
    }
  }

  async readBack(bytes: number, signal: AbortSignal, onBytes?: (n: number) => void): Promise<ReadBackResult> {
    this.#idle();
    this.#busy = true;
    try {
      return await readBackDd(this.device, bytes, signal, onBytes, this.#tools);
    } finally {
      this.#busy = false;
    }
  }

  async #eject(argv: string[], verb: string): Promise<void> {
    const r = await this.#runner.run(argv, { timeoutMs: TRAY_TIMEOUT_MS });
    if (r.error !== undefined) throw new DriveError("TOOL", `${r.error}; install eject`);
    if (r.timedOut) {
      throw new DriveError("TIMEOUT", `${this.device}: the tray did not ${verb} in ${TRAY_TIMEOUT_MS / 1000} s`);
    }
    if (r.code === 0) return;
    const said = r.stderr.trim().split("\n").at(-1);
    throw new DriveError(
      "TRAY",
      `${this.device}: the tray did not ${verb}${said ? ` (${said})` : ""}; check the drive`,
    );
  }

  #gone(): never {
    throw new DriveError("NODEV", `${this.device}: no such optical drive; check the device name and cable`);
  }

  #idle(): void {
    if (this.#busy) throw new DriveError("BUSY", `${this.device}: the drive is busy with a burn or read-back`);
  }
}
