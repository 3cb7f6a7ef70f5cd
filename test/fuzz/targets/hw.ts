/**
 * Fuzz targets of hw: one per burn-tool progress and status parser, the
 * tracker and the line reader they share (hw/progress.ts), and the drive
 * side: /proc/sys/dev/cdrom/info and --fake=SPEC (hw/drive.ts).
 *
 * @module
 */
import type { FuzzTarget } from "../target.ts";
import { driveTargets } from "./hw/drive.ts";
import { progressTargets } from "./hw/progress.ts";

/** This area's targets. */
export const targets: FuzzTarget[] = [...progressTargets, ...driveTargets];
