/**
 * What spreed's `--help` and `--version` say: name, version and summary
 * (citty's meta) and the prose of its man page. The OPTIONS section comes
 * from SPREED_ARGS; `spreed 9p` has its own page (lib/ninep/tool/help.ts).
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { SPREED_VERSION } from "./config.ts";

/**
 * spreed's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: SPREED_META, manual: SPREED_MANUAL, args: SPREED_ARGS, subCommands, default: "serve" });
 * ```
 */
export const SPREED_META = {
  name: "spreed",
  version: SPREED_VERSION,
  description: "Inferno's spree clique server (lobby, chat, games) as a 9P2000 file tree",
};

/**
 * The `serve` sub-command's meta (it is also the default).
 *
 * @example
 * ```ts
 * SPREED_SERVE_META.name; // "serve"
 * ```
 */
export const SPREED_SERVE_META = { ...SPREED_META, name: "serve", description: "serve the clique tree (the default)" };

/**
 * The prose of spreed's `--help` page.
 *
 * @example
 * ```ts
 * SPREED_MANUAL.synopsis[1]; // "9p [-a ADDR] [-u USER] ls|stat|read|write|rdwr ARGS…"
 * ```
 */
export const SPREED_MANUAL: Manual = {
  synopsis: [
    "[serve] [-a ADDR]… [--inferno] [--users FILE] [--catalogue SET] [--engines LIST] [options]",
    "9p [-a ADDR] [-u USER] ls|stat|read|write|rdwr ARGS…",
  ],
  description: [
    "Serves spree's cliques as a 9P2000 file tree: /name (who you attached as), /new, and a",
    "directory per clique holding its ctl file. Clique 0 is the lobby. Open a ctl file, write",
    "`join` to become a member, then read update lines and write commands (`chat hello`,",
    "`start gather 2 othello`, `move 3 2`). Writing `create chat` to /new starts a chat and",
    "joins it on the same fid. Every connection shares one set of cliques. There is no 9P",
    "authentication: the attach name is trusted (see --users). `spreed 9p` is a small 9P",
    "client for scripts and tests (spreed 9p --help).",
  ].join("\n"),
  sections: [
    [
      "EXAMPLE",
      "spreed -a 'tcp!127.0.0.1!3242' &\n" +
      "spreed 9p -u alice rdwr new        # then type: create chat\n" +
      "spreed 9p -u bob rdwr 1/ctl        # then type: join, chat hello",
    ],
    [
      "SIGNALS",
      "SIGTERM, SIGINT: stop listening, close every connection (members leave), exit 0.\n" +
      "SIGHUP: reread --users (a bad file is logged and the old list kept).",
    ],
    [
      "EXIT STATUS",
      "0 normal stop; 64 usage; 65 bad contents of the users or catalogue file; 66 a file cannot\n" +
      "be read; 71 a listener cannot bind; 78 inconsistent configuration (no lobby in --engines).",
    ],
  ],
};
