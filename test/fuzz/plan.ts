/**
 * What a fuzz run does, decided before any worker starts: which properties
 * (`--only`), how they are spread over the workers, the seeds of their
 * batches, and where a failure is saved. Pure: scripts/fuzz.ts and
 * test/fuzz/worker.ts do the IO.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../../lib/cli.ts";
import { seededRandom } from "../../lib/random.ts";
import type { FuzzTarget } from "./target.ts";

/**
 * One property of one target, as the plan names it.
 *
 * @example
 * ```ts
 * const item: PlanItem = { target: "pzog-escape", property: "distinct inputs give distinct text" };
 * ```
 */
export interface PlanItem {
  target: string;
  property: string;
}

/**
 * The properties `--only` selects, in registry order: a word is a target's
 * name, or `target/prefix` for that target's properties whose names start
 * with `prefix`. No word selects everything. Throws {@link UsageError} for
 * a word that selects nothing.
 *
 * @example
 * ```ts
 * select(ALL_TARGETS, ["pzog-escape", "dial/round"]);
 * // [{ target: "pzog-escape", property: … }, …, { target: "dial", property: "round trips …" }]
 * ```
 */
export function select(targets: readonly FuzzTarget[], only: readonly string[]): PlanItem[] {
  const wanted = new Map<string, string[]>();
  for (const word of only) {
    const slash = word.indexOf("/");
    const name = slash < 0 ? word : word.slice(0, slash);
    const target = targets.find((t) => t.name === name);
    if (target === undefined) {
      throw new UsageError(`--only ${word}: no such target`);
    }
    const prefix = slash < 0 ? "" : word.slice(slash + 1);
    if (!Object.keys(target.properties).some((p) => p.startsWith(prefix))) {
      throw new UsageError(`--only ${word}: ${name} has no property starting "${prefix}"`);
    }
    wanted.set(name, [...wanted.get(name) ?? [], prefix]);
  }
  const items: PlanItem[] = [];
  for (const target of targets) {
    const prefixes = only.length === 0 ? [""] : wanted.get(target.name);
    if (prefixes === undefined) continue;
    for (const property of Object.keys(target.properties)) {
      if (prefixes.some((p) => property.startsWith(p))) items.push({ target: target.name, property });
    }
  }
  return items;
}

/**
 * Spread `items` over at most `jobs` workers in contiguous, nearly equal
 * runs of properties: every worker gets the same number of properties (±1),
 * so an equal time per worker is an equal time per property, and a target's
 * properties stay together except where a cut falls. No worker is empty.
 *
 * @example
 * ```ts
 * balance(["a", "b", "c", "d", "e"], 2); // [["a", "b", "c"], ["d", "e"]]
 * ```
 */
export function balance<T>(items: readonly T[], jobs: number): T[][] {
  const workers = Math.max(1, Math.min(jobs, items.length));
  const out: T[][] = [];
  let at = 0;
  for (let w = 0; w < workers; w++) {
    const size = Math.floor(items.length / workers) + (w < items.length % workers ? 1 : 0);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out.filter((chunk) => chunk.length > 0);
}

/**
 * A property's name as a file name: lower case, runs of anything but a-z
 * and 0-9 as one `-`, at most 60 characters.
 *
 * @example
 * ```ts
 * slug("Arbitrary bytes never throw (0.3)"); // "arbitrary-bytes-never-throw-0-3"
 * ```
 */
export function slug(name: string): string {
  const text = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 60).replace(/^-+|-+$/g, "");
  return text === "" ? "property" : text;
}

/**
 * Where a failure of `property` found with `seed` is saved:
 * `<saveDir>/<target>/<property-slug>-<seed>.json`.
 *
 * @example
 * ```ts
 * caseFile("test/fixtures/fuzz", { target: "dial", property: "parses back" }, 42);
 * // "test/fixtures/fuzz/dial/parses-back-42.json"
 * ```
 */
export function caseFile(saveDir: string, item: PlanItem, seed: number): string {
  return join(saveDir, item.target, `${slug(item.property)}-${seed}.json`);
}

/**
 * The seeds of one property's batches, from the run's seed and the
 * property's name (not its place), so `--seed N` repeats a property's
 * batches whatever else `--only` selects.
 *
 * @example
 * ```ts
 * const next = batchSeeds(7, { target: "dial", property: "parses back" });
 * next(); // the same 32-bit integer for every run with --seed 7
 * ```
 */
export function batchSeeds(runSeed: number, item: PlanItem): () => number {
  let h = runSeed >>> 0;
  for (const c of `${item.target}/${item.property}`) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  const random = seededRandom(h);
  return () => Math.floor(random() * 0x1_0000_0000) | 0;
}
