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
import { lstatSync } from "node:fs";
import { describeError } from "../lib/errno.ts";
import { createLog } from "../lib/log.ts";
import { runMain } from "../lib/main.ts";
import { runClient } from "../lib/ptbw/io/client.ts";
import { runManager } from "../lib/ptbw/io/manager.ts";
import { parseCommandLine } from "../lib/ptbw/options.ts";
import { helpText, versionText } from "../lib/ptbw/usage.ts";
import { invokedName, onlineCpus, runtimeName } from "../lib/runtime/runtime.ts";
import { printOut } from "../lib/runtime/stdio.ts";

const prog = invokedName("ptbw");
const env = process.env;
const log = createLog(prog);

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2), env.PTBW);
  switch (parsed.action) {
    case "error":
      log.error(parsed.message);
      return 1;
    case "help":
      printOut(helpText(prog));
      return 0;
    case "version": {
      const lstat = (path: string) => {
        try {
          lstatSync(path);
          return null;
        } catch (err) {
          return describeError(err);
        }
      };
      const o = parsed.options;
      printOut(versionText(env, { prog, depth: o.depth, tags: o.tags, lstat }, runtimeName(), onlineCpus()));
      return 0;
    }
    case "run":
      if (parsed.options.manager) return await runManager(parsed.options, { prog, env, log });
      return await runClient(parsed.options, { prog, env, log });
  }
}

runMain(main, log, prog);
