/**
 * What every benchmark shares: one temp directory for all it writes,
 * tracking of the processes it starts, cleanup on any exit (error, SIGINT,
 * SIGTERM, SIGHUP), and the entry point.
 *
 * @module
 */
import { type ChildProcess, spawn, type SpawnOptions, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

const running = new Set<ChildProcess>();
let workDir: string | undefined;

/**
 * The benchmark's temp directory (created on first use, under `parent`,
 * by default the system's temp directory; removed at exit).
 *
 * @example
 * ```ts
 * const dir = workDirectory("pzog-bench-");
 * const shm = workDirectory("kdosd-bench-", "/dev/shm"); // on tmpfs
 * ```
 */
export function workDirectory(prefix: string, parent: string = tmpdir()): string {
  workDir ??= mkdtempSync(join(parent, prefix));
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

/**
 * The CPUs this process may run on (taskset's list form), read at start-up
 * so that it can be restored after {@linkcode pinTo}.
 *
 * @example
 * ```ts
 * pinTo(pids, ALL_CPUS);
 * ```
 */
export const ALL_CPUS: string = spawnSync("taskset", ["-p", "-c", String(process.pid)], { encoding: "utf8" }).stdout
  ?.split(": ")[1]?.trim() ?? `0-${cpus().length - 1}`;

/**
 * Pin every thread of `pids` to `list` (taskset -c form); false if taskset
 * is missing or fails. On a small VM a serial round trip between two CPUs
 * is mostly the wake-up of an idle one; pinned to one CPU, it is the CPU
 * time of both ends and the kernel.
 *
 * @example
 * ```ts
 * const pinned = pinTo([process.pid, server.pid!], "0");
 * ```
 */
export function pinTo(pids: number[], list: string): boolean {
  return pids.every((pid) =>
    spawnSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" }).status === 0
  );
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
