/**
 * What pzog's and psprog's `--help` and `--version` say: each program's
 * name, version and summary (citty's meta) and the prose of its man page.
 * The OPTIONS section comes from PZOG_ARGS and PSPROG_ARGS.
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { PZOG_VERSION } from "./config.ts";

/**
 * The product version psprog reports. It lives here, not with psprog's
 * options, so that pzog, which loads this module, does not load those and
 * the protocol code they check lines with.
 *
 * @example
 * ```ts
 * `psprog ${PSPROG_VERSION}`; // "psprog 0.3.0"
 * ```
 */
export const PSPROG_VERSION = "0.3.0";

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
 * PZOG_MANUAL.synopsis[0]; // "[run] [--name NAME] [--ring LIST | --ring-file PATH | -T] [options]"
 * ```
 */
export const PZOG_MANUAL: Manual = {
  synopsis: [
    "[run] [--name NAME] [--ring LIST | --ring-file PATH | -T] [options]",
    "status [--json] [--spool-dir DIR] [the daemon's other options]",
  ],
  description: [
    "Listens for clients on the client port (55551). Each line a client sends (CRLF, at most 512",
    "octets) is forwarded around the ring of five members so that every member appends it,",
    "once, to its access.log as `YYYY-MM-DD HH:MM:SS <line>`; the client gets `ok` when this",
    "node has logged it and queued its forwards. Peers talk on the peer port (55552).",
    "--protocol 0.2.2 speaks the strict 2012 bytes; the default 0.3 adds message ids,",
    "durable per-peer queues that resend after a reconnect, dedup, and a bypass of a down node.",
    "`pzog status` asks the pzog running on a spool directory for its links, queues and counters.",
  ].join("\n"),
  sections: [
    [
      "FILES",
      "LOG-DIR/access.log, LOG-DIR/error.log; SPOOL-DIR/<member>.q and .ack (peer queues),\n" +
      "SPOOL-DIR/epoch, seen.snap, seen.log, pzog.pid, pzog.sock (the status socket).",
    ],
    [
      "SIGNALS",
      "SIGHUP: flush, reopen both logs by path, re-resolve the ring (logrotate postrotate).\n" +
      "SIGTERM, SIGINT: stop listening, drain peer queues for --drain-timeout, exit 0;\n" +
      "a second signal skips the drain. SIGUSR1: a `stats` record in error.log.",
    ],
    [
      "EXIT STATUS",
      "0 normal stop; 64 usage; 78 configuration (ring, name); 73 a log or spool directory, or a\n" +
      "file in it, cannot be created or opened; 71 a listener or the status socket cannot bind;\n" +
      "75 another live pzog holds the spool; 70 internal error (also a failed write).\n" +
      "Every exit after pzog.pid is claimed ends error.log with a `stop` record giving the reason.\n" +
      "pzog status: 0 answered; 69 no pzog answers on that spool directory; 76 a bad answer.",
    ],
  ],
};

/**
 * The `run` sub-command's name and summary: the daemon, what `pzog` does
 * when no sub-command is named.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: PZOG_RUN_META, manual: PZOG_MANUAL, args: PZOG_ARGS, run });
 * ```
 */
export const PZOG_RUN_META = {
  name: "run",
  description: "run this member of the ring (what pzog does without a command)",
};

/**
 * The `status` sub-command's name and summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: PZOG_STATUS_META, manual: PZOG_STATUS_MANUAL, args: PZOG_STATUS_ARGS, run });
 * ```
 */
export const PZOG_STATUS_META = {
  name: "status",
  description: "print a running pzog's links, queue depths and counters",
};

/**
 * The prose of `pzog status --help`.
 *
 * @example
 * ```ts
 * PZOG_STATUS_MANUAL.synopsis[0]; // "[--json] [--spool-dir DIR] [the daemon's other options]"
 * ```
 */
export const PZOG_STATUS_MANUAL: Manual = {
  synopsis: ["[--json] [--spool-dir DIR] [the daemon's other options]"],
  description: [
    "Asks the pzog whose spool directory is DIR (default `spool`) over its status socket,",
    "SPOOL-DIR/pzog.sock, and prints who it is, how long it has run, its clients, backpressure,",
    "message counters and, per peer, the link (up, connecting, down, stopped), how long it has",
    "been so, the lines queued and in flight, the spool size and the last connection failure.",
    "--json prints the daemon's document as it came. The daemon's options are accepted, so its",
    "command line with `status` in front works; only --spool-dir is used.",
  ].join("\n"),
  sections: [[
    "EXIT STATUS",
    "0 the daemon answered; 64 usage; 69 no pzog answers there; 76 the answer is not pzog's.",
  ]],
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
  synopsis: ["[-r | -s HOST] [-T | --ring LIST | --ring-file PATH] [-i SECS] [-n N] [-m TEXT] [-p PORT] [options]"],
  description: [
    "Sends lines to the members of a pzog ring, by default a random member every 10 seconds,",
    "each line quasi-random printable text of 32..60 octets. psprog keeps one connection per",
    "member, writes `content CRLF` and waits for `ok`. A member it cannot connect to is skipped",
    "for the next candidate; a line written but not acknowledged is `noack` and not resent",
    "(another entry node would log it a second time). Every message adds a line to",
    "LOG-DIR/psprog.log: `YYYY-MM-DD HH:MM:SS <member> <ok|noack|down CAUSE> <content>`, where",
    "CAUSE says why the last member tried could not be reached: refused, timeout, unreachable,",
    "unresolved, reset or error. -T sends to the built-in ring on 127.0.0.1..127.0.0.5, as pzog -T.",
  ].join("\n"),
  sections: [
    ["SIGNALS", "SIGINT, SIGTERM: finish the current message, send `quit` on each connection, exit."],
    [
      "EXIT STATUS",
      "0 every message got ok; 75 some did not; 64 usage; 78 bad ring;\n73 the log directory cannot be created.",
    ],
  ],
};
