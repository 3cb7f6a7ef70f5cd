/**
 * Child processes: start one with an exact argv (argv[0] included), wait for
 * its status, run a command with its output streamed and a time limit, and
 * the small /proc facts a supervisor needs. Programs start the way
 * execvp(3) starts them, whatever the runtime.
 *
 * @module
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";
import { errorCode, strerror } from "../errno.ts";
import { EX } from "../exit.ts";
import { type Line, LineSplitter, type LineSplitterOptions } from "../lines.ts";

// node:fs, node:os and node:child_process are loaded where first used, not
// with this module: on Bun, a wrapped command (ptbw -R1 cmd) starts its
// child with Bun.spawn and needs none of them, and loading them costs every
// such start a millisecond or more.
const fs = () => process.getBuiltinModule("node:fs");
const osConstants = () => process.getBuiltinModule("node:os").constants;

/**
 * A program that could not be started, with the errno code its exec failed
 * with (ENOENT, EACCES, ETXTBSY, E2BIG, ENOTDIR…). The message is
 * `<file>: <strerror>`, ready for an operator.
 *
 * @example
 * ```ts
 * const end = await startChild("./deploy.sh", [], { env: process.env }).ended;
 * if ("execError" in end) log.error(`execvp: ${end.execError.message}`); // "execvp: ./deploy.sh: Permission denied"
 * ```
 */
export class SpawnError extends Error {
  constructor(readonly file: string, readonly code: string, why: string = strerror(code)) {
    super(`${file}: ${why}`);
    this.name = "SpawnError";
  }
}

/** The shell execvp(3) hands a file the kernel cannot execute (ENOEXEC). */
const SCRIPT_SHELL = "/bin/sh";

/** The errno name of Linux error number `n`, e.g. "ETXTBSY" for 26. */
function errnoName(n: number): string | undefined {
  return Object.entries(osConstants().errno).find(([, value]) => value === n)?.[0];
}

/**
 * A runtime's spawn failure as a {@link SpawnError}. Bun and Node name the
 * code; Deno sometimes only says `(os error 26)` in its message.
 */
function spawnFailure(file: string, err: unknown): SpawnError {
  const text = err instanceof Error ? err.message : String(err);
  const osError = /\(os error (\d+)\)/.exec(text);
  const code = errorCode(err) ?? (osError ? errnoName(Number(osError[1])) : undefined);
  return code === undefined ? new SpawnError(file, "EIO", text) : new SpawnError(file, code);
}

/** The file execvp(3) would run for a name without a slash: the first executable regular file in PATH. */
function searchPath(file: string, path: string): string | undefined {
  const { accessSync, constants, statSync } = fs();
  for (const dir of path.split(":")) {
    const candidate = dir === "" ? file : `${dir}/${file}`;
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there, or not ours to run: execvp goes on to the next directory.
    }
  }
  return undefined;
}

/**
 * Start `file` as execvp(3) runs it, with `start` (a runtime's spawn,
 * which looks names without a slash up in PATH): when the kernel cannot
 * execute it (ENOEXEC: a script without `#!`, a corrupt binary), it is run
 * by /bin/sh with its path as `$0`; only then does `start` get an `argv0`
 * (/bin/sh's), otherwise the caller's stands. A failure `start` throws
 * comes back as a {@link SpawnError}.
 */
function execvp<T>(
  file: string,
  args: readonly string[],
  env: Record<string, string | undefined> | undefined,
  start: (file: string, args: readonly string[], argv0: string | undefined) => T,
): T | SpawnError {
  try {
    return start(file, args, undefined);
  } catch (err) {
    const failure = spawnFailure(file, err);
    if (failure.code !== "ENOEXEC") return failure;
  }
  const script = file.includes("/") ? file : searchPath(file, env?.PATH ?? "/bin:/usr/bin");
  if (script === undefined) return new SpawnError(file, "ENOEXEC");
  try {
    return start(SCRIPT_SHELL, [script, ...args], SCRIPT_SHELL);
  } catch (err) {
    return spawnFailure(file, err);
  }
}

/**
 * spawn(2) `file` with node:child_process as execvp(3) runs it (see
 * {@link execvp}). A failure the runtime reports later than the call
 * arrives as the process's "error" event.
 */
function spawnProgram(file: string, args: readonly string[], options: SpawnOptions): ChildProcess | SpawnError {
  const { spawn } = process.getBuiltinModule("node:child_process");
  return execvp(
    file,
    args,
    options.env,
    (f, a, argv0) => spawn(f, a, argv0 === undefined ? options : { ...options, argv0 }),
  );
}

/** The part of a Bun subprocess startChild uses. */
interface BunChild {
  readonly pid: number;
  readonly exited: Promise<number>;
  readonly exitCode: number | null;
  readonly signalCode: string | null;
}

/** The part of Bun startChild uses (declared here: Deno's type checker has no Bun). */
interface BunSpawn {
  spawn(
    cmd: string[],
    options: {
      argv0: string;
      env: Record<string, string | undefined>;
      stdio: ["inherit", "inherit", "inherit", ...number[]];
    },
  ): BunChild;
}

/** How a child ended: a wait status, or why it could not be started. */
export type ChildEnd =
  | { status: number; code: number | null; signal: string | null }
  | { execError: SpawnError };

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
 * Start `file` with `args` as execvp(3) would (PATH lookup, /bin/sh for a
 * script without `#!`), inheriting stdin, stdout and stderr. A program that
 * cannot be started ends with its {@link SpawnError}; nothing is thrown.
 *
 * @example
 * ```ts
 * const child = startChild("sh", ["-c", "exit 3"], { env: process.env });
 * await child.ended; // { status: 3, code: 3, signal: null }
 * ```
 */
export function startChild(file: string, args: string[], opts: ChildOptions): Child {
  const stdio: ["inherit", "inherit", "inherit", ...number[]] = [
    "inherit",
    "inherit",
    "inherit",
    ...(opts.extraFds ?? []),
  ];
  const bun = (globalThis as { Bun?: BunSpawn }).Bun;
  if (bun !== undefined) {
    // Bun.spawn starts a child about 1.5 ms sooner than node:child_process, and throws every exec failure at once.
    const started = execvp(
      file,
      args,
      opts.env,
      (f, a, argv0) => bun.spawn([f, ...a], { argv0: argv0 ?? opts.argv0 ?? file, env: opts.env, stdio }),
    );
    if (started instanceof SpawnError) return { pid: undefined, ended: Promise.resolve({ execError: started }) };
    const ended = started.exited.then((): ChildEnd => {
      const { exitCode: code, signalCode: signal } = started;
      return { status: waitStatus(code, signal), code, signal };
    });
    return { pid: started.pid, ended };
  }
  const proc = spawnProgram(file, args, { argv0: opts.argv0 ?? file, env: opts.env, stdio });
  if (proc instanceof SpawnError) return { pid: undefined, ended: Promise.resolve({ execError: proc }) };
  const ended = new Promise<ChildEnd>((resolve) => {
    proc.once("error", (err) => resolve({ execError: spawnFailure(file, err) }));
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
 * continueIfStopped(child.pid!); // once a second, as the ptbw broker asks
 * ```
 */
export function continueIfStopped(pid: number): boolean {
  let stat: string;
  try {
    stat = fs().readFileSync(`/proc/${pid}/stat`, "latin1");
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
  return (osConstants().signals as Record<string, number>)[name] ?? 0;
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

/** What {@link runCommand} does with one output stream of the command. */
export interface OutputHandlers {
  /** Every chunk as it arrives (dd's image bytes, to hash them). */
  onChunk?: (chunk: Uint8Array) => void;
  /** Every line, split by {@link LineSplitter} with `lines`; the tail is flushed at EOF. */
  onLine?: (line: Line) => void;
  /** How to split lines for `onLine`. */
  lines?: LineSplitterOptions;
}

/** Options for {@link runCommand}. */
export interface CommandOptions {
  /** The command's whole environment; default ours. */
  env?: Record<string, string | undefined>;
  /** Working directory; default ours. */
  cwd?: string;
  /** Bytes for its stdin (a string as UTF-8); without them stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Standard output; discarded (/dev/null) when there are no handlers. */
  stdout?: OutputHandlers;
  /** Standard error; discarded (/dev/null) when there are no handlers. */
  stderr?: OutputHandlers;
  /** Stop the command (see {@link RunningCommand.stop}) after this many ms. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping; default 2000 ms. */
  graceMs?: number;
}

/**
 * How a command ended: its wait status (the shell's `$?`), exit code or
 * signal, and whether the time limit stopped it; or why it could not be
 * started (a {@link SpawnError}: ENOENT, EACCES…).
 */
export type CommandEnd =
  | { status: number; code: number | null; signal: string | null; timedOut: boolean }
  | { execError: SpawnError };

/** A command started by {@link runCommand}. */
export interface RunningCommand {
  /** Its pid, which is also its process group id; undefined if the spawn failed. */
  readonly pid: number | undefined;
  /** Resolves once it ended and its output was delivered; never rejects. */
  readonly ended: Promise<CommandEnd>;
  /**
   * SIGTERM its whole process group, then SIGKILL after the grace. For a
   * stall detector; the time limit calls it too. Later calls do nothing.
   */
  stop(): void;
}

const DEFAULT_GRACE_MS = 2000;
/** How soon a stopped group is looked at again while its members finish dying. */
const GROUP_RECHECK_MS = 20;

/**
 * Whether any process of group `pgid` still runs, from /proc. A signal
 * probe would also count zombies: dead members that their new parent
 * (init, once the command exited) has not reaped yet.
 */
function groupRunning(pgid: number): boolean {
  const { readdirSync, readFileSync } = fs();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return false;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    } catch {
      continue;
    }
    // After the parenthesised command name: state, ppid, pgrp.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** Send `handlers` what `stream` delivers. */
function deliver(stream: Readable | null, handlers: OutputHandlers | undefined): void {
  if (!stream || !handlers) return;
  const { onChunk, onLine } = handlers;
  const splitter = onLine ? new LineSplitter(handlers.lines) : undefined;
  stream.on("data", (chunk: Uint8Array) => {
    onChunk?.(chunk);
    for (const line of splitter?.push(chunk) ?? []) onLine!(line);
  });
  stream.on("end", () => {
    for (const line of splitter?.finish() ?? []) onLine!(line);
  });
}

/**
 * Run `argv` (started as execvp(3) would: PATH lookup, /bin/sh for a
 * script without `#!`; otherwise no shell) in a process group of its own,
 * streaming its output to the handlers. The handlers must not throw.
 *
 * `ended` resolves when the command has exited and its stdout and stderr
 * are closed, so a background grandchild still holding them delays it (the
 * time limit covers that). After a stop, if members of the group outlive
 * the command (as /proc shows), `ended` waits until they are gone, and at
 * the end of the grace SIGKILLs them. Without a stop, a grandchild that
 * closed its output and lives on is left alone.
 *
 * @throws {RangeError} if `argv` is empty.
 * @example
 * ```ts
 * const dd = runCommand(["dd", `if=${device}`, "bs=2048", `count=${blocks}`], {
 *   stdout: { onChunk: (chunk) => md5.update(chunk) },
 *   stderr: { onLine: (line) => parseDd(line.text) },
 *   timeoutMs: 60_000 + size / 1024,
 * });
 * const end = await dd.ended; // { status: 0, code: 0, signal: null, timedOut: false }
 * ```
 */
export function runCommand(argv: readonly string[], opts: CommandOptions = {}): RunningCommand {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError("runCommand: empty argv");
  const wanted = (h: OutputHandlers | undefined) => (h?.onChunk || h?.onLine ? "pipe" : "ignore");
  const proc = spawnProgram(file, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: [opts.input === undefined ? "ignore" : "pipe", wanted(opts.stdout), wanted(opts.stderr)],
    // A new session, hence a new process group whose id is the pid: a stop
    // reaches every process the command started.
    detached: true,
  });
  if (proc instanceof SpawnError) return { pid: undefined, ended: Promise.resolve({ execError: proc }), stop() {} };
  const pid = proc.pid;
  let settled = false;
  let stopping = false;
  let killed = false;
  let timedOut = false;
  let exit: { code: number | null; signal: string | null } | undefined;
  let timeLimit: ReturnType<typeof setTimeout> | undefined;
  let grace: ReturnType<typeof setTimeout> | undefined;
  let resolveEnded: (end: CommandEnd) => void = () => {};
  const ended = new Promise<CommandEnd>((resolve) => (resolveEnded = resolve));

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid!, signal);
    } catch {
      // The whole group is gone already.
    }
  };
  const settle = (end: CommandEnd) => {
    settled = true;
    clearTimeout(timeLimit);
    clearTimeout(grace);
    resolveEnded(end);
  };
  const settleExit = () => {
    const { code, signal } = exit!;
    settle({ status: waitStatus(code, signal), code, signal, timedOut });
  };
  const stop = () => {
    if (stopping || settled || pid === undefined) return;
    stopping = true;
    clearTimeout(timeLimit);
    signalGroup("SIGTERM");
    grace = setTimeout(() => {
      killed = true;
      signalGroup("SIGKILL");
      if (exit) settleExit();
    }, opts.graceMs ?? DEFAULT_GRACE_MS);
  };

  // Listening for good: an "error" event without a listener would throw.
  proc.on("error", (err) => {
    if (pid === undefined && !settled) settle({ execError: spawnFailure(file, err) });
  });
  // Members that outlive a stopped command get the rest of the grace, then
  // SIGKILL; most are just finishing their own SIGTERM, so look again soon.
  const settleWhenGroupGone = () => {
    if (settled) return;
    if (!stopping || killed || !groupRunning(pid!)) return settleExit();
    setTimeout(settleWhenGroupGone, GROUP_RECHECK_MS);
  };
  proc.once("close", (code, signal) => {
    if (settled || pid === undefined) return;
    exit = { code, signal };
    settleWhenGroupGone();
  });
  if (pid !== undefined) {
    deliver(proc.stdout, opts.stdout);
    deliver(proc.stderr, opts.stderr);
    if (proc.stdin) {
      // A command that exits without reading its input gives EPIPE: not our failure.
      proc.stdin.on("error", () => {});
      proc.stdin.end(opts.input);
    }
    if (opts.timeoutMs !== undefined) {
      timeLimit = setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs);
    }
  }
  return { pid, ended, stop };
}
