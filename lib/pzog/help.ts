/**
 * What pzog's and psprog's `--help` and `--version` say: each program's
 * name, version and summary (citty's meta) and the prose of its man page.
 * The OPTIONS section comes from PZOG_ARGS and PSPROG_ARGS.
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { PZOG_VERSION } from "./config.ts";
import { PSPROG_VERSION } from "./psprog-options.ts";

/**
 * pzog's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: PZOG_META, manual: PZOG_MANUAL, args: PZOG_ARGS, run });
 * ```
 */
export const PZOG_META = {
  name: "pzog",
  version: PZOG_VERSION,
  description: "replicating log daemon, one of a ring of five",
};

/**
 * The prose of pzog's `--help` page.
 *
 * @example
 * ```ts
 * PZOG_MANUAL.synopsis[0]; // "[--name NAME] [--ring LIST | --ring-file PATH | -T] [options]"
 * ```
 */
export const PZOG_MANUAL: Manual = {
  synopsis: ["[--name NAME] [--ring LIST | --ring-file PATH | -T] [options]"],
  description: [
    "Listens for clients on the client port (55551). Each line a client sends (CRLF, at most 512",
    "octets) is forwarded around the ring of five members so that every member appends it,",
    "once, to its access.log as `YYYY-MM-DD HH:MM:SS <line>`; the client gets `ok` when this",
    "node has logged it and queued its forwards. Peers talk on the peer port (55552).",
    "--protocol 0.2.2 speaks the strict 2012 bytes; the default 0.3 adds message ids,",
    "durable per-peer queues that resend after a reconnect, dedup, and a bypass of a down node.",
  ].join("\n"),
  sections: [
    [
      "FILES",
      "LOG-DIR/access.log, LOG-DIR/error.log; SPOOL-DIR/<member>.q and .ack (peer queues),\n" +
      "SPOOL-DIR/epoch, seen.snap, seen.log, pzog.pid.",
    ],
    [
      "SIGNALS",
      "SIGHUP: flush, reopen both logs by path, re-resolve the ring (logrotate postrotate).\n" +
      "SIGTERM, SIGINT: stop listening, drain peer queues for --drain-timeout, exit 0;\n" +
      "a second signal skips the drain. SIGUSR1: a `stats` record in error.log.",
    ],
    [
      "EXIT STATUS",
      "0 normal stop; 64 usage; 78 configuration (ring, name); 73 a log or spool directory\n" +
      "cannot be created; 71 a listener cannot bind; 75 another live pzog holds the spool;\n" +
      "70 internal error.",
    ],
  ],
};

/**
 * psprog's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: PSPROG_META, manual: PSPROG_MANUAL, args: PSPROG_ARGS, run });
 * ```
 */
export const PSPROG_META = {
  name: "psprog",
  version: PSPROG_VERSION,
  description: "load client for a pzog ring",
};

/**
 * The prose of psprog's `--help` page.
 *
 * @example
 * ```ts
 * PSPROG_MANUAL.sections?.[0]?.[0]; // "SIGNALS"
 * ```
 */
export const PSPROG_MANUAL: Manual = {
  synopsis: ["[-r | -s HOST | -T] [-i SECS] [-n N] [-m TEXT] [-p PORT] [--ring LIST | --ring-file PATH] [options]"],
  description: [
    "Sends lines to the members of a pzog ring, by default a random member every 10 seconds,",
    "each line quasi-random printable text of 32..60 octets. psprog keeps one connection per",
    "member, writes `content CRLF` and waits for `ok`. A member it cannot connect to is skipped",
    "for the next candidate; a line written but not acknowledged is `noack` and not resent",
    "(another entry node would log it a second time). Every message adds a line to",
    "LOG-DIR/psprog.log: `YYYY-MM-DD HH:MM:SS <member> <ok|noack|down> <content>`.",
  ].join("\n"),
  sections: [
    ["SIGNALS", "SIGINT, SIGTERM: finish the current message, send `quit` on each connection, exit."],
    [
      "EXIT STATUS",
      "0 every message got ok; 75 some did not; 64 usage; 78 bad ring;\n73 the log directory cannot be created.",
    ],
  ],
};
