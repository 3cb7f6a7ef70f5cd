#!/usr/bin/env -S bun
/**
 * standd — the 'Buntu Stand's burning server, and its frontends (queue,
 * qreport, sreport, whatis, open, qdel, name, watch). See docs/standd.md.
 *
 * @module
 */
import { defineGnuCommand } from "../lib/cli.ts";
import { STANDD_ARGS, standdConfig } from "../lib/stand/config.ts";
import { STANDD_FRONTENDS } from "../lib/stand/frontend-commands.ts";
import { STANDD_MANUAL, STANDD_META, STANDD_SERVE_MANUAL, STANDD_SERVE_META } from "../lib/stand/help.ts";
import { runProgram } from "../lib/main.ts";

const serve = defineGnuCommand({
  meta: STANDD_SERVE_META,
  manual: STANDD_SERVE_MANUAL,
  args: STANDD_ARGS,
  async run({ args }) {
    const cfg = standdConfig(args);
    // The server is loaded only to run, so that --help and -V start fast.
    const { runStandd } = await import("../lib/stand/io/standd.ts");
    return runStandd(cfg);
  },
});

runProgram(defineGnuCommand({
  meta: STANDD_META,
  manual: STANDD_MANUAL,
  args: STANDD_ARGS,
  subCommands: { serve, ...STANDD_FRONTENDS },
  default: "serve",
}));
