#!/usr/bin/env -S bun
/**
 * pzog — a five-node ring of logging daemons that replicates every line a
 * client hands any node to all five access.logs. See docs/pzog.md.
 *
 * @module
 */
import { hostname } from "node:os";
import { defineGnuCommand } from "../lib/cli.ts";
import { EX } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runProgram } from "../lib/main.ts";
import { daemonConfig, PZOG_ARGS, showConfig } from "../lib/pzog/config.ts";
import { PZOG_MANUAL, PZOG_META } from "../lib/pzog/help.ts";
import { runDaemon } from "../lib/pzog/io/daemon.ts";
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { printOut } from "../lib/runtime/stdio.ts";

runProgram(defineGnuCommand({
  meta: PZOG_META,
  manual: PZOG_MANUAL,
  args: PZOG_ARGS,
  async run({ args }) {
    const cfg = daemonConfig(args, hostname(), readRingFileOption(args));
    if (args.justShow) {
      printOut(showConfig(cfg));
      return EX.OK;
    }
    return await runDaemon(cfg, createLog("pzog", cfg.verbose ? "verbose" : "quiet"));
  },
}));
