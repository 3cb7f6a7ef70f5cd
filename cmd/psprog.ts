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
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { PSPROG_ARGS, psprogConfig, showPsprogConfig } from "../lib/pzog/psprog-options.ts";
import { printLast } from "../lib/runtime/stdio.ts";

runProgram(defineGnuCommand({
  meta: PSPROG_META,
  manual: PSPROG_MANUAL,
  args: PSPROG_ARGS,
  async run({ args }) {
    const log = createLog("psprog");
    const cfg = psprogConfig(args, await readRingFileOption(args), Date.now() >>> 0, (text) => log.warn(text));
    if (args.justShow) {
      await printLast(showPsprogConfig(cfg));
      return EX.OK;
    }
    // Loaded only here: --help and -j need none of its sockets and files.
    return (await import("../lib/pzog/io/psprog.ts")).runPsprog(cfg);
  },
}));
