/**
 * What the runtime test cases share. Cases are plain functions using
 * node:assert, so the same ones run under `bun test` and, through
 * test/runtime/run-cases.ts, under Deno.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "../../../lib/runtime/process.ts";
import { runtimeName } from "../../../lib/runtime/runtime.ts";
import { waitFor } from "../../helpers/net.ts";

/** One test case: a behaviour and the code that checks it. */
export interface Case {
  name: string;
  run: () => void | Promise<void>;
  /** Longest the case may take, in ms; default 20000. */
  timeoutMs?: number;
}

/** Where the fixture scripts are. */
export const FIXTURES = fileURLToPath(new URL("../fixtures", import.meta.url));

/** Run `fn` with a new private directory, removed afterwards whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "unt-rt-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The argv that runs the TypeScript file `script` on the runtime running us. */
export function scriptArgv(script: string, ...args: string[]): string[] {
  const runner = runtimeName() === "Deno" ? [process.execPath, "run", "-A"] : [process.execPath];
  return [...runner, script, ...args];
}

/** The suite's one way to wait for a condition (it runs under Deno too). */
export { waitFor };

/**
 * Leave a stale UNIX-domain socket file at `path`: a server (another
 * process) binds it and is killed, so nobody accepts on it.
 */
export async function staleSocket(path: string): Promise<void> {
  let ready = false;
  const server = runCommand(scriptArgv(join(FIXTURES, "listen-unix.ts"), path), {
    stdout: { onLine: (line) => (ready ||= line.text === "ready") },
  });
  await waitFor("the doomed server", () => ready);
  server.stop();
  await server.ended;
}

/** Whether process `pid` runs: it exists and is not a zombie waiting for its parent. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
