/**
 * What kdosd's `-help` and `-version` say, and `kdosd call`'s: names,
 * versions and summaries (citty's meta) and the prose of their man pages.
 * The OPTIONS sections come from KDOSD_ARGS and KDOSD_CALL_ARGS.
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { KDOSD_VERSION } from "./config.ts";

/**
 * kdosd's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: KDOSD_META, manual: KDOSD_MANUAL, args: KDOSD_ARGS, subCommands, default: "serve" });
 * ```
 */
export const KDOSD_META = {
  name: "kdosd",
  version: KDOSD_VERSION,
  description: "KDOS file daemon: file access through mailbox messages",
};

/**
 * The daemon's sub-command meta (it is also the default).
 *
 * @example
 * ```ts
 * KDOSD_SERVE_META.name; // "serve"
 * ```
 */
export const KDOSD_SERVE_META = { ...KDOSD_META, name: "serve", description: "run the daemon (the default)" };

/**
 * `kdosd call`'s meta.
 *
 * @example
 * ```ts
 * KDOSD_CALL_META.name; // "call"
 * ```
 */
export const KDOSD_CALL_META = {
  name: "call",
  version: KDOSD_VERSION,
  description: "send one command to a kdosd and print the reply",
};

/**
 * The prose of kdosd's `-help` page.
 *
 * @example
 * ```ts
 * KDOSD_MANUAL.synopsis[0]; // "[-debug] [-vperror] [options]"
 * ```
 */
export const KDOSD_MANUAL: Manual = {
  synopsis: ["[-debug] [-vperror] [options]", "call [--to ADDR] [--tag TAG] [--decode] OP [ARG…]"],
  description: [
    "Serves the files of --root to clients that send one-line commands to its UDP command",
    "mailbox (udp!127.0.0.1!7010) or to a stream gateway: `TAG MAILBOX OP ARGS…`, answered",
    "`TAG ERRNO VALUE [TEXT]` at the response mailbox. OPEN, READ, WRITE, CLOSE, LIST, STAT,",
    "RENAME and DELETE are the original's, moving data through the shared buffer window",
    "(--window); READX, WRITEX, LISTX and STATX carry it inline in base64. Names are confined",
    "to the root: no symlinks, no `..`, regular files only. kdosd stays in the foreground.",
  ].join("\n"),
  sections: [
    [
      "EXAMPLE",
      "kdosd --root /srv/kdos --gateway 'tcp!127.0.0.1!7011' &\n" +
      "kdosd call OPEN log.dat 'O_WRONLY|O_CREAT'      # 0x… 0 3\n" +
      "kdosd call WRITEX 3 0 0 aGVsbG8K               # 0x… 0 6",
    ],
    [
      "SIGNALS",
      "SIGTERM, SIGINT: finish the current command, flush replies, close handles and listeners, exit 0.\n" +
      "SIGHUP: reload --mailboxes. SIGUSR1: live handles and counters to stdout.",
    ],
    [
      "EXIT STATUS",
      "0 stop; 64 usage; 66 no root; 69 address in use or another kdosd live; 70 internal;\n" +
      "73 window unusable or unsafe; 77 permission denied; 78 configuration.\n" +
      "kdosd call: 0 errno 0; 1 another errno; 75 timeout; 64 usage; 69 cannot bind or\n" +
      "connect; 65 malformed reply.",
    ],
  ],
};

/**
 * The prose of `kdosd call`'s `--help` page.
 *
 * @example
 * ```ts
 * KDOSD_CALL_MANUAL.synopsis.length; // 1
 * ```
 */
export const KDOSD_CALL_MANUAL: Manual = {
  synopsis: ["[--to ADDR] [--from ADDR] [--tag TAG] [--timeout SECS] [--raw] [--decode] OP [ARG…]"],
  description: [
    "Sends one command to kdosd and prints its reply line. Over UDP it binds --from and names",
    "that address as the response mailbox; over a gateway (tcp!… or unix!…) it sends `-`.",
    "--raw sends the arguments, joined by spaces, as the whole command. --decode (READX) writes",
    "the data to stdout and the reply's first three fields to stderr.",
  ].join("\n"),
  sections: [[
    "EXIT STATUS",
    "0 the reply's errno is 0; 1 it is not; 75 no reply within --timeout; 64 usage;\n" +
    "69 cannot bind or connect; 65 a malformed reply.",
  ]],
};
