/**
 * What `standd <frontend> --help` says (spec §3.7): each sub-command's
 * meta (name and summary) and the prose of its man page. The OPTIONS
 * sections come from the argument tables in frontend-commands.ts.
 *
 * @module
 */
import type { Manual } from "../cli.ts";

/**
 * A frontend sub-command's name and one-line summary (the version is
 * standd's).
 *
 * @example
 * ```ts
 * const meta: FrontendMeta = { name: "qreport", description: "print the queue" };
 * ```
 */
export interface FrontendMeta {
  name: string;
  description: string;
}

const CONNECTION = [
  "Every sub-command connects to standd's protocol port (--server), reads its IDENT and identifies",
  "itself with a random UUID: queue, qdel, name and open as a COMMAND client, the others as a",
  "read-only DISPLAY. When standd runs with --command-token, a COMMAND client must give the same",
  "token with --token, --token-file or STANDD_COMMAND_TOKEN (in that order of precedence); a",
  "DISPLAY client never sends it.",
].join("\n");

const ENVIRONMENT: readonly [string, string] = [
  "ENVIRONMENT",
  "STANDD_COMMAND_TOKEN   the command token, when neither --token nor --token-file is given.",
];

/** The exit statuses every frontend shares, with the sub-command's own meaning of 65. */
function exitStatus(refused: string): readonly [string, string] {
  return [
    "EXIT STATUS",
    [
      "0   done.",
      "64  usage: a bad option, operand or address.",
      `65  ${refused}`,
      "66  a file (the image, --token-file) cannot be read.",
      "69  standd (or, to resolve a name, the dashboard) cannot be reached, closed the connection,",
      "    or did not answer within --timeout.",
      "76  a reply that is malformed or not the one due.",
      "77  DENIED: a bad or missing command token; standd's reason is printed on stderr.",
    ].join("\n"),
  ];
}

/**
 * `standd queue`.
 *
 * @example
 * ```ts
 * QUEUE_META.name; // "queue"
 * ```
 */
export const QUEUE_META: FrontendMeta = { name: "queue", description: "queue copies of a disc image for burning" };

/**
 * The prose of `standd queue --help`.
 *
 * @example
 * ```ts
 * QUEUE_MANUAL.synopsis[0]; // "[-p PRIO] [-n COPIES] [options] HASH|FILE.iso|NAME"
 * ```
 */
export const QUEUE_MANUAL: Manual = {
  synopsis: ["[-p PRIO] [-n COPIES] [options] HASH|FILE.iso|NAME"],
  description: [
    "Queues COPIES jobs (one QUEUE each, pipelined) for one image and prints `queued N`, or",
    "`refused` if standd refused them all (a full queue), or `queued N, refused M`.",
    "",
    "The image is named by its md5 (32 hex digits, the distributor's MD5SUMS value); by a local",
    "file ending in .iso (any case), which is hashed here, so it need not be on this machine's",
    "burners under the same name; or by a name from standd's ISO catalogue, looked up through the",
    "dashboard's /api/state (--http): the filename exactly, else ignoring case, else without",
    "`.iso`. A FILE.iso operand without a slash that does not exist here is looked up as a name.",
    "A name matching two images is refused: queue one by hash.",
    "",
    "Lower priorities burn sooner (0–999, FIFO within one); standd re-queues failed burns at 5.",
    "A hash no burner holds is still queued (the dashboard flags it).",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      [
        "standd queue 24ea1163ea6c9f5dae77de8c49ee7c03          # queued 1",
        "standd queue -n 10 -p 20 /srv/isos/ubuntu-8.10-desktop-i386.iso",
        "standd queue xubuntu-8.10-desktop-i386 --http booth:1338",
        "STANDD_COMMAND_TOKEN=s3cret standd queue --server booth:1337 --json 24ea1163ea6c9f5dae77de8c49ee7c03",
      ].join("\n"),
    ],
    exitStatus("refused: standd answered QNO to at least one copy, or the name is unknown or ambiguous."),
    ENVIRONMENT,
  ],
};

/**
 * `standd qreport`.
 *
 * @example
 * ```ts
 * QREPORT_META.name; // "qreport"
 * ```
 */
export const QREPORT_META: FrontendMeta = { name: "qreport", description: "print the queue in dispatch order" };

/**
 * The prose of `standd qreport --help`.
 *
 * @example
 * ```ts
 * QREPORT_MANUAL.synopsis[0]; // "[--json] [options]"
 * ```
 */
export const QREPORT_MANUAL: Manual = {
  synopsis: ["[--json] [options]"],
  description: [
    "Prints the queued jobs in the order standd will dispatch them (lowest priority number first,",
    "first in first out within one), under the heading ITEM PRIO HASH FILENAME. Jobs being burned",
    "are not queued: see sreport. Filenames come from standd's catalogue (one WHATIS per image);",
    "`-` marks an image no burner has described yet.",
    "",
    "With --json: an array of {item, prio, hash, filename}, filename null when unknown.",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      [
        "standd qreport",
        "  ITEM  PRIO  HASH                              FILENAME",
        "  41    5     d3d8bdfb7ef65711e707103deb1de8b2  test.iso",
        "  38    50    24ea1163ea6c9f5dae77de8c49ee7c03  ubuntu-8.10-desktop-i386.iso",
        "standd qreport --json | jq length",
      ].join("\n"),
    ],
    exitStatus("not used."),
    ENVIRONMENT,
  ],
};

/**
 * `standd sreport`.
 *
 * @example
 * ```ts
 * SREPORT_META.name; // "sreport"
 * ```
 */
export const SREPORT_META: FrontendMeta = { name: "sreport", description: "print every burner's state" };

/**
 * The prose of `standd sreport --help`.
 *
 * @example
 * ```ts
 * SREPORT_MANUAL.synopsis[0]; // "[--json] [options]"
 * ```
 */
export const SREPORT_MANUAL: Manual = {
  synopsis: ["[--json] [options]"],
  description: [
    "Prints every burner standd knows, in the order they first registered, under the heading",
    "ID LABEL TYPE STATE SUBJECT. LABEL is the name given with `standd name` (`-` if none); TYPE",
    "BURNCDR or BURNDVD; STATE one of NEW AVAIL EMPTY OPEN ASKED PASS FAIL DISCONN, or a burn's",
    "progress as a percentage (100% while verifying); SUBJECT the hash of the job it holds, else",
    "the disc (AVAIL) or drive (EMPTY, OPEN) type.",
    "",
    "With --json: an array of {id, label, ctype, state, subject}, label null when unset and state",
    "as on the wire (a number while burning).",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      [
        "standd sreport",
        "  ID                                LABEL   TYPE     STATE  SUBJECT",
        "  233c343e144c59081b9ea1da568a72e8  left-1  BURNDVD  50%    d3d8bdfb7ef65711e707103deb1de8b2",
        "  4a8e2f1a79f1f8507d5cdbdebb993219  -       BURNCDR  AVAIL  CDR",
      ].join("\n"),
    ],
    exitStatus("not used."),
    ENVIRONMENT,
  ],
};

/**
 * `standd whatis`.
 *
 * @example
 * ```ts
 * WHATIS_META.name; // "whatis"
 * ```
 */
export const WHATIS_META: FrontendMeta = { name: "whatis", description: "print an image's filename and description" };

/**
 * The prose of `standd whatis --help`.
 *
 * @example
 * ```ts
 * WHATIS_MANUAL.synopsis[0]; // "[--json] [options] HASH"
 * ```
 */
export const WHATIS_MANUAL: Manual = {
  synopsis: ["[--json] [options] HASH"],
  description: [
    "Asks standd's catalogue about the image whose md5 is HASH and prints its filename, then its",
    "description, or `unknown` if no burner has described it.",
    "",
    "With --json: {hash, known, filename, description, bytes} (bytes null when the burner did not",
    "say), or {hash, known: false}.",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      [
        "standd whatis d3d8bdfb7ef65711e707103deb1de8b2",
        "  test.iso",
        "  Test disc",
        "",
        "  Random data.",
      ].join("\n"),
    ],
    exitStatus("unknown: the catalogue has no such image."),
    ENVIRONMENT,
  ],
};

/**
 * `standd open`.
 *
 * @example
 * ```ts
 * OPEN_META.name; // "open"
 * ```
 */
export const OPEN_META: FrontendMeta = { name: "open", description: "open a burner's tray, to find which drive it is" };

/** How `open` and `name` find a burner. */
const BURNER = [
  "BURNER is a burner's id as sreport shows it, its label, or a prefix of its id of at least four",
  "characters that only one burner's id starts with (the dashboard shows ids shortened); a",
  "label two burners share must be given as an id.",
].join("\n");

/**
 * The prose of `standd open --help`.
 *
 * @example
 * ```ts
 * OPEN_MANUAL.synopsis[0]; // "[options] BURNER"
 * ```
 */
export const OPEN_MANUAL: Manual = {
  synopsis: ["[options] BURNER"],
  description: [
    "Asks standd to open the tray of one burner and prints `ok`, or `refused` when standd does not",
    "know the burner or it is disconnected. A burner that is burning or verifying keeps its tray",
    "shut.",
    "",
    BURNER,
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    ["EXAMPLES", "standd open left-1\nstandd open 233c"],
    exitStatus("refused, or no burner matches BURNER."),
    ENVIRONMENT,
  ],
};

/**
 * `standd qdel`.
 *
 * @example
 * ```ts
 * QDEL_META.name; // "qdel"
 * ```
 */
export const QDEL_META: FrontendMeta = { name: "qdel", description: "remove a job from the queue" };

/**
 * The prose of `standd qdel --help`.
 *
 * @example
 * ```ts
 * QDEL_MANUAL.synopsis[0]; // "[options] ITEM"
 * ```
 */
export const QDEL_MANUAL: Manual = {
  synopsis: ["[options] ITEM"],
  description: [
    "Removes the queued job ITEM (the first column of qreport) and prints `ok`, or `refused` if",
    "there is no such job or it has already gone to a burner.",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    ["EXAMPLES", "standd qdel 41"],
    exitStatus("refused: no such queued item."),
    ENVIRONMENT,
  ],
};

/**
 * `standd name`.
 *
 * @example
 * ```ts
 * NAME_META.name; // "name"
 * ```
 */
export const NAME_META: FrontendMeta = { name: "name", description: "give a burner a label" };

/**
 * The prose of `standd name --help`.
 *
 * @example
 * ```ts
 * NAME_MANUAL.synopsis[0]; // "[options] BURNER LABEL"
 * ```
 */
export const NAME_MANUAL: Manual = {
  synopsis: ["[options] BURNER LABEL"],
  description: [
    "Labels a burner, for sreport, watch and the dashboard, and prints `ok` or `refused`. A label",
    "is 1 to 64 characters without TAB or line breaks; an empty LABEL clears it. standd keeps",
    "labels across restarts.",
    "",
    BURNER,
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    ["EXAMPLES", "standd open 233c            # which drive opens?\nstandd name 233c left-1\nstandd name left-1 ''"],
    exitStatus("refused: standd does not know the burner, or no burner matches BURNER."),
    ENVIRONMENT,
  ],
};

/**
 * `standd watch`.
 *
 * @example
 * ```ts
 * WATCH_META.name; // "watch"
 * ```
 */
export const WATCH_META: FrontendMeta = { name: "watch", description: "follow the burners and the queue" };

/**
 * The prose of `standd watch --help`.
 *
 * @example
 * ```ts
 * WATCH_MANUAL.synopsis[0]; // "[--interval SECS] [--json] [options]"
 * ```
 */
export const WATCH_MANUAL: Manual = {
  synopsis: ["[--interval SECS] [--json] [options]"],
  description: [
    "Asks standd for the queue and the burners every --interval seconds until SIGINT or SIGTERM.",
    "On a terminal it redraws the screen, sreport's table above qreport's, whenever something",
    "changed. Otherwise it prints one line per change, stamped with the UTC time of the poll that",
    "saw it; the first poll prints every burner and every queued job:",
    "",
    "  TIME burner ID LABEL TYPE STATE SUBJECT     a burner is new or changed",
    "  TIME queued ITEM PRIO HASH FILENAME         a job joined the queue",
    "  TIME dequeued ITEM PRIO HASH FILENAME       a job left it (to a burner, or by qdel)",
    "",
    "With --json (on a terminal too) each change is one JSON object per line, with `time` and",
    "`event` beside the fields of sreport --json or qreport --json. A lost connection ends the",
    "run with status 69.",
    "",
    CONNECTION,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      [
        "standd watch --server booth:1337",
        "standd watch --interval 5 >> stand.log",
        "  2026-12-04T22:30:01Z burner 233c343e144c59081b9ea1da568a72e8 left-1 BURNDVD 25% d3d8bdfb7ef65711e707103deb1de8b2",
      ].join("\n"),
    ],
    ["SIGNALS", "SIGINT, SIGTERM: stop polling, close the connection, exit 0."],
    exitStatus("not used."),
    ENVIRONMENT,
  ],
};
