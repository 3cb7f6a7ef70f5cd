#!/usr/bin/env -S bun
/**
 * psprog — load client for a pzog ring: sends lines to ring members at an
 * interval and records each outcome. See docs/psprog.md.
 *
 * @module
 */
import { answerInfoOptions, parseCommandLine } from "../lib/cli.ts";
import { EX } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runMain } from "../lib/main.ts";
import { runPsprog } from "../lib/pzog/io/psprog.ts";
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { PSPROG_ARGS, PSPROG_VERSION, psprogConfig } from "../lib/pzog/psprog-options.ts";
import { printOut } from "../lib/runtime/stdio.ts";

const HELP = {
  name: "psprog",
  summary: "load client for a pzog ring",
  synopsis: ["[-r | -s HOST | -T] [-i SECS] [-n N] [-m TEXT] [-p PORT] [--ring LIST | --ring-file PATH] [options]"],
  description:
    "Sends lines to the members of a pzog ring, by default a random member every 10 seconds,\n" +
    "each line quasi-random printable text of 32..60 octets. psprog keeps one connection per\n" +
    "member, writes `content CRLF` and waits for `ok`. A member it cannot connect to is skipped\n" +
    "for the next candidate; a line written but not acknowledged is `noack` and not resent\n" +
    "(another entry node would log it a second time). Every message adds a line to\n" +
    "LOG-DIR/psprog.log: `YYYY-MM-DD HH:MM:SS <member> <ok|noack|down> <content>`.",
  sections: [
    ["SIGNALS", "SIGINT, SIGTERM: finish the current message, send `quit` on each connection, exit."],
    ["EXIT STATUS", "0 every message got ok; 75 some did not; 64 usage; 78 bad ring;\n73 the log directory cannot be created."],
  ] as Array<[string, string]>,
};

const log = createLog("psprog");

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2), PSPROG_ARGS);
  if (answerInfoOptions(args, HELP, PSPROG_ARGS, `psprog ${PSPROG_VERSION}`, printOut)) return EX.OK;
  const ringText = readRingFileOption(args);
  const cfg = psprogConfig(args, ringText, Date.now() >>> 0, (text) => log.warn(text));
  if (args.justShow) {
    const targets = cfg.targets.map((t) => `  ${t.label} ${t.host}:${t.port}`);
    printOut([`strategy ${cfg.strategy}`, `interval ${cfg.intervalMs / 1000}`, `count ${cfg.count}`,
      `timeout ${cfg.timeoutMs / 1000}`, `log-dir ${cfg.logDir}`, "targets", ...targets].join("\n") + "\n");
    return EX.OK;
  }
  return await runPsprog(cfg);
}

runMain(main, log, "psprog");
