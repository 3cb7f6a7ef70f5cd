#!/usr/bin/env -S bun
/**
 * unt — every program of the suite in one executable, built by
 * `bun scripts/build.ts --multi` into dist/multi/ with a link per program
 * (`ptbw -> unt`). It loads only the program it runs. See lib/multi-call.ts.
 *
 * Not a program of its own: it lives apart from cmd/<prog>.ts, so the
 * plain build does not compile it.
 *
 * @module
 */
import { UsageError } from "../../lib/cli.ts";
import { EX } from "../../lib/exit.ts";
import { runMain } from "../../lib/main.ts";
import { chooseProgram, MULTI_NAME } from "../../lib/multi-call.ts";
import { becomeProgram, invokedName } from "../../lib/runtime/runtime.ts";
import { printLast } from "../../lib/runtime/stdio.ts";

/** Every program in cmd/, loaded on demand; each runs itself when loaded. */
const PROGRAMS: Record<string, () => Promise<unknown>> = {
  burnerd: () => import("../burnerd.ts"),
  kdosd: () => import("../kdosd.ts"),
  psprog: () => import("../psprog.ts"),
  ptbw: () => import("../ptbw.ts"),
  pzog: () => import("../pzog.ts"),
  spreed: () => import("../spreed.ts"),
  standd: () => import("../standd.ts"),
};

const call = chooseProgram(invokedName(MULTI_NAME), process.argv.slice(2), Object.keys(PROGRAMS));
if (call.action === "run") {
  becomeProgram(call.program, call.args);
  PROGRAMS[call.program]!();
} else {
  runMain(MULTI_NAME, async () => {
    if (call.action === "error") throw new UsageError(call.message);
    await printLast(call.text);
    return EX.OK;
  });
}
