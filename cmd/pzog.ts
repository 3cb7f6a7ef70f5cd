#!/usr/bin/env -S bun
/**
 * pzog — a five-node ring of logging daemons that replicates every line a
 * client hands any node to all five access.logs. See docs/pzog.md.
 *
 * @module
 */
import { defineGnuCommand } from "../lib/cli.ts";
import { EX } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runProgram } from "../lib/main.ts";
import { daemonConfig, PZOG_ARGS, PZOG_STATUS_ARGS, showConfig } from "../lib/pzog/config.ts";
import { PZOG_MANUAL, PZOG_META, PZOG_RUN_META, PZOG_STATUS_MANUAL, PZOG_STATUS_META } from "../lib/pzog/help.ts";
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { printLast } from "../lib/runtime/stdio.ts";

const daemon = defineGnuCommand({
  meta: PZOG_RUN_META,
  manual: PZOG_MANUAL,
  args: PZOG_ARGS,
  async run({ args }) {
    // node:os is loaded only for the host name, the daemon only for a run,
    // so that -V, --help and -j start fast.
    const host = args.name ?? (await import("node:os")).hostname();
    const cfg = daemonConfig(args, host, await readRingFileOption(args));
    if (args.justShow) {
      await printLast(showConfig(cfg));
      return EX.OK;
    }
    const { runDaemon } = await import("../lib/pzog/io/daemon.ts");
    return runDaemon(cfg, createLog("pzog", cfg.verbose ? "verbose" : "quiet"));
  },
});

const status = defineGnuCommand({
  meta: PZOG_STATUS_META,
  manual: PZOG_STATUS_MANUAL,
  args: { ...PZOG_ARGS, ...PZOG_STATUS_ARGS },
  run: async ({ args }) => (await import("../lib/pzog/io/status.ts")).runStatus(args["spool-dir"], args.json),
});

runProgram(defineGnuCommand({
  meta: PZOG_META,
  manual: PZOG_MANUAL,
  args: PZOG_ARGS,
  subCommands: { run: daemon, status },
  default: "run",
}));
