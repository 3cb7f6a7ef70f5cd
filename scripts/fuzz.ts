/**
 * `npm run fuzz`: fuzz every parser that takes outside input
 * (docs/fuzzing.md).
 *
 * Usage: bun scripts/fuzz.ts [--seconds N | --runs N] [--only NAME]… [--jobs N] [--json] [--seed N]
 *        bun scripts/fuzz.ts --list | --replay FILE | --mutant NAME…
 *
 * The runner lives in test/fuzz/runner.ts beside the targets it runs. It is
 * Bun's alone (its workers are `bun test` processes, the targets use
 * bun:test's `expect`), so it is loaded through a computed specifier, which
 * `deno check scripts` does not follow.
 *
 * @module
 */
import type { GnuCommand } from "../lib/cli.ts";
import { runProgram } from "../lib/main.ts";

const runner = new URL("../test/fuzz/runner.ts", import.meta.url).href;
const { fuzzCommand } = await import(runner) as { fuzzCommand: GnuCommand };
runProgram(fuzzCommand);
