#!/usr/bin/env -S bun
/**
 * pzog — a five-node ring of logging daemons that replicates every line a
 * client hands any node to all five access.logs. See docs/pzog.md.
 *
 * @module
 */
import { hostname } from "node:os";
import { answerInfoOptions, parseCommandLine } from "../lib/cli.ts";
import { EX } from "../lib/exit.ts";
import { createLog } from "../lib/log.ts";
import { runMain } from "../lib/main.ts";
import { daemonConfig, PZOG_ARGS, PZOG_VERSION, showConfig } from "../lib/pzog/config.ts";
import { runDaemon } from "../lib/pzog/io/daemon.ts";
import { readRingFileOption } from "../lib/pzog/io/ring-file.ts";
import { printOut } from "../lib/runtime/stdio.ts";

const HELP = {
  name: "pzog",
  summary: "replicating log daemon, one of a ring of five",
  synopsis: ["[--name NAME] [--ring LIST | --ring-file PATH | -T] [options]"],
  description:
    "Listens for clients on the client port (55551). Each line a client sends (CRLF, at most 512\n" +
    "octets) is forwarded around the ring of five members so that every member appends it,\n" +
    "once, to its access.log as `YYYY-MM-DD HH:MM:SS <line>`; the client gets `ok` when this\n" +
    "node has logged it and queued its forwards. Peers talk on the peer port (55552).\n" +
    "--protocol 0.2.2 speaks the strict 2012 bytes; the default 0.3 adds message ids,\n" +
    "durable per-peer queues that resend after a reconnect, dedup, and a bypass of a down node.",
  sections: [
    ["FILES", "LOG-DIR/access.log, LOG-DIR/error.log; SPOOL-DIR/<member>.q and .ack (peer queues),\nSPOOL-DIR/epoch, seen.snap, seen.log, pzog.pid."],
    ["SIGNALS", "SIGHUP: flush, reopen both logs by path, re-resolve the ring (logrotate postrotate).\nSIGTERM, SIGINT: stop listening, drain peer queues for --drain-timeout, exit 0;\na second signal skips the drain. SIGUSR1: a `stats` record in error.log."],
    ["EXIT STATUS", "0 normal stop; 64 usage; 78 configuration (ring, name); 73 a log or spool directory\ncannot be created; 71 a listener cannot bind; 75 another live pzog holds the spool;\n70 internal error."],
  ] as Array<[string, string]>,
};

const log = createLog("pzog", process.argv.includes("-v") || process.argv.includes("--verbose") ? "verbose" : "quiet");

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2), PZOG_ARGS);
  if (answerInfoOptions(args, HELP, PZOG_ARGS, `pzog ${PZOG_VERSION}`, printOut)) return EX.OK;
  const ringText = readRingFileOption(args);
  const cfg = daemonConfig(args, hostname(), ringText);
  if (args.justShow) {
    printOut(showConfig(cfg));
    return EX.OK;
  }
  return await runDaemon(cfg, log);
}

runMain(main, log, "pzog");
