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
import { runClient } from "../lib/ptbw/io/client.ts";
import { runManager } from "../lib/ptbw/io/manager.ts";
import { showVersion } from "../lib/ptbw/io/version.ts";
import { parsePtbwCommandLine } from "../lib/ptbw/options.ts";
import { helpText } from "../lib/ptbw/usage.ts";
import { invokedName } from "../lib/runtime/runtime.ts";
import { printOut } from "../lib/runtime/stdio.ts";

const prog = invokedName("ptbw");
const env = process.env;

runMain(prog, async () => {
  const log = createLog(prog);
  const parsed = parsePtbwCommandLine(process.argv.slice(2), env.PTBW);
  switch (parsed.action) {
    case "error":
      // The original's usage errors exit 1, without a pointer to --help.
      log.error(parsed.message);
      return 1;
    case "help":
      printOut(helpText(prog));
      return 0;
    case "version":
      printOut(showVersion(env, prog, parsed.options));
      return 0;
    case "run":
      if (parsed.options.manager) return await runManager(parsed.options, { prog, env, log });
      return await runClient(parsed.options, { prog, env, log });
  }
});
