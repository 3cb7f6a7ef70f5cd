/**
 * Named pipes. Neither Bun nor Deno's node:fs has mkfifo(2), so we run
 * mkfifo(1), which every POSIX system has.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { lstatSync } from "node:fs";

/**
 * Create a FIFO at `path` with `mode`. Throws an error whose `code` is
 * `EEXIST` if anything is already there, else one carrying mkfifo's words.
 *
 * @example
 * ```ts
 * makeFifo("/tmp/ptbdAb12Cd/jobserver", 0o600);
 * ```
 */
export function makeFifo(path: string, mode: number): void {
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  if (exists) throw Object.assign(new Error(`${path}: File exists`), { code: "EEXIST" });
  const run = spawnSync("mkfifo", ["-m", mode.toString(8), "--", path], { encoding: "utf8" });
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || "mkfifo failed").trim().replace(/^mkfifo: /, "");
    throw Object.assign(new Error(why), { code: run.error ? "ENOENT" : "EIO" });
  }
}
