/**
 * Running programs from tests: the built binaries (or `bun cmd/<prog>.ts`),
 * shell snippets, and background daemons, with everything a test starts
 * killed when the run ends (test/setup.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");
/** Where `npm run build` puts the executables. */
export const DIST = join(ROOT, "dist");
/** The project's own bun, deno and tsc. */
export const BUN = join(ROOT, "node_modules", ".bin", "bun");
export const DENO = join(ROOT, "node_modules", ".bin", "deno");
export const TSC = join(ROOT, "node_modules", ".bin", "tsc");

/** Path of a built program; fails loudly if the build is missing. */
export function binary(prog: string): string {
  const path = join(DIST, prog);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

/**
 * The argv prefix that runs `prog`: the compiled binary (default), or its
 * source under Bun or Deno.
 *
 * @example
 * ```ts
 * await run([...programArgv("ptbw", "deno"), "-V"]);
 * ```
 */
export function programArgv(prog: string, via: "binary" | "bun" | "deno" = "binary"): string[] {
  const source = join(ROOT, "cmd", `${prog}.ts`);
  if (via === "bun") return [BUN, source];
  if (via === "deno") return [DENO, "run", "-A", source];
  return [binary(prog)];
}

/** How a finished process ended. */
export interface Finished {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  /** Wall time in milliseconds. */
  ms: number;
}

/** Processes started whose output is still open (they, or others in their group, may run), and their exits. */
const started = new Map<ChildProcess, Promise<void>>();

/** Kill the process group of everything the tests started and did not see end, and wait for the exits. */
export async function killAll(): Promise<void> {
  for (const child of started.keys()) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // The group is gone already.
    }
  }
  await Promise.all(started.values());
}

/** Options for {@link run} and {@link sh}. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Bytes for stdin, or "open" for a pipe the test writes (`child.stdin`); stdin is /dev/null otherwise. */
  input?: string | Uint8Array | "open";
  /** Kill the process group after this many ms (default 20000). */
  timeout?: number;
}

/** A process a test started. */
export interface Background {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when it exits and its output is closed. */
  readonly exited: Promise<Finished>;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** What it printed on stdout so far. */
  stdout(): string;
}

/**
 * Start `argv` in its own process group, tracked so that it is killed at the
 * end of the run if still running.
 */
export function background(argv: string[], opts: RunOptions = {}): Background {
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => err.push(b));
  if (opts.input !== undefined && opts.input !== "open") child.stdin!.end(opts.input);
  started.set(
    child,
    new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    }),
  );
  const exited = new Promise<Finished>((resolve, reject) => {
    child.on("error", (e) => {
      started.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      started.delete(child);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        stdoutBytes,
        ms: performance.now() - t0,
      });
    });
  });
  return {
    child,
    pid: child.pid!,
    exited,
    stderr: () => Buffer.concat(err).toString("utf8"),
    stdout: () => Buffer.concat(out).toString("utf8"),
  };
}

/**
 * Run `argv` to completion (its process group is killed after
 * `opts.timeout` ms) and resolve with its output.
 */
export async function run(argv: string[], opts: RunOptions = {}): Promise<Finished> {
  const proc = background(argv, opts);
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, opts.timeout ?? 20000);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Run a shell snippet with `/bin/sh -c`. */
export function sh(script: string, opts: RunOptions = {}): Promise<Finished> {
  return run(["/bin/sh", "-c", script], opts);
}
