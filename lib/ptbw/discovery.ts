/**
 * How ptbw processes find each other through the environment: the
 * `ptbw_link` stack of published managers, the detached `ptbw_d`, the
 * `PTBW_<level>` options, and the `-V` trace of all of them.
 *
 * Pure functions of an environment record; the caller applies the result.
 *
 * @module
 */

import { EX } from "../exit.ts";

/** An environment, as `process.env` is. */
export type Env = Record<string, string | undefined>;

/** Prefix of every variable (it does not follow a masquerading argv[0]). */
export const PREFIX = "ptbw";

/** mkdtemp(3) template of a manager's private directory. */
export const DIRECTORY_TEMPLATE = "ptbdXXXXXX";

/** strtol over the whole string, as the original's level parser demands. */
function wholeNumber(text: string): number | undefined {
  return /^[ \t\n\v\f\r]*\+?\d+$/.test(text) ? Number(text.trim().replace(/^\+/, "")) : undefined;
}

/** A client's choice of manager, or the reason there is none. */
export type Selection = { socket: string } | { error: string; status: number };

/**
 * Pick the manager a client (or a borrowing manager) talks to: `-t path`
 * directly, else the published level `depth` steps out from the innermost.
 *
 * @example
 * ```ts
 * selectManager({ ptbw_link: "2", ptbw_1: "/tmp/a/sta0", ptbw_2: "/tmp/b/sta0" }, undefined, 1);
 * // { socket: "/tmp/a/sta0" }
 * ```
 */
export function selectManager(env: Env, tags: string | undefined, depth: number): Selection {
  if (tags !== undefined && tags !== "-") return { socket: tags };
  const link = env[`${PREFIX}_link`];
  if (link === undefined) {
    const detached = env[`${PREFIX}_d`];
    const hint = detached === undefined ? "" : `, do you mean to specify option \`-t' as "${detached}"?`;
    return { error: `no enclosing diversion${hint}`, status: EX.NOINPUT };
  }
  const top = wholeNumber(link);
  if (top === undefined) return { error: `cannot parse ${link} "${link}" as a number`, status: EX.DATAERR };
  if (top < depth) {
    return { error: `requested depth of -${depth} is too large for current stack of ${top}`, status: EX.DATAERR };
  }
  const socket = env[`${PREFIX}_${top - depth}`];
  if (socket === undefined) return { error: `deversion ${top - depth}: No such file or directory`, status: EX.DATAERR };
  return { socket };
}

/**
 * The level a new manager takes: one more than the numeric `ptbw_link`.
 *
 * @example
 * ```ts
 * managerLevel({ ptbw_link: "1" }); // 2
 * managerLevel({});                 // 1
 * ```
 */
export function managerLevel(env: Env): number {
  const link = env[`${PREFIX}_link`];
  return (link === undefined ? 0 : wholeNumber(link) ?? 0) + 1;
}

/**
 * The environment a manager gives its utility: its socket published at
 * `level` (or as `ptbw_d` when detached) and `PTBW` taken from
 * `PTBW_<level>`, or removed.
 *
 * @example
 * ```ts
 * publish({ PTBW_1: "-R2" }, "/tmp/ptbdAb12Cd/sta0", 1, false);
 * // { PTBW_1: "-R2", ptbw_1: "/tmp/ptbdAb12Cd/sta0", ptbw_link: "1", PTBW: "-R2" }
 * ```
 */
export function publish(env: Env, socket: string, level: number, detached: boolean): Env {
  const next: Env = { ...env };
  if (detached) {
    next[`${PREFIX}_d`] = socket;
  } else {
    next[`${PREFIX}_${level}`] = socket;
    next[`${PREFIX}_link`] = String(level);
  }
  const options = env[`PTBW_${level}`];
  if (options === undefined) delete next.PTBW;
  else next.PTBW = options;
  return next;
}

/** What `-V` needs beyond the environment. */
export interface TraceInput {
  prog: string;
  /** `-depth`. */
  depth: number;
  /** `-t`, as given (undefined if not). */
  tags: string | undefined;
  /** lstat(2) of a socket path: null if it exists, else strerror text. */
  lstat: (path: string) => string | null;
}

/**
 * The environment part of `-V`: the "cannot parse level" warning (if any),
 * and the trace of every diversion with the client's target marked.
 *
 * @example
 * ```ts
 * versionTrace({}, { prog: "ptbw", depth: 0, tags: undefined, lstat: () => null }).trace;
 * // ["ptbw: no current diversions"]
 * ```
 */
export function versionTrace(
  env: Env,
  input: TraceInput,
): { warning: string | undefined; tags: string; trace: string[] } {
  const { prog, depth } = input;
  const link = env[`${PREFIX}_link`];
  const top = link === undefined ? undefined : wholeNumber(link);
  const warning = link !== undefined && link !== "d" && top === undefined
    ? `${prog}: cannot parse level string "${link}"`
    : undefined;
  const width = link === undefined ? 3 : link.length + 2;
  const trace: string[] = [];
  let direct = input.tags;
  let sawTarget = false;

  const line = (name: string, socket: string | undefined, target: boolean): boolean => {
    const label = `${prog}:${name.padStart(width)}:`;
    let text: string;
    if (socket === undefined) {
      text = `${label} missing from our environment`;
    } else {
      const problem = input.lstat(socket);
      text = problem === null ? `${label} ${socket}` : `${label} stat: ${socket}: ${problem}`;
    }
    if (target) {
      sawTarget = true;
      text += " [target]";
    }
    if (direct !== undefined && socket === direct) {
      direct = undefined;
      text += " [-t]";
    }
    trace.push(text);
    return (target && !/^\d/.test(name)) || name === "0";
  };

  const search = (): boolean => {
    const detached = env[`${PREFIX}_d`];
    if (detached !== undefined && line("d", detached, link === "d")) return true;
    if (top === undefined) return false;
    const active = top >= depth ? top - depth : top + 1;
    for (let level = top; level > 0; level--) {
      line(String(level), env[`${PREFIX}_${level}`], level === active);
    }
    const zero = env[`${PREFIX}_0`];
    return zero !== undefined && line("0", zero, active === 0);
  };

  const outer = top ?? 0;
  const stopped = search();
  if (!stopped && depth >= outer) {
    if (direct !== undefined) line("-t", direct, !sawTarget);
    else if (depth === 0) trace.push(`${prog}: no current diversions`);
    else trace.push(`${prog}: depth -${depth} is too great for current stack of ${outer}`);
  } else if (direct !== undefined) {
    line("-t", direct, !sawTarget);
  } else if (!sawTarget) {
    trace.push(`${prog}: never saw the active diversion`);
  }
  return { warning, tags: link ?? "1", trace };
}
