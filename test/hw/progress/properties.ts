/**
 * Shared helpers of the hw/progress tests: fixtures, goldens, a stream run,
 * a tracker run and a printf for growisofs's formats. The §6.3 properties live in the
 * fuzz targets (test/fuzz/targets/hw/).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BurnToolEvent } from "../../../hw/progress/events.ts";
import { ProgressTracker, type TrackedEvent } from "../../../hw/progress/tracker.ts";

const FIXTURES = join(import.meta.dir, "../../fixtures/burn-tools");

/** What every stream parser offers. */
export interface StreamParser<E> {
  push(chunk: Uint8Array): E[];
  finish(): E[];
}

/** The raw bytes of a burn-tools fixture. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** The golden events recorded next to a fixture (`<name minus .txt>.events.json`). */
export function golden<E>(name: string): E[] {
  return JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.txt$/, ".events.json")), "utf8"));
}

/** Every event a fresh parser gives for `chunks`, then end of stream. */
export function run<E>(make: () => StreamParser<E>, chunks: Uint8Array[]): E[] {
  const p = make();
  return [...chunks.flatMap((c) => p.push(c)), ...p.finish()];
}

/** A minimal printf for the conversions growisofs uses (`%11lld`, `%.1f`, `%d`, `%s`, `%%`). */
export function printf(format: string, args: (number | string)[]): string {
  let i = 0;
  return format.replace(/%(0?)(\d*)(?:\.(\d+))?(lld|d|f|s|%)/g, (_m, zero, width, prec, conv) => {
    if (conv === "%") return "%";
    const v = args[i++] ?? 0;
    const s = conv === "f" ? Number(v).toFixed(Number(prec ?? 6)) : String(v);
    return s.padStart(Number(width || 0), zero ? "0" : " ");
  });
}

/** The tracker's events for `events` fed to a fresh `ProgressTracker`, then the exit with `code`, and the outcome. */
export function track(imageBytes: number, events: BurnToolEvent[], code: number | null) {
  const t = new ProgressTracker(imageBytes);
  const out = events.map((e) => t.event(e)).filter((e): e is TrackedEvent => e !== undefined);
  const end = t.exit(code);
  return { events: [...out, ...end.events], outcome: end.outcome };
}

/** The percentages of the progress events among `events`. */
export const percents = (events: TrackedEvent[]) => events.flatMap((e) => e.kind === "progress" ? [e.percent] : []);
