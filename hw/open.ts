/**
 * Choosing the drive for a `--device` (spec stand.md §5.1) and checking
 * that the burn tool is there before burnerd starts.
 *
 * @module
 */

import type { BurnTool, DiscKind, Drive } from "./drive.ts";
import { DriveError } from "./drive.ts";
import { LinuxDrive } from "./linux.ts";
import { type Runner, systemRunner } from "./runner.ts";
import { StdioDrive } from "./stdio.ts";

/**
 * What {@linkcode openDrive} passes on: the disc kind a stdio drive reports
 * (default CDR), its FIFO drain rate in bytes/s, the Runner, and how long a
 * burn tool may print nothing (default 300 s).
 *
 * @example
 * ```ts
 * const o: OpenDriveOptions = { driveType: "CDR", stdioRate: 8_000_000 };
 * ```
 */
export interface OpenDriveOptions {
  driveType?: DiscKind;
  stdioRate?: number;
  runner?: Runner;
  stallTimeoutMs?: number;
}

/**
 * The drive at `device`: a {@linkcode LinuxDrive} for `/dev/…`, a
 * {@linkcode StdioDrive} for `stdio:PATH`. Anything else throws
 * `DriveError("UNSUPPORTED")`.
 *
 * @example
 * ```ts
 * const drive = openDrive("stdio:/tmp/pipe", { driveType: "CDR", stdioRate: 8_000_000 });
 * drive.device; // "stdio:/tmp/pipe"
 * ```
 */
export function openDrive(device: string, opts: OpenDriveOptions = {}): Drive {
  const { runner, stallTimeoutMs } = opts;
  if (device.startsWith("/dev/")) return new LinuxDrive(device, { runner, stallTimeoutMs });
  if (device.startsWith("stdio:") && device.length > "stdio:".length) {
    return new StdioDrive(device, { driveType: opts.driveType, stdioRate: opts.stdioRate, runner, stallTimeoutMs });
  }
  throw new DriveError("UNSUPPORTED", `${device}: not a drive; give /dev/srN or stdio:PATH`);
}

const VERSION: Record<BurnTool, string[]> = {
  cdrskin: ["cdrskin", "--version"],
  wodim: ["wodim", "--version"],
  xorriso: ["xorriso", "-version"],
};

/**
 * Whether `tool` runs: undefined if its version query succeeds, else one
 * line saying why and what to do (burnerd exits 69 with it).
 *
 * @example
 * ```ts
 * await checkTool("xorriso"); // undefined
 * await checkTool("wodim"); // "wodim: No such file or directory; install wodim or choose another --tool"
 * ```
 */
export async function checkTool(tool: BurnTool, runner: Runner = systemRunner()): Promise<string | undefined> {
  const argv = VERSION[tool];
  const r = await runner.run(argv, { timeoutMs: 10_000 });
  if (r.code === 0) return undefined;
  if (r.error !== undefined) return `${r.error}; install ${tool} or choose another --tool`;
  const said = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).find((l) => l !== "");
  const how = r.timedOut ? "timed out" : `failed (exit ${r.code})`;
  return `${argv.join(" ")} ${how}${said ? `: ${said}` : ""}; check the ${tool} installation`;
}
