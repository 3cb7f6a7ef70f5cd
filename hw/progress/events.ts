/**
 * What the burn-tool parsers report: progress, phases, completion facts and
 * failures, in the terms of the drive layer (spec stand.md §5.1, §6.2).
 *
 * @module
 */

/**
 * Why a burn failed, as the drive layer reports it.
 *
 * @example
 * ```ts
 * const cls: FailureClass = "NOSPACE";
 * ```
 */
export type FailureClass = "NOSPACE" | "WRITE" | "PERM" | "BUSY" | "NOMEDIA" | "RELOAD" | "SLOW" | "OTHER";

/**
 * A stage of a burn a tool announces.
 *
 * @example
 * ```ts
 * const phase: Phase = "fixating";
 * ```
 */
export type Phase = "starting" | "writing" | "fixating" | "done";

/**
 * One event from a burn tool's output line. Progress carries what the line
 * says and nothing derived: `bytesWritten` and `totalBytes` from MB counts
 * (× 1048576) or sectors (× 2048), `percent` only where the tool prints one.
 * `failure.line` is the tool's whole line, for the operator.
 *
 * @example
 * ```ts
 * const e: BurnToolEvent = { kind: "progress", bytesWritten: 2 * 1048576, totalBytes: 300 * 1048576, speedX: 79.7 };
 * ```
 */
export type BurnToolEvent =
  | {
    kind: "progress";
    bytesWritten?: number;
    totalBytes?: number;
    percent?: number;
    speedX?: number;
    fifo?: number;
    buf?: number;
  }
  | { kind: "phase"; phase: Phase }
  | { kind: "total"; bytes: number }
  | { kind: "write-time"; seconds: number }
  | { kind: "failure"; cls: FailureClass; line: string };
