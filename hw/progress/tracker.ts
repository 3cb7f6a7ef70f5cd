/**
 * Merging the parsed events of a burn job's two output streams into the
 * drive layer's progress: one percentage that only rises, and one outcome.
 *
 * @module
 */

import type { BurnToolEvent, FailureClass, Phase } from "./events.ts";

/**
 * What the tracker reports (§5.1's `BurnEvent` less the raw `line` events,
 * which the drive layer adds itself).
 *
 * @example
 * ```ts
 * const e: TrackedEvent = { kind: "progress", percent: 42, bytesWritten: 132120576, speedX: 8 };
 * ```
 */
export type TrackedEvent =
  | { kind: "progress"; percent: number; bytesWritten?: number; speedX?: number; fifo?: number; buf?: number }
  | { kind: "phase"; phase: Phase }
  | { kind: "failure"; cls: FailureClass; line: string };

/**
 * How a job ended: ok only on exit 0 with no failure seen; otherwise the
 * first failure line, or `OTHER` with `exit <code>` (`exit signal` when
 * killed).
 *
 * @example
 * ```ts
 * const o: BurnOutcome = { ok: false, failure: { cls: "OTHER", line: "exit 5" } };
 * ```
 */
export interface BurnOutcome {
  ok: boolean;
  failure?: { cls: FailureClass; line: string };
}

/**
 * Tracks one burn of an image of `imageBytes` bytes. Percent comes from
 * bytes where the tool reports them, else from the tool's own percent;
 * it is clamped to 0–99 and never decreases. 100 comes only from
 * {@linkcode ProgressTracker.exit} after a successful exit.
 *
 * @example
 * ```ts
 * const t = new ProgressTracker(300 * 1048576);
 * t.event({ kind: "progress", bytesWritten: 150 * 1048576, totalBytes: 300 * 1048576 });
 * // { kind: "progress", percent: 50, bytesWritten: 157286400 }
 * t.exit(0); // { events: [{ kind: "progress", percent: 100 }], outcome: { ok: true } }
 * ```
 */
export class ProgressTracker {
  #percent = 0;
  #failure: { cls: FailureClass; line: string } | undefined;

  constructor(private readonly imageBytes: number) {}

  /**
   * The tracker's event for a parsed tool event from either stream, if any:
   * completion facts (total bytes, write time) give none.
   *
   * @example
   * ```ts
   * new ProgressTracker(100).event({ kind: "progress", percent: 120 }); // { kind: "progress", percent: 99 }
   * ```
   */
  event(e: BurnToolEvent): TrackedEvent | undefined {
    switch (e.kind) {
      case "progress": {
        const raw = e.bytesWritten !== undefined && this.imageBytes > 0
          ? (e.bytesWritten * 100) / this.imageBytes
          : e.percent;
        if (raw !== undefined && Number.isFinite(raw)) this.#percent = Math.max(this.#percent, Math.min(99, raw));
        const out: TrackedEvent = { kind: "progress", percent: Math.floor(this.#percent) };
        if (e.bytesWritten !== undefined) out.bytesWritten = e.bytesWritten;
        if (e.speedX !== undefined) out.speedX = e.speedX;
        if (e.fifo !== undefined) out.fifo = e.fifo;
        if (e.buf !== undefined) out.buf = e.buf;
        return out;
      }
      case "phase":
        return e;
      case "failure":
        this.#failure ??= { cls: e.cls, line: e.line };
        return e;
      default:
        return undefined;
    }
  }

  /**
   * The tool has exited with `code` (null if killed by a signal): the last
   * events and the outcome.
   *
   * @example
   * ```ts
   * new ProgressTracker(100).exit(5); // { events: [], outcome: { ok: false, failure: { cls: "OTHER", line: "exit 5" } } }
   * ```
   */
  exit(code: number | null): { events: TrackedEvent[]; outcome: BurnOutcome } {
    if (code === 0 && this.#failure === undefined) {
      return { events: [{ kind: "progress", percent: 100 }], outcome: { ok: true } };
    }
    const failure = this.#failure ?? { cls: "OTHER" as const, line: `exit ${code ?? "signal"}` };
    return { events: [], outcome: { ok: false, failure } };
  }
}
