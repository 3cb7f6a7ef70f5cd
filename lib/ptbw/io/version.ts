/**
 * ptbw's `-V` for this process: the facts the text needs (runtime, CPUs,
 * the sockets the environment names, as they are now) gathered here, the
 * text itself built by lib/ptbw/usage.ts.
 *
 * @module
 */
import { describeError } from "../../errno.ts";
import { onlineCpus, runtimeName } from "../../runtime/runtime.ts";
import type { Env } from "../discovery.ts";
import type { PtbwOptions } from "../options.ts";
import { versionText } from "../usage.ts";

/**
 * lstat(2) of `path`: null if it exists, else the strerror text. node:fs
 * is loaded here, only when the environment names a socket: loading it
 * with this module would cost every `-V` about 1 ms.
 */
function lstatProblem(path: string): string | null {
  try {
    process.getBuiltinModule("node:fs").lstatSync(path);
    return null;
  } catch (err) {
    return describeError(err);
  }
}

/**
 * The `-V` text for this process: its runtime, its CPUs, and the sockets
 * the environment names as they are now.
 *
 * @example
 * ```ts
 * printOut(showVersion(process.env, "ptbw", parsed.options));
 * ```
 */
export function showVersion(env: Env, prog: string, options: Pick<PtbwOptions, "depth" | "tags">): string {
  const input = { prog, depth: options.depth, tags: options.tags, lstat: lstatProblem };
  return versionText(env, input, runtimeName(), onlineCpus());
}
