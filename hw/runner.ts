/**
 * How the drive layer runs its tools (spec stand.md §5.1): a
 * {@linkcode Runner} that runs a command to its end or spawns one with
 * streaming output. Always an argv array, never a shell; `LC_ALL=C`, stdin
 * `/dev/null`, both output streams read. {@linkcode systemRunner} is the
 * real one; tests inject recorded outputs.
 *
 * @module
 */

import { runCommand } from "../lib/runtime/process.ts";

/**
 * How a command run to its end went: its exit code (null when killed, timed
 * out or never started), its whole stdout and stderr as text, whether the
 * time limit stopped it, and why it could not be started.
 *
 * @example
 * ```ts
 * const r: RunResult = { code: 0, stdout: "4\n", stderr: "" };
 * ```
 */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  error?: string;
}

/**
 * How a spawned child ended: exit code or signal, or why it could not be
 * started (`error`, e.g. `cdrskin: No such file or directory`).
 *
 * @example
 * ```ts
 * const e: ChildExit = { code: null, signal: "SIGTERM" };
 * ```
 */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  error?: string;
}

/**
 * A running child. `onOutput` takes the one consumer of its output chunks,
 * in order, per stream; chunks that came before it was set are handed over
 * at once. `exit` resolves after the child exited and both streams ended,
 * so every chunk has been delivered by then. `kill` signals the child's
 * whole process group.
 *
 * @example
 * ```ts
 * const child = systemRunner().spawn(["xorriso", "-as", "cdrecord", "-v", "dev=stdio:/tmp/out.iso", "/tmp/a.iso"]);
 * child.onOutput((stream, chunk) => console.log(stream, chunk.length));
 * const { code } = await child.exit;
 * ```
 */
export interface ChildHandle {
  onOutput(consumer: (stream: "stdout" | "stderr", chunk: Uint8Array) => void): void;
  readonly exit: Promise<ChildExit>;
  kill(signal: "SIGTERM" | "SIGKILL"): void;
}

/**
 * Runs the drive layer's tools.
 *
 * @example
 * ```ts
 * async function trayOpen(runner: Runner): Promise<boolean> {
 *   return (await runner.run(["eject", "/dev/sr0"], { timeoutMs: 30_000 })).code === 0;
 * }
 * ```
 */
export interface Runner {
  /** Runs `argv` to its end (or its time limit), collecting both streams. */
  run(argv: string[], o?: { timeoutMs?: number }): Promise<RunResult>;
  /** Starts `argv` with `env` added to the environment, streaming its output. */
  spawn(argv: string[], o?: { env?: Record<string, string> }): ChildHandle;
}

/** The environment of every tool: ours, in the C locale, so that the parsers read English. */
function toolEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, ...extra, LC_ALL: "C" };
}

/**
 * The Runner over real processes (lib/runtime/process.ts's `runCommand`).
 *
 * @example
 * ```ts
 * const r = await systemRunner().run(["xorriso", "-version"], { timeoutMs: 10_000 });
 * r.code; // 0
 * ```
 */
export function systemRunner(): Runner {
  return { run, spawn };
}

/** The chunks as UTF-8 text, a character split between chunks decoded whole. */
function text(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
}

async function run(argv: string[], o: { timeoutMs?: number } = {}): Promise<RunResult> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const cmd = runCommand(argv, {
    env: toolEnv(),
    stdout: { onChunk: (c) => out.push(c) },
    stderr: { onChunk: (c) => err.push(c) },
    timeoutMs: o.timeoutMs,
  });
  const end = await cmd.ended;
  if ("execError" in end) return { code: null, stdout: "", stderr: "", error: end.execError.message };
  const result: RunResult = { code: end.code, stdout: text(out), stderr: text(err) };
  if (end.timedOut) result.timedOut = true;
  return result;
}

function spawn(argv: string[], o: { env?: Record<string, string> } = {}): ChildHandle {
  let consumer: ((stream: "stdout" | "stderr", chunk: Uint8Array) => void) | undefined;
  const early: ["stdout" | "stderr", Uint8Array][] = [];
  const deliver = (stream: "stdout" | "stderr") => (chunk: Uint8Array) => {
    if (consumer) consumer(stream, chunk);
    else early.push([stream, chunk]);
  };
  const cmd = runCommand(argv, {
    env: toolEnv(o.env),
    stdout: { onChunk: deliver("stdout") },
    stderr: { onChunk: deliver("stderr") },
  });
  const exit = cmd.ended.then((end): ChildExit =>
    "execError" in end
      ? { code: null, signal: null, error: end.execError.message }
      : { code: end.code, signal: end.signal }
  );
  return {
    onOutput(c) {
      consumer = c;
      for (const [stream, chunk] of early.splice(0)) c(stream, chunk);
    },
    exit,
    kill(signal) {
      if (cmd.pid === undefined) return;
      try {
        // runCommand puts the child in a process group of its own: reach all of it.
        process.kill(-cmd.pid, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
