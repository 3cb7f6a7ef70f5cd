/**
 * spreed's command line (spec §1, §9) and the configuration it resolves to.
 * Pure: reading the users and catalogue files is the program's (lib/spree/io/).
 *
 * @module
 */
import { numberOption, type OptionsDef, type ParsedOptions, UsageError } from "../cli.ts";
import { type DialAddress, DialError, parseDial } from "../dial.ts";
import { EX, Fatal } from "../exit.ts";
import { DEFAULT_MSIZE, MAX_MSIZE, MIN_MSIZE } from "../ninep/version.ts";

/**
 * The product version `-V` prints.
 *
 * @example
 * ```ts
 * `spreed ${SPREED_VERSION}`; // "spreed 0.1.0"
 * ```
 */
export const SPREED_VERSION = "0.1.0";

/**
 * The port spree has listened on since gamesrv.
 *
 * @example
 * ```ts
 * `tcp!*!${SPREE_PORT}`; // "tcp!*!3242"
 * ```
 */
export const SPREE_PORT = 3242;

/**
 * spreed's options (the `serve` sub-command, also the default).
 *
 * @example
 * ```ts
 * const args = parseOptions(["-a", "tcp!127.0.0.1!0", "--inferno"], SPREED_ARGS);
 * ```
 */
export const SPREED_ARGS = {
  listen: {
    type: "string",
    alias: ["a"],
    multiple: true,
    valueHint: "ADDR",
    description: `listen on an Inferno dial string: tcp!*!PORT, tcp!HOST!PORT, unix!PATH (default tcp!*!${SPREE_PORT})`,
  },
  msize: {
    type: "string",
    valueHint: "N",
    default: String(DEFAULT_MSIZE),
    description: `the largest 9P message a client may agree to (${MIN_MSIZE}..${MAX_MSIZE})`,
  },
  users: {
    type: "string",
    valueHint: "FILE",
    description: "admit only the unames listed in FILE, one per line (# comments); reread on SIGHUP",
  },
  catalogue: {
    type: "string",
    valueHint: "SET",
    description: "the lobby's session types: default (installed engines), inferno (the original nine) or a FILE",
  },
  engines: {
    type: "string",
    valueHint: "LIST",
    description: "the engines installed, comma-separated (default all: lobby,gather,othello,chat); lobby is required",
  },
  "no-new": { type: "boolean", description: "do not serve the /new file" },
  inferno: {
    type: "boolean",
    description: "the original server exactly: --no-new --engines lobby,gather,othello --catalogue inferno",
  },
  "max-conns": { type: "string", valueHint: "N", default: "1024", description: "connections at once; more are closed" },
  "max-fids": { type: "string", valueHint: "N", default: "1024", description: "fids per connection" },
  "max-members": {
    type: "string",
    valueHint: "N",
    default: "100",
    description: "fids open on one ctl file at once (members and would-be members)",
  },
  "max-cliques": { type: "string", valueHint: "N", default: "1000", description: "live cliques, the lobby included" },
  "queue-limit": {
    type: "string",
    valueHint: "BYTES",
    default: "1048576",
    description: "updates queued for one ctl fid before it is hung up",
  },
  debug: { type: "boolean", description: "trace every 9P message on stderr" },
} as const satisfies OptionsDef;

/** Where the lobby's catalogue comes from (spec §7.5). */
export type CatalogueChoice = { kind: "default" } | { kind: "inferno" } | { kind: "file"; path: string };

/** One listener: the dial string as given and what it names. */
export interface Listen {
  readonly text: string;
  readonly address: DialAddress;
}

/**
 * What spreed runs with.
 *
 * @example
 * ```ts
 * const cfg = spreedConfig(parseOptions(["--inferno"], SPREED_ARGS));
 * cfg.newFile; // false
 * ```
 */
export interface SpreedConfig {
  listen: Listen[];
  msize: number;
  usersFile: string | undefined;
  catalogue: CatalogueChoice;
  /** The engines installed, in the registry's names; `lobby` always among them. */
  engines: string[];
  newFile: boolean;
  maxConns: number;
  maxFids: number;
  maxCliques: number;
  maxMembers: number;
  queueLimit: number;
  debug: boolean;
}

const ALL_ENGINES = ["lobby", "gather", "othello", "chat"] as const;
const INFERNO_ENGINES = ["lobby", "gather", "othello"];

/**
 * Resolve the parsed command line. Throws UsageError (64) for a bad value
 * and Fatal 78 for an inconsistent set (no lobby).
 *
 * @example
 * ```ts
 * spreedConfig(parseOptions([], SPREED_ARGS)).listen[0].text; // "tcp!*!3242"
 * ```
 */
export function spreedConfig(args: ParsedOptions<typeof SPREED_ARGS>): SpreedConfig {
  if (args._.length > 0) throw new UsageError(`unexpected operand "${args._[0]}"`);
  const texts = args.listen.length > 0 ? args.listen : [`tcp!*!${SPREE_PORT}`];
  const listen = texts.map((text) => ({ text, address: listenAddress(text) }));
  const engines = args.engines === undefined
    ? (args.inferno ? INFERNO_ENGINES : [...ALL_ENGINES])
    : engineList(args.engines);
  if (!engines.includes("lobby")) {
    throw new Fatal(`--engines ${args.engines}: the lobby engine is required (add lobby)`, EX.CONFIG);
  }
  return {
    listen,
    msize: numberOption("--msize", args.msize, { min: MIN_MSIZE, max: MAX_MSIZE }),
    usersFile: args.users,
    catalogue: catalogueChoice(args.catalogue ?? (args.inferno ? "inferno" : "default")),
    engines,
    newFile: !args["no-new"] && !args.inferno,
    maxConns: numberOption("--max-conns", args["max-conns"], { min: 1, max: 1_000_000 }),
    maxFids: numberOption("--max-fids", args["max-fids"], { min: 1, max: 1_000_000 }),
    maxCliques: numberOption("--max-cliques", args["max-cliques"], { min: 1, max: 1_000_000 }),
    maxMembers: numberOption("--max-members", args["max-members"], { min: 1, max: 1_000_000 }),
    queueLimit: numberOption("--queue-limit", args["queue-limit"], { min: 4096, max: 2 ** 30 }),
    debug: args.debug,
  };
}

function listenAddress(text: string): DialAddress {
  let address: DialAddress;
  try {
    address = parseDial(text, { allowWildcard: true });
  } catch (err) {
    if (err instanceof DialError) throw new UsageError(`--listen: ${err.message}`);
    throw err;
  }
  if (address.net === "udp") throw new UsageError(`--listen: 9P needs a stream: ${text} (use tcp! or unix!)`);
  return address;
}

function engineList(text: string): string[] {
  const names = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const name of names) {
    if (!(ALL_ENGINES as readonly string[]).includes(name)) {
      throw new UsageError(`--engines: unknown engine "${name}" (known: ${ALL_ENGINES.join(", ")})`);
    }
  }
  return [...new Set(names)];
}

function catalogueChoice(text: string): CatalogueChoice {
  if (text === "default" || text === "inferno") return { kind: text };
  if (text === "") throw new UsageError("--catalogue: empty (default, inferno or a file)");
  return { kind: "file", path: text };
}
