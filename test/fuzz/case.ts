/**
 * A saved failure of a fuzz property (test/fixtures/fuzz/<target>/*.json)
 * and its replay: fast-check's seed and path take the property straight to
 * the shrunk counterexample.
 *
 * @module
 */
import fc from "fast-check";
import type { FuzzTarget } from "./target.ts";

/**
 * What `npm run fuzz` saves when a property fails.
 *
 * @example
 * ```ts
 * const saved: SavedCase = {
 *   target: "pzog-escape", property: "distinct inputs give distinct text", seed: -377137520, path: "0:1:0",
 *   counterexample: "[Uint8Array.from([13]),Uint8Array.from([10])]", error: "Error: …",
 *   found: "2026-12-05T01:00:00.000Z", runner: "bun 1.4.5",
 * };
 * ```
 */
export interface SavedCase {
  target: string;
  property: string;
  seed: number;
  /** fast-check's counterexample path (shrink steps from the failing run). */
  path: string;
  /** The shrunk counterexample, `fc.stringify`'d. */
  counterexample: string;
  /** The first lines of what the predicate threw. */
  error: string;
  /** When it was found (ISO 8601). */
  found: string;
  /** The runtime that found it. */
  runner: string;
}

/** ANSI colour sequences, which bun:test's `expect` writes into its messages. */
const COLOURS = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, "g");

/**
 * The first line and a few more of what a predicate threw, without
 * terminal colours.
 *
 * @example
 * ```ts
 * errorText(new Error("boom")); // "Error: boom"
 * ```
 */
export function errorText(error: unknown, lines = 6): string {
  const text = String(error instanceof Error ? `${error.name}: ${error.message}` : error).replace(COLOURS, "");
  return text.split("\n").filter((l) => l.trim() !== "").slice(0, lines).join("\n");
}

/**
 * A saved case from its JSON text; throws an Error naming what is wrong.
 *
 * @example
 * ```ts
 * const saved = parseCase(readFileSync(file, "utf8"));
 * ```
 */
export function parseCase(text: string): SavedCase {
  const value = JSON.parse(text) as Partial<SavedCase>;
  for (const key of ["target", "property", "path", "counterexample"] as const) {
    if (typeof value[key] !== "string") throw new Error(`not a saved fuzz case: "${key}" is missing`);
  }
  if (!Number.isInteger(value.seed)) throw new Error('not a saved fuzz case: "seed" is missing');
  return value as SavedCase;
}

/**
 * How a replay went: `passes` (the bug is fixed), `fails` with the error,
 * or `gone` when the target or property no longer exists.
 *
 * @example
 * ```ts
 * const outcome: Replay = { outcome: "fails", counterexample: "[13]", error: "Error: boom" };
 * ```
 */
export type Replay =
  | { outcome: "passes" }
  | { outcome: "fails"; counterexample: string; error: string }
  | { outcome: "gone"; message: string };

/**
 * Replay a saved case against the properties in `targets`:
 * `fc.assert(property, { seed, path, endOnFailure: true })`.
 *
 * @example
 * ```ts
 * const r = await replayCase(parseCase(text), ALL_TARGETS);
 * if (r.outcome !== "passes") console.log(r);
 * ```
 */
export async function replayCase(saved: SavedCase, targets: readonly FuzzTarget[]): Promise<Replay> {
  const target = targets.find((t) => t.name === saved.target);
  if (target === undefined) {
    return { outcome: "gone", message: `target ${saved.target} no longer exists: delete the case or rename it` };
  }
  const property = Object.hasOwn(target.properties, saved.property) ? target.properties[saved.property] : undefined;
  if (property === undefined) {
    return {
      outcome: "gone",
      message: `${saved.target} has no property "${saved.property}" any more: delete the case or rename it`,
    };
  }
  const result = await fc.check(property.property(), { seed: saved.seed, path: saved.path, endOnFailure: true });
  if (!result.failed) return { outcome: "passes" };
  return {
    outcome: "fails",
    counterexample: result.counterexample === null ? saved.counterexample : fc.stringify(result.counterexample),
    error: errorText(result.errorInstance),
  };
}
