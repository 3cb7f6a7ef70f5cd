#!/usr/bin/env -S bun
/**
 * psprog — load client for a pzog ring: sends lines to ring members at an
 * interval and records each outcome. See docs/psprog.md.
 *
 * @module
 */
import { defineGnuCommand } from "../lib/cli.ts";
import { EX } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runProgram } from "../lib/main.ts";
import { PSPROG_MANUAL, PSPROG_META } from "../lib/pzog/help.ts";
import { runPsprog } from "../lib/pzog/io/psprog.ts";
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { PSPROG_ARGS, psprogConfig, showPsprogConfig } from "../lib/pzog/psprog-options.ts";
import { printOut } from "../lib/runtime/stdio.ts";

runProgram(defineGnuCommand({
  meta: PSPROG_META,
  manual: PSPROG_MANUAL,
  args: PSPROG_ARGS,
  async run({ args }) {
    const log = createLog("psprog");
    const cfg = psprogConfig(args, readRingFileOption(args), Date.now() >>> 0, (text) => log.warn(text));
    if (args.justShow) {
      printOut(showPsprogConfig(cfg));
      return EX.OK;
    }
    return await runPsprog(cfg);
  },
}));
