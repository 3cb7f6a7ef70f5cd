#!/usr/bin/env -S bun
/**
 * burnerd — the 'Buntu Stand burner daemon: one optical drive burning and
 * verifying discs for standd. See docs/burnerd.md.
 *
 * @module
 */
import { defineGnuCommand } from "../lib/cli.ts";
import { runProgram } from "../lib/main.ts";
import { BURNERD_ARGS, burnerdConfig } from "../lib/stand/burnerd-config.ts";
import { BURNERD_MANUAL, BURNERD_META } from "../lib/stand/burnerd-help.ts";

runProgram(defineGnuCommand({
  meta: BURNERD_META,
  manual: BURNERD_MANUAL,
  args: BURNERD_ARGS,
  async run({ args }) {
    const cfg = burnerdConfig(args, process.cwd());
    // The program is loaded only to run, so that --help and -V start fast.
    const { runBurnerd } = await import("../lib/stand/io/burnerd.ts");
    return runBurnerd(cfg);
  },
}));
