#!/usr/bin/env -S bun
/**
 * ptbw — parallel token broker wrapper (ksb's ptbw, protocol 0.4).
 *
 * A manager (`ptbw -m … utility`) owns a pool of named tokens and runs the
 * utility; clients below it (`ptbw [-R n] command`) wait for tokens, run
 * their command with them, and give them back when it ends.
 * See docs/ptbw.md.
 *
 * @module
 */
import { createLog } from "../lib/log.ts";
import { runMain } from "../lib/main.ts";
import { showVersion } from "../lib/ptbw/io/version.ts";
import { parsePtbwCommandLine } from "../lib/ptbw/options.ts";
import { helpText } from "../lib/ptbw/usage.ts";
import { invokedName } from "../lib/runtime/runtime.ts";
import { printLast } from "../lib/runtime/stdio.ts";

const prog = invokedName("ptbw");
const env = process.env;

runMain(prog, async () => {
  const parsed = parsePtbwCommandLine(process.argv.slice(2), env.PTBW);
  switch (parsed.action) {
    case "error":
      // The original's usage errors exit 1, without a pointer to --help.
      createLog(prog).error(parsed.message);
      return 1;
    case "help":
      await printLast(helpText(prog));
      return 0;
    case "version":
      await printLast(showVersion(env, prog, parsed.options));
      return 0;
    case "run": {
      // Loaded only for a run: -V and -h need none of its sockets, processes and log.
      const ctx = { prog, env, log: createLog(prog) };
      if (parsed.options.manager) return (await import("../lib/ptbw/io/manager.ts")).runManager(parsed.options, ctx);
      return (await import("../lib/ptbw/io/client.ts")).runClient(parsed.options, ctx);
    }
  }
});
