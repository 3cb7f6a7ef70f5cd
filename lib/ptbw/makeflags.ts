/**
 * The make side of the jobserver bridge (spec §8.5): the `MAKEFLAGS` a
 * manager gives its utility, and how a client tells from its own
 * environment that it runs inside a recipe of that make.
 *
 * A recipe cannot be recognised by its descriptors: make passes the
 * jobserver's descriptors only to recursive recipes (`+`, `$(MAKE)`), so a
 * plain recipe sees `--jobserver-auth=3,4` with nothing open there. What it
 * does see is make's `MAKEFLAGS` and `MAKELEVEL`, which make raises by one
 * for every recipe; the utility itself, and anything it starts directly,
 * keeps the manager's level.
 *
 * @module
 */
import type { Env } from "./discovery.ts";

/** A jobserver as make's recipes see it. */
export interface MakeJobserver {
  /** `MAKELEVEL`: the manager's utility runs at this level, its recipes deeper. */
  level: number;
  /** The value of `--jobserver-auth=`: `3,4` (pipe style) or `fifo:PATH`. */
  auth: string;
}

/**
 * `MAKEFLAGS` for the utility: the old value (if any) plus our jobserver.
 *
 * @example
 * ```ts
 * utilityMakeflags("-k", 3, "3,4"); // "-k -j3 --jobserver-auth=3,4"
 * ```
 */
export function utilityMakeflags(old: string | undefined, count: number, auth: string): string {
  return `${old ? `${old} ` : ""}-j${count} --jobserver-auth=${auth}`;
}

/**
 * `MAKELEVEL` as make reads it (C `atoi`: junk and negatives are 0).
 *
 * @example
 * ```ts
 * makeLevel("2");       // 2
 * makeLevel(undefined); // 0
 * ```
 */
export function makeLevel(value: string | undefined): number {
  const n = Number.parseInt(value?.trim() ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * The last `--jobserver-auth=` in `MAKEFLAGS` (make obeys the last one);
 * words after a lone `--` are variable definitions, not flags.
 *
 * @example
 * ```ts
 * jobserverAuth(" -j3 --jobserver-auth=3,4"); // "3,4"
 * jobserverAuth("-k");                        // undefined
 * ```
 */
export function jobserverAuth(makeflags: string | undefined): string | undefined {
  let auth: string | undefined;
  for (const word of (makeflags ?? "").split(/\s+/)) {
    if (word === "--") break;
    if (word.startsWith("--jobserver-auth=")) auth = word.slice("--jobserver-auth=".length);
  }
  return auth;
}

/**
 * The jobserver this environment runs under, if any, at its make level.
 *
 * @example
 * ```ts
 * recipeJobserver({ MAKEFLAGS: " -j3 --jobserver-auth=3,4", MAKELEVEL: "1" }); // { level: 1, auth: "3,4" }
 * ```
 */
export function recipeJobserver(env: Env): MakeJobserver | undefined {
  const auth = jobserverAuth(env.MAKEFLAGS);
  const level = makeLevel(env.MAKELEVEL);
  return auth && level > 0 ? { level, auth } : undefined;
}

/**
 * Whether a process under `mine` runs inside a recipe of the make that a
 * manager `exported` its jobserver to: the same jobserver, a deeper level.
 *
 * @example
 * ```ts
 * isRecipeOf({ level: 1, auth: "3,4" }, { level: 0, auth: "3,4" }); // true
 * isRecipeOf({ level: 0, auth: "3,4" }, { level: 0, auth: "3,4" }); // false: the utility itself
 * ```
 */
export function isRecipeOf(mine: MakeJobserver, exported: MakeJobserver): boolean {
  return mine.auth === exported.auth && mine.level > exported.level;
}
