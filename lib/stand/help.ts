/**
 * What standd's `--help` and `-V` say: names, version, summaries (citty's
 * meta) and the prose of its man page. The OPTIONS section comes from
 * STANDD_ARGS; the frontends' pages are in lib/stand/frontend-help.ts.
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { STAND_VERSION } from "./config.ts";

/**
 * standd's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: STANDD_META, manual: STANDD_MANUAL, args: STANDD_ARGS, subCommands, default: "serve" });
 * ```
 */
export const STANDD_META = {
  name: "standd",
  version: STAND_VERSION,
  description: "the 'Buntu Stand: a CD/DVD burning server and its frontends",
};

/**
 * The server's sub-command meta (it is also the default).
 *
 * @example
 * ```ts
 * STANDD_SERVE_META.name; // "serve"
 * ```
 */
export const STANDD_SERVE_META = { ...STANDD_META, name: "serve", description: "run the server (the default)" };

/**
 * The prose of `standd serve --help`: the server alone.
 *
 * @example
 * ```ts
 * STANDD_SERVE_MANUAL.synopsis[0]; // "[options]"
 * ```
 */
export const STANDD_SERVE_MANUAL: Manual = {
  synopsis: ["[options]"],
  get description() {
    return STANDD_MANUAL.description;
  },
  get sections() {
    return STANDD_MANUAL.sections;
  },
};

/**
 * The prose of standd's `--help` page.
 *
 * @example
 * ```ts
 * STANDD_MANUAL.synopsis[0]; // "[serve] [options]"
 * ```
 */
export const STANDD_MANUAL: Manual = {
  synopsis: [
    "[serve] [options]",
    "queue HASH|FILE.iso|NAME [-p PRIO] [-n COPIES]",
    "qreport | sreport | whatis HASH | open ID|LABEL | qdel ITEM | name ID LABEL | watch",
  ],
  description: [
    "Keeps a priority queue of disc images to burn and hands each job to a burner (burnerd, one",
    "per drive) that holds the image and has a blank disc loaded; burners burn, verify and eject,",
    "and report progress, which displays and the web dashboard (--http) show live. Lower priority",
    "numbers go sooner; a failed disc is burned again at priority 5 on any burner. Every queued",
    "job and every dispatch is journalled under --state-dir and fsynced before it is confirmed,",
    "so a crash or SIGKILL loses no queued job and burns no job twice. The sub-commands are the",
    "frontends: each speaks the protocol to --server; see `standd SUB --help`.",
  ].join("\n"),
  sections: [
    [
      "EXAMPLE",
      "standd --state-dir /var/lib/standd --command-token-file /etc/standd/token &\n" +
      "burnerd --device /dev/sr0 --iso-dir /srv/isos &\n" +
      "standd queue /srv/isos/ubuntu-8.10-desktop-i386.iso -n 10 --token-file /etc/standd/token\n" +
      "standd sreport",
    ],
    ["FILES", "DIR/journal.N, DIR/snapshot.json: the state; DIR/standd.lock: the running server's pid."],
    [
      "SIGNALS",
      "SIGTERM, SIGINT: commit the journal, close every connection, exit 0. SIGHUP: re-read --command-token-file.",
    ],
    [
      "EXIT STATUS",
      "0 stopped; 64 usage; 65 corrupt journal (file and offset named); 71 cannot bind;\n" +
      "73 state directory not writable; 74 journal write failed; 75 another standd holds the\n" +
      "state directory; 78 command token file unreadable or malformed.\n" +
      "Frontends: 0 ok; 64 usage; 65 QNO; 69 cannot connect; 76 bad reply; 77 DENIED.",
    ],
  ],
};
