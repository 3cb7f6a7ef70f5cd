/**
 * What every benchmark shares: one temp directory for all it writes,
 * tracking of the processes it starts, cleanup on any exit (error, SIGINT,
 * SIGTERM, SIGHUP), and the entry point.
 *
 * @module
 */
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const running = new Set<ChildProcess>();
let workDir: string | undefined;

/**
 * The benchmark's temp directory (created on first use, removed at exit).
 *
 * @example
 * ```ts
 * const dir = workDirectory("pzog-bench-");
 * ```
 */
export function workDirectory(prefix: string): string {
  workDir ??= mkdtempSync(join(tmpdir(), prefix));
  return workDir;
}

/**
 * Start a long-lived helper process, killed at exit if still running.
 * stdin is a pipe, so a helper written to watch it notices if we die.
 *
 * @example
 * ```ts
 * const manager = startTracked([PTBW, "-m", "-N", sock, ":"], { env });
 * ```
 */
export function startTracked(argv: string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "ignore", "inherit"], ...opts });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Kill what is still running and remove the temp directory (synchronous, for exit handlers). */
function cleanUpNow(): void {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
  running.clear();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

/**
 * Run a benchmark's `main`, cleaning up whatever happens: exit 0 after it,
 * 1 on an error (with a `bench:` message), 128+N on signal N.
 *
 * @example
 * ```ts
 * runBench(main);
 * ```
 */
export function runBench(main: () => Promise<void>): void {
  process.on("exit", cleanUpNow);
  for (const [sig, number] of [["SIGHUP", 1], ["SIGINT", 2], ["SIGTERM", 15]] as const) {
    process.on(sig, () => {
      cleanUpNow();
      process.exit(128 + number);
    });
  }
  main().then(
    () => {
      cleanUpNow();
      process.exit(0);
    },
    (err) => {
      console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
      cleanUpNow();
      process.exit(1);
    },
  );
}
