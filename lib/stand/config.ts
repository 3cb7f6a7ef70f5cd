/**
 * `standd serve`'s command line (spec §3.1) and the configuration it
 * resolves to. Pure: the token file is read by the program.
 *
 * @module
 */
import { numberOption, type OptionsDef, type ParsedOptions, UsageError } from "../cli.ts";
import { parseDial } from "../dial.ts";
import { STANDD_DEFAULTS, type StanddSettings } from "./server.ts";

/**
 * The version `-V` prints, for standd and burnerd alike.
 *
 * @example
 * ```ts
 * `standd ${STAND_VERSION}`; // "standd 1.0.0"
 * ```
 */
export const STAND_VERSION = "1.0.0";

/**
 * `standd serve`'s options; values stay strings here and are checked by
 * {@linkcode standdConfig}.
 *
 * @example
 * ```ts
 * standdConfig(parseOptions(["--state-dir", "/tmp/s"], STANDD_ARGS)).stateDir; // "/tmp/s"
 * ```
 */
export const STANDD_ARGS = {
  listen: { type: "string", valueHint: "HOST:PORT", default: "0.0.0.0:1337", description: "the protocol listener" },
  http: {
    type: "string",
    valueHint: "HOST:PORT|off",
    default: "127.0.0.1:1338",
    description: "the read-only web dashboard",
  },
  "state-dir": { type: "string", valueHint: "DIR", default: "/var/lib/standd", description: "journal and snapshot" },
  "command-token": { type: "string", valueHint: "T", description: "COMMAND clients must send this token" },
  "command-token-file": { type: "string", valueHint: "FILE", description: "read the command token from FILE" },
  "asked-timeout": { type: "string", valueHint: "S", default: "30", description: "BURN unanswered this long: restore" },
  "reconnect-grace": {
    type: "string",
    valueHint: "S",
    default: "120",
    description: "a lost burner keeps its job this long",
  },
  "burner-idle-timeout": {
    type: "string",
    valueHint: "S",
    default: "35",
    description: "a burner silent this long is lost",
  },
  "max-attempts": {
    type: "string",
    valueHint: "N",
    default: "3",
    description: "FAIL verdicts per job before giving up",
  },
  "cd-capacity": {
    type: "string",
    valueHint: "BYTES",
    default: "737280000",
    description: "larger images are DVD-only",
  },
  "open-on-complete": { type: "boolean", description: "open the burner's tray after a PASS" },
  "max-frame": { type: "string", valueHint: "BYTES", default: "262144", description: "longest frame" },
  "max-queue": { type: "string", valueHint: "N", default: "100000", description: "queued items" },
  "max-conns": { type: "string", valueHint: "N", default: "2048", description: "connections" },
  history: { type: "string", valueHint: "N", default: "100000", description: "closed jobs kept" },
  "unsafe-no-fsync": { type: "boolean", description: "never fsync the journal (benchmarks only)" },
  debug: { type: "boolean", description: "log every malformed frame and more" },
} as const satisfies OptionsDef;

/** An address to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * What `standd serve` runs with.
 *
 * @example
 * ```ts
 * standdConfig(parseOptions([], STANDD_ARGS)).listen; // { host: "0.0.0.0", port: 1337 }
 * ```
 */
export interface StanddConfig {
  listen: ListenAddress;
  http: ListenAddress | undefined;
  stateDir: string;
  commandToken: string | undefined;
  commandTokenFile: string | undefined;
  historyMax: number;
  unsafeNoFsync: boolean;
  debug: boolean;
  settings: StanddSettings;
}

/**
 * `HOST:PORT` (or `[v6]:PORT`, or `tcp!HOST!PORT`); UsageError when bad.
 *
 * @example
 * ```ts
 * listenOption("--listen", "127.0.0.1:1337"); // { host: "127.0.0.1", port: 1337 }
 * ```
 */
export function listenOption(option: string, text: string): ListenAddress {
  try {
    const a = parseDial(text, { allowWildcard: true, allowUnix: false });
    if (a.net !== "tcp") throw new UsageError(`${option}: "${text}" is not TCP`);
    return { host: a.host === "*" ? "0.0.0.0" : a.host, port: a.port };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${option}: ${err instanceof Error ? err.message : err}`);
  }
}

const seconds = (option: string, text: string) =>
  numberOption(option, text, { min: 0.001, max: 86_400, fraction: true }) * 1000;

/**
 * Resolve the parsed command line; throws UsageError (64) for a bad value.
 *
 * @example
 * ```ts
 * standdConfig(parseOptions(["--asked-timeout", "2"], STANDD_ARGS)).settings.askedTimeoutMs; // 2000
 * ```
 */
export function standdConfig(args: ParsedOptions<typeof STANDD_ARGS>): StanddConfig {
  if (args["command-token"] !== undefined && args["command-token-file"] !== undefined) {
    throw new UsageError("give --command-token or --command-token-file, not both");
  }
  if (args["command-token"] === "") throw new UsageError("--command-token: the token is empty");
  return {
    listen: listenOption("--listen", args.listen),
    http: args.http === "off" ? undefined : listenOption("--http", args.http),
    stateDir: args["state-dir"],
    commandToken: args["command-token"],
    commandTokenFile: args["command-token-file"],
    historyMax: numberOption("--history", args.history, { min: 0, max: 10_000_000 }),
    unsafeNoFsync: args["unsafe-no-fsync"],
    debug: args.debug,
    settings: {
      ...STANDD_DEFAULTS,
      askedTimeoutMs: seconds("--asked-timeout", args["asked-timeout"]),
      reconnectGraceMs: seconds("--reconnect-grace", args["reconnect-grace"]),
      idleTimeoutMs: seconds("--burner-idle-timeout", args["burner-idle-timeout"]),
      maxAttempts: numberOption("--max-attempts", args["max-attempts"], { min: 1, max: 1000 }),
      cdCapacity: numberOption("--cd-capacity", args["cd-capacity"], { min: 1, max: Number.MAX_SAFE_INTEGER }),
      openOnComplete: args["open-on-complete"],
      maxFrame: numberOption("--max-frame", args["max-frame"], { min: 1024, max: 64 * 1024 * 1024 }),
      maxQueue: numberOption("--max-queue", args["max-queue"], { min: 1, max: 10_000_000 }),
      maxConns: numberOption("--max-conns", args["max-conns"], { min: 1, max: 1_000_000 }),
    },
  };
}
