/**
 * Child processes: start one with an exact argv (argv[0] included), wait for
 * its status, and the small /proc facts a supervisor needs.
 *
 * @module
 */
import { spawn, type StdioOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { errorCode } from "../errno.ts";
import { EX } from "../exit.ts";

/** How a child ended: a wait status, or the errno code of a failed exec. */
export type ChildEnd =
  | { status: number; code: number | null; signal: string | null }
  | { execError: string };

/** A started child. `pid` is undefined when the exec failed. */
export interface Child {
  readonly pid: number | undefined;
  readonly ended: Promise<ChildEnd>;
}

/** Options for {@link startChild}. */
export interface ChildOptions {
  /** argv[0] as the child sees it; defaults to `file`. */
  argv0?: string;
  /** The child's whole environment. */
  env: Record<string, string | undefined>;
  /** Descriptors handed down as fds 3, 4, … (stdin/out/err are inherited). */
  extraFds?: number[];
}

/**
 * Start `file` (looked up in PATH when it has no slash) with `args`,
 * inheriting stdin, stdout and stderr, without a shell.
 *
 * @example
 * ```ts
 * const child = startChild("sh", ["-c", "exit 3"], { env: process.env });
 * await child.ended; // { status: 3, code: 3, signal: null }
 * ```
 */
export function startChild(file: string, args: string[], opts: ChildOptions): Child {
  const stdio: StdioOptions = ["inherit", "inherit", "inherit", ...(opts.extraFds ?? [])];
  const proc = spawn(file, args, { argv0: opts.argv0 ?? file, env: opts.env, stdio });
  const ended = new Promise<ChildEnd>((resolve) => {
    proc.once("error", (err) => resolve({ execError: errorCode(err) ?? "ENOENT" }));
    proc.once("exit", (code, signal) => resolve({ status: waitStatus(code, signal), code, signal }));
  });
  return { pid: proc.pid, ended };
}

/**
 * Whether a process exists (signal 0 probe); EPERM counts as alive.
 *
 * @example
 * ```ts
 * processAlive(process.pid); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === "EPERM";
  }
}

/**
 * If `pid` is stopped by a signal (state `T` in /proc/<pid>/stat), send it
 * SIGCONT. A supervisor whose child was stopped by a stray ^Z would
 * otherwise wait forever. Returns true if the process was continued.
 *
 * @example
 * ```ts
 * setInterval(() => continueIfStopped(child.pid!), 1000).unref();
 * ```
 */
export function continueIfStopped(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return false;
  }
  // The command name is in parentheses and may contain spaces or ')'.
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  if (state !== "T") return false;
  try {
    process.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * The number of a signal name, e.g. 15 for `SIGTERM`; 0 if unknown.
 *
 * @example
 * ```ts
 * signalNumber("SIGKILL"); // 9
 * ```
 */
export function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}

/**
 * The status a shell reports for a child that exited with `code` or was
 * killed by `signal`: the code itself, or 128 + the signal's number.
 *
 * @example
 * ```ts
 * waitStatus(null, "SIGTERM"); // 143
 * waitStatus(3, null);         // 3
 * ```
 */
export function waitStatus(code: number | null, signal: string | null): number {
  if (signal) return 128 + signalNumber(signal);
  return code ?? EX.SOFTWARE;
}
