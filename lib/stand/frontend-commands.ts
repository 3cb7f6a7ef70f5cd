/**
 * standd's frontend sub-commands (spec §3.7) as command-line commands:
 * their options, the checks on them, and a run that loads the client
 * (io/frontend.ts) only once the command line is good, so that `--help`
 * stays fast. cmd/standd.ts spreads {@linkcode STANDD_FRONTENDS} into its
 * sub-commands next to `serve`.
 *
 * @module
 */
import { defineGnuCommand, type GnuCommand, numberOption, type OptionsDef, UsageError } from "../cli.ts";
import { DialError, parseDial } from "../dial.ts";
import {
  NAME_MANUAL,
  NAME_META,
  OPEN_MANUAL,
  OPEN_META,
  QDEL_MANUAL,
  QDEL_META,
  QREPORT_MANUAL,
  QREPORT_META,
  QUEUE_MANUAL,
  QUEUE_META,
  SREPORT_MANUAL,
  SREPORT_META,
  WATCH_MANUAL,
  WATCH_META,
  WHATIS_MANUAL,
  WHATIS_META,
} from "./frontend-help.ts";
import type { FrontendConfig, FrontendRequest } from "./frontend.ts";
import { PRIO_DEFAULT, PRIO_MAX } from "./queue.ts";

/**
 * The options every frontend sub-command takes.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta, args: { ...FRONTEND_ARGS, json: FRONTEND_ARGS.json }, run });
 * ```
 */
export const FRONTEND_ARGS = {
  server: {
    type: "string",
    valueHint: "HOST:PORT",
    default: "127.0.0.1:1337",
    description: "standd's protocol address",
  },
  token: { type: "string", valueHint: "T", description: "the command token (standd --command-token)" },
  "token-file": { type: "string", valueHint: "F", description: "read the command token from the file F" },
  json: { type: "boolean", description: "print JSON instead of text" },
  timeout: {
    type: "string",
    valueHint: "SECS",
    default: "30",
    description: "how long to wait to connect and for each reply",
  },
} as const satisfies OptionsDef;

/** What the common options parse to. */
interface CommonArgs {
  server: string;
  token: string | undefined;
  "token-file": string | undefined;
  json: boolean;
  timeout: string;
}

/** An address option checked as the client will dial it; a bad one is a usage error. */
function address(option: string, text: string, defaultPort: number): string {
  try {
    parseDial(text, { defaultPort, allowUnix: false, minPort: 1 });
  } catch (err) {
    if (err instanceof DialError) throw new UsageError(`${option}: ${err.message}`);
    throw err;
  }
  return text;
}

/** The common options as the client's configuration. */
function configOf(args: CommonArgs): FrontendConfig {
  if (args.token !== undefined && args["token-file"] !== undefined) {
    throw new UsageError("--token and --token-file exclude each other");
  }
  return {
    server: address("--server", args.server, 1337),
    token: { flag: args.token, file: args["token-file"], env: process.env.STANDD_COMMAND_TOKEN },
    json: args.json,
    timeoutMs: numberOption("--timeout", args.timeout, { min: 0.001, max: 3600, fraction: true }) * 1000,
  };
}

/** Loads the client and runs `req`. */
async function run(args: CommonArgs, req: FrontendRequest): Promise<number> {
  const cfg = configOf(args);
  const { runFrontend } = await import("./io/frontend.ts");
  return await runFrontend(cfg, req);
}

const queue = defineGnuCommand({
  meta: QUEUE_META,
  manual: QUEUE_MANUAL,
  args: {
    ...FRONTEND_ARGS,
    prio: {
      type: "string",
      alias: ["p"],
      valueHint: "PRIO",
      default: String(PRIO_DEFAULT),
      description: `priority, 0..${PRIO_MAX}: lower burns sooner`,
    },
    copies: { type: "string", alias: ["n"], valueHint: "COPIES", default: "1", description: "how many discs" },
    http: {
      type: "string",
      valueHint: "HOST:PORT",
      default: "127.0.0.1:1338",
      description: "the dashboard, to look up a NAME",
    },
    target: { type: "positional", valueHint: "HASH|FILE.iso|NAME", description: "the image" },
  },
  run: ({ args }) =>
    run(args, {
      verb: "queue",
      target: args.target,
      prio: numberOption("-p", args.prio, { min: 0, max: PRIO_MAX }),
      copies: numberOption("-n", args.copies, { min: 1, max: 100_000 }),
      http: address("--http", args.http, 1338),
    }),
});

const qreport = defineGnuCommand({
  meta: QREPORT_META,
  manual: QREPORT_MANUAL,
  args: FRONTEND_ARGS,
  run: ({ args }) => run(args, { verb: "qreport" }),
});

const sreport = defineGnuCommand({
  meta: SREPORT_META,
  manual: SREPORT_MANUAL,
  args: FRONTEND_ARGS,
  run: ({ args }) => run(args, { verb: "sreport" }),
});

const whatis = defineGnuCommand({
  meta: WHATIS_META,
  manual: WHATIS_MANUAL,
  args: { ...FRONTEND_ARGS, hash: { type: "positional", valueHint: "HASH", description: "the image's md5" } },
  run: ({ args }) => {
    if (!/^[0-9a-fA-F]{32}$/.test(args.hash)) throw new UsageError(`bad hash "${args.hash}" (32 hex digits)`);
    return run(args, { verb: "whatis", hash: args.hash.toLowerCase() });
  },
});

const BURNER = { type: "positional", valueHint: "BURNER", description: "an id, an id prefix or a label" } as const;

const open = defineGnuCommand({
  meta: OPEN_META,
  manual: OPEN_MANUAL,
  args: { ...FRONTEND_ARGS, burner: BURNER },
  run: ({ args }) => run(args, { verb: "open", burner: args.burner }),
});

const qdel = defineGnuCommand({
  meta: QDEL_META,
  manual: QDEL_MANUAL,
  args: { ...FRONTEND_ARGS, item: { type: "positional", valueHint: "ITEM", description: "a queue item" } },
  run: ({ args }) => {
    if (!/^[0-9]{1,15}$/.test(args.item)) throw new UsageError(`bad item "${args.item}" (up to 15 digits)`);
    return run(args, { verb: "qdel", item: Number(args.item) });
  },
});

const name = defineGnuCommand({
  meta: NAME_META,
  manual: NAME_MANUAL,
  args: {
    ...FRONTEND_ARGS,
    burner: BURNER,
    label: { type: "positional", valueHint: "LABEL", description: "the label; empty to clear it" },
  },
  run: ({ args }) => {
    if (/[\t\r\n]/.test(args.label) || [...args.label].length > 64) {
      throw new UsageError("a label is at most 64 characters, without TAB or line breaks");
    }
    return run(args, { verb: "name", burner: args.burner, label: args.label });
  },
});

const watch = defineGnuCommand({
  meta: WATCH_META,
  manual: WATCH_MANUAL,
  args: {
    ...FRONTEND_ARGS,
    interval: { type: "string", valueHint: "SECS", default: "1", description: "seconds between polls" },
  },
  run: ({ args }) =>
    run(args, {
      verb: "watch",
      intervalMs: numberOption("--interval", args.interval, { min: 0.1, max: 3600, fraction: true }) * 1000,
    }),
});

/**
 * The frontend sub-commands by name, for standd's `subCommands`.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: STANDD_META, subCommands: { serve, ...STANDD_FRONTENDS }, default: "serve" });
 * ```
 */
export const STANDD_FRONTENDS: Readonly<Record<string, GnuCommand>> = {
  queue,
  qreport,
  sreport,
  whatis,
  open,
  qdel,
  name,
  watch,
} as Record<string, GnuCommand>;
